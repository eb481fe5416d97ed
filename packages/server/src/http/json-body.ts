import { invalidArgument } from '@cairn/core';

/**
 * Parses a JSON request body. Python's `json.dumps` writes non-finite floats as bare `NaN`,
 * `Infinity` and `-Infinity`, which JSON.parse rejects; clients (mlflow among them) send them, so
 * those tokens outside strings are accepted and become the numbers they name.
 */
export function parseJsonBody(text: string): unknown {
  if (/^\s*$/.test(text)) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    if (/NaN|Infinity/.test(text)) {
      const rewritten = quoteNonFinite(text);
      if (rewritten !== text) {
        try {
          return JSON.parse(rewritten, (_k, v) => (typeof v === 'string' ? reviveNonFinite(v) : v));
        } catch {
          // fall through to the original error, which points at the real problem
        }
      }
    }
    const message = err instanceof Error ? err.message : String(err);
    throw invalidArgument(`Malformed JSON in request body: ${message}`, { field: 'body' });
  }
}

const MARK = '\u0000cairn-nonfinite:';

function reviveNonFinite(v: string): unknown {
  if (!v.startsWith(MARK)) return v;
  const token = v.slice(MARK.length);
  return token === 'NaN' ? Number.NaN : token === '-Infinity' ? -Infinity : Infinity;
}

/** Wraps bare NaN/Infinity tokens (outside string literals) in marked strings. */
function quoteNonFinite(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const rest = text.slice(i, i + 9);
    const token = rest.startsWith('-Infinity')
      ? '-Infinity'
      : rest.startsWith('Infinity')
        ? 'Infinity'
        : rest.startsWith('NaN')
          ? 'NaN'
          : null;
    if (token) {
      out += JSON.stringify(MARK + token);
      i += token.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

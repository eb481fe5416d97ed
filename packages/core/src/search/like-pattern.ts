/**
 * A LIKE pattern as a sequence of parts, so each database can render it its own way (SQLite's LIKE is
 * case-insensitive, so case-sensitive LIKE there becomes GLOB). `%` matches any run, `_` any one
 * character, and a backslash makes the next character literal (PostgreSQL's default escape).
 */
export type LikePart = { kind: 'literal'; text: string } | { kind: 'any' } | { kind: 'one' };

export function parseLikePattern(pattern: string): LikePart[] {
  const parts: LikePart[] = [];
  let literal = '';
  const flush = () => {
    if (literal) parts.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      literal += pattern[++i];
    } else if (c === '%') {
      flush();
      parts.push({ kind: 'any' });
    } else if (c === '_') {
      flush();
      parts.push({ kind: 'one' });
    } else {
      literal += c;
    }
  }
  flush();
  return parts;
}

/** Renders parts as a LIKE pattern with `\` as the escape character (use with `ESCAPE '\'`). */
export function toLikePattern(parts: readonly LikePart[]): string {
  return parts
    .map((p) =>
      p.kind === 'any' ? '%' : p.kind === 'one' ? '_' : p.text.replace(/[\\%_]/g, (m) => `\\${m}`),
    )
    .join('');
}

/** Renders parts as a case-sensitive SQLite GLOB pattern (`*`, `?`, and `[x]` for a literal special). */
export function toGlobPattern(parts: readonly LikePart[]): string {
  return parts
    .map((p) => (p.kind === 'any' ? '*' : p.kind === 'one' ? '?' : p.text.replace(/[*?[]/g, (m) => `[${m}]`)))
    .join('');
}

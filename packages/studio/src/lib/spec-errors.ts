import { CairnApiError } from '@cairn/sdk';

/**
 * The server's validation errors for a spec, located: each issue of an INVALID_ARGUMENT with its field
 * and, for YAML it parsed, the line and column (`job.yml:3:5: inputs.C: …`). Errors without issues
 * (an unknown compute, a missing environment) become one issue with the field the server named.
 */
export interface SpecIssue {
  field: string;
  message: string;
  line: number | null;
  column: number | null;
}

const isIssue = (v: unknown): v is { field: string; message: string; line?: number; column?: number } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { message?: unknown }).message === 'string' &&
  typeof (v as { field?: unknown }).field === 'string';

export function specIssues(err: unknown): SpecIssue[] {
  if (!(err instanceof CairnApiError)) {
    return [
      { field: '', message: err instanceof Error ? err.message : String(err), line: null, column: null },
    ];
  }
  const issues = err.details.issues;
  if (Array.isArray(issues) && issues.length > 0 && issues.every(isIssue)) {
    return issues.map((i) => ({
      field: i.field,
      message: i.message,
      line: typeof i.line === 'number' && i.line > 0 ? i.line : null,
      column: typeof i.column === 'number' && i.column > 0 ? i.column : null,
    }));
  }
  return [{ field: err.details.field ?? '', message: err.message, line: null, column: null }];
}

/** Where an issue is, as the user reads it next to the editor: `line 3, column 5 · inputs.C`. */
export function issueLocation(issue: SpecIssue): string {
  const at =
    issue.line === null ? '' : `line ${issue.line}${issue.column === null ? '' : `, column ${issue.column}`}`;
  return [at, issue.field].filter((s) => s !== '').join(' · ');
}

/** The character offset where a 1-based line starts in `text` (to put the editor's caret there). */
export function lineOffset(text: string, line: number): { start: number; end: number } {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return { start: text.length, end: text.length };
    start = nl + 1;
  }
  const nl = text.indexOf('\n', start);
  return { start, end: nl < 0 ? text.length : nl };
}

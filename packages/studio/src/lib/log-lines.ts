/**
 * A job's output as lines: chunks (stdout and stderr interleaved by sequence) arrive in any sizes, so a
 * line may span chunks; each stream keeps its own unfinished line until its newline arrives.
 */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export class LogLines {
  readonly lines: LogLine[] = [];
  readonly #partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  add(chunk: { stream: 'stdout' | 'stderr'; data: string }): void {
    const parts = (this.#partial[chunk.stream] + chunk.data).split(/\r?\n/);
    this.#partial[chunk.stream] = parts.pop() ?? '';
    for (const text of parts) this.lines.push({ stream: chunk.stream, text });
  }

  /** Every complete line, then each stream's unfinished one (shown while more may come). */
  all(): LogLine[] {
    const tail: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partial[stream] !== '') tail.push({ stream, text: this.#partial[stream] });
    }
    // Always a new array: the page memoises on it, and a reused one would hide lines added since.
    return [...this.lines, ...tail];
  }
}

/** Lines containing `query` (case-insensitive), with their line numbers (1-based). */
export function searchLines(lines: readonly LogLine[], query: string): { n: number; line: LogLine }[] {
  const q = query.toLowerCase();
  const out: { n: number; line: LogLine }[] = [];
  lines.forEach((line, i) => {
    if (q === '' || line.text.toLowerCase().includes(q)) out.push({ n: i + 1, line });
  });
  return out;
}

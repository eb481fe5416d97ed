/** Where a position in a POSIX shell command sits with respect to quotes. */
export type QuoteContext = 'none' | 'single' | 'double';

/** Follows quoting through text fed to it in order, the way `sh` reads it. */
export class QuoteTracker {
  private state: QuoteContext = 'none';
  private escaped = false;

  get context(): QuoteContext {
    return this.state;
  }

  feed(text: string): void {
    for (const ch of text) {
      if (this.escaped) {
        this.escaped = false;
      } else if (this.state === 'single') {
        if (ch === "'") this.state = 'none';
      } else if (ch === '\\') {
        this.escaped = true;
      } else if (this.state === 'double') {
        if (ch === '"') this.state = 'none';
      } else if (ch === "'") {
        this.state = 'single';
      } else if (ch === '"') {
        this.state = 'double';
      }
    }
  }
}

const SAFE = /^[A-Za-z0-9_\-.,/:=+@%^]+$/;

/**
 * `value` written so that the shell reads it back as exactly one word with exactly this text, given
 * where it lands: bare values with spaces or metacharacters are single-quoted, values inside
 * single or double quotes are escaped for that context.
 */
export function quoteForShell(value: string, context: QuoteContext = 'none'): string {
  switch (context) {
    case 'single':
      return value.replaceAll("'", `'\\''`);
    case 'double':
      return value.replace(/[\\"$`]/g, (ch) => `\\${ch}`);
    case 'none':
      return SAFE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
  }
}

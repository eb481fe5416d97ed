import { type CairnError, invalidArgument } from '../errors.js';

/**
 * A position in the text being parsed, with the small reading steps the filter and order_by parsers
 * share. Every error it raises names the 0-based offset (`details.position`) and quotes the fragment.
 */
export class Cursor {
  pos = 0;

  constructor(
    readonly text: string,
    /** How errors introduce themselves: `Invalid filter` or `Invalid order_by clause '…'`. */
    private readonly label: string,
    private readonly field: string,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  char(): string {
    return this.text[this.pos] ?? '';
  }

  skipWhitespace(): void {
    while (!this.atEnd && /\s/.test(this.char())) this.pos++;
  }

  /** Reads a run of characters matching `re` (a single-character class), possibly empty. */
  readWhile(re: RegExp): string {
    const start = this.pos;
    while (!this.atEnd && re.test(this.char())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Matches a sticky regex at the cursor; advances past it on success. */
  match(re: RegExp): string | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }

  /** Peeks at the next bare word (letters only), without advancing. */
  peekWord(): string {
    const m = /[A-Za-z]+/y;
    m.lastIndex = this.pos;
    return m.exec(this.text)?.[0] ?? '';
  }

  /**
   * Reads a quoted run starting at the cursor (which is on the quote). Inside, a doubled quote or a
   * backslash before the quote stands for the quote itself; every other character is kept as written
   * (so a LIKE pattern's `\%` reaches the LIKE layer intact).
   */
  readQuoted(what: string): string {
    const quote = this.char();
    const start = this.pos;
    this.pos++;
    let out = '';
    while (!this.atEnd) {
      const c = this.char();
      if (c === '\\' && this.text[this.pos + 1] === quote) {
        out += quote;
        this.pos += 2;
      } else if (c === quote && this.text[this.pos + 1] === quote) {
        out += quote;
        this.pos += 2;
      } else if (c === quote) {
        this.pos++;
        return out;
      } else {
        out += c;
        this.pos++;
      }
    }
    throw this.error(start, `unterminated ${what} ${this.fragment(start)}: add the closing ${quote}`);
  }

  /** The text at `pos` as an error message quotes it: a quoted run, or a run of non-space characters. */
  fragment(pos: number): string {
    if (pos >= this.text.length) return 'end of input';
    const c = this.text[pos]!;
    if (/\s/.test(c)) return 'whitespace';
    let end: number;
    if (c === "'" || c === '"' || c === '`') {
      const close = this.text.indexOf(c, pos + 1);
      end = close === -1 ? this.text.length : close + 1;
    } else if (/[<>=!]/.test(c)) {
      end = pos;
      while (end < this.text.length && /[<>=!]/.test(this.text[end]!)) end++;
    } else if (/[(),]/.test(c)) {
      end = pos + 1;
    } else {
      end = pos;
      while (end < this.text.length && !/[\s<>=!(),]/.test(this.text[end]!)) end++;
    }
    const frag = this.text.slice(pos, Math.min(end, pos + 40));
    return `'${frag}${end > pos + 40 ? '…' : ''}'`;
  }

  error(position: number, message: string): CairnError {
    return invalidArgument(`${this.label} at position ${position}: ${message}`, {
      field: this.field,
      position,
    });
  }
}

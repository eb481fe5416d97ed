import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads a header and rows, with quoted commas, quotes and line breaks', () => {
    const t = parseCsv('a,b,c\r\n1,"x, y",3\n2,"say ""hi""","two\nlines"\n');
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      ['1', 'x, y', '3'],
      ['2', 'say "hi"', 'two\nlines'],
    ]);
    expect(t.truncated).toBe(false);
  });

  it('reads TSV and a last line without a newline', () => {
    expect(parseCsv('a\tb\n1\t2', { delimiter: '\t' }).rows).toEqual([['1', '2']]);
  });

  it('stops at maxRows and drops a half line from a preview of the start of a file', () => {
    const t = parseCsv('h\n1\n2\n3\n4\n', { maxRows: 2 });
    expect(t.rows).toEqual([['1'], ['2']]);
    expect(t.truncated).toBe(true);
    const partial = parseCsv('h,i\n1,2\n3,', { complete: false });
    expect(partial.rows).toEqual([['1', '2']]);
    expect(partial.truncated).toBe(true);
  });
});

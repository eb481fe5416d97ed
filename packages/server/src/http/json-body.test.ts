import { describe, expect, it } from 'vitest';
import { parseJsonBody } from './json-body.js';

describe('parseJsonBody', () => {
  it('parses plain JSON and treats an empty body as {}', () => {
    expect(parseJsonBody('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonBody('  ')).toEqual({});
  });

  it('accepts the bare non-finite tokens Python writes, but not inside strings', () => {
    const body = parseJsonBody('{"v":NaN,"w":[Infinity,-Infinity],"s":"NaN is fine"}') as {
      v: number;
      w: number[];
      s: string;
    };
    expect(body.v).toBeNaN();
    expect(body.w).toEqual([Infinity, -Infinity]);
    expect(body.s).toBe('NaN is fine');
  });

  it('rejects malformed JSON with INVALID_ARGUMENT naming the body', () => {
    expect(() => parseJsonBody('{"a":')).toThrowError(/Malformed JSON/);
    expect(() => parseJsonBody('{"a":NaNx}')).toThrowError(/Malformed JSON/);
  });
});

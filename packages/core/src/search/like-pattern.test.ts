import { describe, expect, it } from 'vitest';
import { parseLikePattern, toGlobPattern, toLikePattern } from './like-pattern.js';

describe('LIKE patterns', () => {
  it('splits wildcards from literals, honouring backslash escapes', () => {
    expect(parseLikePattern('a%b_c')).toEqual([
      { kind: 'literal', text: 'a' },
      { kind: 'any' },
      { kind: 'literal', text: 'b' },
      { kind: 'one' },
      { kind: 'literal', text: 'c' },
    ]);
    expect(parseLikePattern('100\\%')).toEqual([{ kind: 'literal', text: '100%' }]);
    expect(parseLikePattern('a\\')).toEqual([{ kind: 'literal', text: 'a\\' }]);
    expect(parseLikePattern('')).toEqual([]);
  });

  it('renders an escaped LIKE pattern', () => {
    expect(toLikePattern(parseLikePattern('a\\%b%_'))).toBe('a\\%b%_');
    expect(toLikePattern([{ kind: 'literal', text: 'x\\y_' }])).toBe('x\\\\y\\_');
  });

  it('renders a GLOB pattern with GLOB specials bracketed', () => {
    expect(toGlobPattern(parseLikePattern('a*b?[c]%_'))).toBe('a[*]b[?][[]c]*?');
    expect(toGlobPattern(parseLikePattern('%\\_%'))).toBe('*_*');
  });
});

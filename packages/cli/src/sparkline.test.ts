import { describe, expect, it } from 'vitest';
import { sparkline } from './sparkline.js';

describe('sparkline', () => {
  it('scales values between the lowest and highest bar', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
  });

  it('draws flat series mid-height, and leaves gaps for non-finite values', () => {
    expect(sparkline([2, 2])).toBe('▄▄');
    expect(sparkline([0, Number.NaN, 1])).toBe('▁ █');
    expect(sparkline([])).toBe('');
  });
});

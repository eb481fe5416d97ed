import { describe, expect, it } from 'vitest';
import { alignSeries } from './compare-overlay.js';

describe('alignSeries', () => {
  it('merges steps and leaves gaps where a run has no point', () => {
    expect(alignSeries([{ x: [0, 2, 4], y: [1, 2, 3] }, null, { x: [1, 2], y: [5, null] }])).toEqual([
      [0, 1, 2, 4],
      [1, null, 2, 3],
      [null, null, null, null],
      [null, 5, null, null],
    ]);
    expect(alignSeries([])).toEqual([[]]);
  });
});

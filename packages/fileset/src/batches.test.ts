import { describe, expect, it } from 'vitest';
import { groupForBatches } from './batches.js';

describe('groupForBatches', () => {
  const sized = (size: number) => ({ size });

  it('starts a new batch after 1000 contents', () => {
    const groups = groupForBatches(Array.from({ length: 2500 }, () => sized(1)));
    expect(groups.map((g) => g.length)).toEqual([1000, 1000, 500]);
  });

  it('starts a new batch before 16 MiB', () => {
    const groups = groupForBatches(Array.from({ length: 130 }, () => sized(256 * 1024)));
    expect(groups.map((g) => g.length)).toEqual([64, 64, 2]);
  });
});

import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createGridSampler, gridSize } from './grid-sampler.js';
import type { TrialResult } from './sampler.js';
import { type Params, type SearchSpace, validateSearchSpace } from './search-space.js';

function all(space: SearchSpace): Params[] {
  const sampler = createGridSampler(space);
  const history: TrialResult[] = [];
  for (;;) {
    const params = sampler.next(history);
    if (params === null) return history.map((t) => t.params);
    history.push({ params, status: 'completed', value: 0 });
  }
}

describe('grid sampling', () => {
  it('enumerates the Cartesian product in a fixed order, then is exhausted', () => {
    const space: SearchSpace = {
      lr: { type: 'choice', values: [0.1, 0.01] },
      batch: { type: 'choice', values: [16, 32, 64] },
    };
    // Sorted names (batch, lr), the last varying fastest.
    expect(all(space)).toEqual([
      { batch: 16, lr: 0.1 },
      { batch: 16, lr: 0.01 },
      { batch: 32, lr: 0.1 },
      { batch: 32, lr: 0.01 },
      { batch: 64, lr: 0.1 },
      { batch: 64, lr: 0.01 },
    ]);
    expect(gridSize(space)).toBe(6);
    // Key order in the spec does not matter.
    expect(all({ batch: space.batch, lr: space.lr })).toEqual(all(space));
  });

  it('enumerates nested choice branches', () => {
    const space = validateSearchSpace({
      model: {
        type: 'choice',
        values: ['linear', { name: 'tree', depth: { type: 'choice', values: [2, 4] } }],
      },
    });
    expect(all(space)).toEqual([
      { model: 'linear' },
      { model: { depth: 2, name: 'tree' } },
      { model: { depth: 4, name: 'tree' } },
    ]);
  });

  it('refuses expressions other than choice, naming the hyperparameter', () => {
    const space: SearchSpace = {
      units: { type: 'choice', values: [1, 2] },
      lr: { type: 'uniform', min_value: 0, max_value: 1 },
    };
    expect(() => createGridSampler(space)).toThrowError(CairnError);
    expect(() => createGridSampler(space)).toThrowError(/search_space\.lr is uniform/);
    const nested = validateSearchSpace({
      m: { type: 'choice', values: [{ C: { type: 'randint', upper: 3 } }] },
    });
    expect(() => createGridSampler(nested)).toThrowError(/search_space\.m\.values\[0\]\.C is randint/);
  });
});

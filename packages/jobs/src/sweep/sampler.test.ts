import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createSampler, type SamplingAlgorithm, type TrialResult } from './sampler.js';
import type { Params, SearchSpace } from './search-space.js';

const space: SearchSpace = {
  c: { type: 'choice', values: ['a', 'b'] },
  x: { type: 'uniform', min_value: 0, max_value: 1 },
};

function first(algorithm: SamplingAlgorithm, seed?: number, n = 3): Params[] {
  const sampler = createSampler({ searchSpace: space, algorithm, goal: 'maximize', seed });
  const history: TrialResult[] = [];
  for (let i = 0; i < n; i++) history.push({ params: sampler.next(history) as Params, status: 'running' });
  return history.map((t) => t.params);
}

describe('createSampler', () => {
  it('takes the algorithm as a name or an object; the object’s seed wins over the default', () => {
    expect(first('random', 7)).toEqual(first({ type: 'random', seed: 7 }));
    expect(first({ type: 'random', seed: 7 }, 1)).toEqual(first('random', 7));
    expect(first({ type: 'random', seed: 7, rule: 'sobol' })).not.toEqual(first({ type: 'random', seed: 7 }));
    expect(first('bayesian', 3)).toEqual(first({ type: 'bayesian' }, 3));
  });

  it('rejects unknown algorithms, rules and non-integer seeds with the field named', () => {
    const fieldOf = (algorithm: unknown, seed?: number): string | undefined => {
      try {
        createSampler({
          searchSpace: space,
          algorithm: algorithm as SamplingAlgorithm,
          goal: 'minimize',
          seed,
        });
      } catch (err) {
        expect(err).toBeInstanceOf(CairnError);
        return (err as CairnError).details.field;
      }
      return undefined;
    };
    expect(fieldOf('hyperband')).toBe('sampling_algorithm');
    expect(fieldOf({ type: 'random', rule: 'halton' })).toBe('sampling_algorithm.rule');
    expect(fieldOf({ type: 'random', seed: 1.5 })).toBe('sampling_algorithm.seed');
    expect(fieldOf('random', Number.NaN)).toBe('seed');
    expect(fieldOf('grid')).toBe('search_space.x');
  });

  it('reports a grid exhausted with null', () => {
    const grid = createSampler({ searchSpace: { c: space.c }, algorithm: 'grid', goal: 'minimize' });
    const history: TrialResult[] = [
      { params: { c: 'a' }, status: 'completed', value: 1 },
      { params: { c: 'b' }, status: 'completed', value: 2 },
    ];
    expect(grid.next(history.slice(0, 1))).toEqual({ c: 'b' });
    expect(grid.next(history)).toBeNull();
  });
});

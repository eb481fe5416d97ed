import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createRandomSampler } from './random-sampler.js';
import type { TrialResult } from './sampler.js';
import type { Params, SearchSpace } from './search-space.js';
import { createSobolSequence, SOBOL_MAX_DIMENSIONS } from './sobol.js';

const space: SearchSpace = {
  lr: { type: 'loguniform', min_value: -9, max_value: -1 },
  units: { type: 'choice', values: [32, 64, 128, 256] },
  dropout: { type: 'uniform', min_value: 0, max_value: 0.5 },
};

function run(sampler: ReturnType<typeof createRandomSampler>, n: number): Params[] {
  const history: TrialResult[] = [];
  for (let i = 0; i < n; i++) history.push({ params: sampler.next(history) as Params, status: 'running' });
  return history.map((t) => t.params);
}

describe('random sampling', () => {
  it('is reproducible from the seed and depends only on the history length', () => {
    const a = run(createRandomSampler(space, { seed: 11, rule: 'random' }), 20);
    const b = run(createRandomSampler(space, { seed: 11, rule: 'random' }), 20);
    expect(a).toEqual(b);
    expect(run(createRandomSampler(space, { seed: 12, rule: 'random' }), 20)).not.toEqual(a);
    // A restarted controller passing the same history gets the same proposal.
    const history: TrialResult[] = a.slice(0, 7).map((params) => ({ params, status: 'completed', value: 1 }));
    expect(createRandomSampler(space, { seed: 11, rule: 'random' }).next(history)).toEqual(a[7]);
  });

  it('is never exhausted', () => {
    const sampler = createRandomSampler({ c: { type: 'choice', values: [1] } }, { seed: 0, rule: 'random' });
    expect(run(sampler, 5)).toEqual(Array.from({ length: 5 }, () => ({ c: 1 })));
  });
});

describe('sobol rule', () => {
  it('produces the plain Sobol sequence (Joe–Kuo directions) unscrambled', () => {
    const seq = createSobolSequence(3);
    expect(Array.from({ length: 8 }, (_, i) => seq.point(i))).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ]);
  });

  it('stratifies every dimension, scrambled or not: 2^m points fill 2^m bins once each', () => {
    for (const seed of [undefined, 5]) {
      const seq = createSobolSequence(SOBOL_MAX_DIMENSIONS, { seed });
      const m = 6;
      const points = Array.from({ length: 2 ** m }, (_, i) => seq.point(i));
      for (let d = 0; d < SOBOL_MAX_DIMENSIONS; d++) {
        const bins = new Set(points.map((p) => Math.floor(p[d] * 2 ** m)));
        expect(bins.size).toBe(2 ** m);
      }
    }
  });

  it('keeps the (0, m, 2)-net property of the first two dimensions after scrambling', () => {
    const seq = createSobolSequence(2, { seed: 99 });
    const m = 6;
    const points = Array.from({ length: 2 ** m }, (_, i) => seq.point(i));
    for (let a = 0; a <= m; a++) {
      const cells = new Set(
        points.map((p) => `${Math.floor(p[0] * 2 ** a)},${Math.floor(p[1] * 2 ** (m - a))}`),
      );
      expect(cells.size).toBe(2 ** m);
    }
  });

  it('covers a discrete space evenly and is reproducible', () => {
    const sobolSpace: SearchSpace = { c: { type: 'choice', values: ['a', 'b', 'c', 'd'] } };
    const params = run(createRandomSampler(sobolSpace, { seed: 3, rule: 'sobol' }), 16);
    for (const v of ['a', 'b', 'c', 'd']) expect(params.filter((p) => p.c === v)).toHaveLength(4);
    expect(run(createRandomSampler(space, { seed: 3, rule: 'sobol' }), 10)).toEqual(
      run(createRandomSampler(space, { seed: 3, rule: 'sobol' }), 10),
    );
  });

  it('refuses spaces with more dimensions than it has direction numbers', () => {
    const big: Record<string, SearchSpace[string]> = {};
    for (let i = 0; i <= SOBOL_MAX_DIMENSIONS; i++)
      big[`p${i}`] = { type: 'uniform', min_value: 0, max_value: 1 };
    expect(() => createRandomSampler(big, { seed: 0, rule: 'sobol' })).toThrowError(
      /at most 32 search dimensions/,
    );
    expect(() => createRandomSampler(big, { seed: 0, rule: 'sobol' })).toThrowError(CairnError);
  });
});

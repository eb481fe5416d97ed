import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { randomPicker } from './random-sampler.js';
import {
  decodeParams,
  flattenParams,
  listDimensions,
  quantize,
  resolveSpace,
  type SearchExpression,
  type SearchSpace,
  validateSearchSpace,
  valueToInternal,
} from './search-space.js';

function draws(expr: SearchExpression, n = 4000, seed = 1): (number | string | boolean)[] {
  const space: SearchSpace = { p: expr };
  return Array.from(
    { length: n },
    (_, i) => resolveSpace(space, randomPicker(seed, i)).p as number | string | boolean,
  );
}
const nums = (expr: SearchExpression, n?: number): number[] => draws(expr, n) as number[];
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    return (err as CairnError).details.field;
  }
  throw new Error('expected an error');
}

describe('search expressions (Azure ML semantics)', () => {
  it('choice picks every value, uniformly', () => {
    const values = draws({ type: 'choice', values: [16, 'relu', true] });
    for (const v of [16, 'relu', true]) {
      expect(values.filter((x) => x === v).length / values.length).toBeGreaterThan(0.3);
    }
  });

  it('randint draws integers in [0, upper)', () => {
    const values = nums({ type: 'randint', upper: 5 });
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < 5)).toBe(true);
    expect(new Set(values).size).toBe(5);
  });

  it('uniform stays in [min, max] with the uniform mean', () => {
    const values = nums({ type: 'uniform', min_value: 2, max_value: 4 });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...values)).toBeLessThanOrEqual(4);
    expect(mean(values)).toBeCloseTo(3, 1);
  });

  it('loguniform is exp(uniform(min, max)): its bounds are in log space', () => {
    const values = nums({ type: 'loguniform', min_value: Math.log(1e-4), max_value: Math.log(1e-1) });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...values)).toBeLessThanOrEqual(1e-1);
    expect(mean(values.map(Math.log))).toBeCloseTo((Math.log(1e-4) + Math.log(1e-1)) / 2, 1);
  });

  it('quniform and qloguniform round to multiples of q', () => {
    const q = nums({ type: 'quniform', min_value: 0, max_value: 10, q: 0.5 });
    expect(q.every((v) => Number.isInteger(v / 0.5))).toBe(true);
    expect(new Set(q).size).toBe(21); // 0, 0.5, …, 10
    const ql = nums({ type: 'qloguniform', min_value: 0, max_value: Math.log(100), q: 4 });
    expect(ql.every((v) => v % 4 === 0 && v >= 0 && v <= 100)).toBe(true);
  });

  it('normal and lognormal have the given mu and sigma (in log space for lognormal)', () => {
    const n = nums({ type: 'normal', mu: 3, sigma: 2 });
    expect(mean(n)).toBeCloseTo(3, 0);
    expect(sd(n)).toBeCloseTo(2, 0);
    const ln = nums({ type: 'lognormal', mu: -1, sigma: 0.5 });
    expect(ln.every((v) => v > 0)).toBe(true);
    expect(mean(ln.map(Math.log))).toBeCloseTo(-1, 1);
    expect(sd(ln.map(Math.log))).toBeCloseTo(0.5, 1);
  });

  it('qnormal and qlognormal round to multiples of q without binary noise', () => {
    const qn = nums({ type: 'qnormal', mu: 0, sigma: 1, q: 0.1 });
    expect(qn.every((v) => Number(v.toFixed(1)) === v)).toBe(true);
    const qln = nums({ type: 'qlognormal', mu: 2, sigma: 1, q: 5 });
    expect(qln.every((v) => v % 5 === 0 && v >= 0)).toBe(true);
    expect(quantize(0.1 + 0.2, 0.1)).toBe(0.3);
  });

  it('maps a q-rounded zero of a log variant into the domain', () => {
    expect(valueToInternal({ type: 'qloguniform', min_value: -3, max_value: 2, q: 1 }, 0)).toBe(-3);
    expect(Number.isFinite(valueToInternal({ type: 'qlognormal', mu: 0, sigma: 1, q: 1 }, 0))).toBe(true);
  });
});

describe('validateSearchSpace', () => {
  it('accepts every expression type', () => {
    const space = validateSearchSpace({
      a: { type: 'choice', values: [1, 'x', false] },
      b: { type: 'randint', upper: 3 },
      c: { type: 'uniform', min_value: 0, max_value: 1 },
      d: { type: 'loguniform', min_value: -5, max_value: 0 },
      e: { type: 'quniform', min_value: 0, max_value: 10, q: 1 },
      f: { type: 'qloguniform', min_value: 0, max_value: 3, q: 1 },
      g: { type: 'normal', mu: 0, sigma: 1 },
      h: { type: 'lognormal', mu: 0, sigma: 1 },
      i: { type: 'qnormal', mu: 0, sigma: 1, q: 0.5 },
      j: { type: 'qlognormal', mu: 0, sigma: 1, q: 0.5 },
    });
    expect(Object.keys(space)).toHaveLength(10);
  });

  it('names the field that is wrong', () => {
    expect(fieldOf(() => validateSearchSpace({}))).toBe('search_space');
    expect(fieldOf(() => validateSearchSpace({ lr: { type: 'uniform', min_value: 1, max_value: 0 } }))).toBe(
      'search_space.lr.min_value',
    );
    expect(fieldOf(() => validateSearchSpace({ lr: { type: 'uniform', min_value: 0 } }))).toBe(
      'search_space.lr.max_value',
    );
    expect(fieldOf(() => validateSearchSpace({ n: { type: 'randint', upper: 2.5 } }))).toBe(
      'search_space.n.upper',
    );
    expect(
      fieldOf(() => validateSearchSpace({ n: { type: 'quniform', min_value: 0, max_value: 1, q: 0 } })),
    ).toBe('search_space.n.q');
    expect(fieldOf(() => validateSearchSpace({ n: { type: 'normal', mu: 0, sigma: -1 } }))).toBe(
      'search_space.n.sigma',
    );
    expect(fieldOf(() => validateSearchSpace({ n: { type: 'gaussian', mu: 0 } }))).toBe(
      'search_space.n.type',
    );
    expect(fieldOf(() => validateSearchSpace({ n: { type: 'choice', values: [] } }))).toBe(
      'search_space.n.values',
    );
    expect(fieldOf(() => validateSearchSpace({ n: 0.5 }))).toBe('search_space.n');
    expect(
      fieldOf(() =>
        validateSearchSpace({
          m: { type: 'choice', values: [{ C: { type: 'uniform', min_value: 2, max_value: 1 } }] },
        }),
      ),
    ).toBe('search_space.m.values[0].C.min_value');
    expect(fieldOf(() => validateSearchSpace({ m: { type: 'choice', values: [[1, 2]] } }))).toBe(
      'search_space.m.values[0]',
    );
  });
});

describe('nested (conditional) choices', () => {
  const space = validateSearchSpace({
    model: {
      type: 'choice',
      values: [
        { name: 'svm', C: { type: 'loguniform', min_value: -3, max_value: 3 } },
        { name: 'tree', depth: { type: 'randint', upper: 10 } },
      ],
    },
    seed: { type: 'choice', values: [1, 2] },
  });

  it('samples the chosen branch with its entries resolved', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const params = resolveSpace(space, randomPicker(3, i));
      const model = params.model as Record<string, number | string>;
      seen.add(model.name as string);
      if (model.name === 'svm') expect(Object.keys(model).sort()).toEqual(['C', 'name']);
      else expect(Number.isInteger(model.depth)).toBe(true);
    }
    expect(seen).toEqual(new Set(['svm', 'tree']));
  });

  it('decodes params back to dimension values, only for the branch taken', () => {
    const decoded = decodeParams(space, { model: { name: 'tree', depth: 4 }, seed: 2 });
    expect(Object.fromEntries(decoded)).toEqual({ model: 1, 'model[1].depth': 4, seed: 1 });
    expect(decodeParams(space, { model: 'unknown', seed: 3 }).size).toBe(0);
  });

  it('lists every dimension and flattens params to dotted names', () => {
    expect(listDimensions(space).map((d) => d.path)).toEqual([
      'model',
      'model[0].C',
      'model[1].depth',
      'seed',
    ]);
    expect(flattenParams({ model: { name: 'svm', C: 0.5 }, seed: 1 })).toEqual({
      'model.name': 'svm',
      'model.C': 0.5,
      seed: 1,
    });
  });
});

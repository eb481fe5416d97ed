import { createRng } from './rng.js';
import type { Sampler } from './sampler.js';
import {
  type ChoiceExpression,
  type DimensionPicker,
  listDimensions,
  type NumericExpression,
  resolveSpace,
  type SearchSpace,
  valueFromUnit,
} from './search-space.js';
import { createSobolSequence } from './sobol.js';

export interface RandomSamplerOptions {
  readonly seed: number;
  /** `random`: independent draws; `sobol`: a scrambled Sobol sequence over all dimensions. */
  readonly rule: 'random' | 'sobol';
}

/** Independent seeded draws for trial `index`: the same seed and index always give the same params. */
export function randomPicker(seed: number, index: number, salt = 0): DimensionPicker {
  const rng = createRng(seed, index, salt);
  return {
    choice: (_path: string, expr: ChoiceExpression) => rng.nextInt(expr.values.length),
    numeric: (_path: string, expr: NumericExpression) => valueFromUnit(expr, rng.next()),
  };
}

function sobolPicker(
  coordinates: readonly number[],
  dimensionIndex: ReadonlyMap<string, number>,
): DimensionPicker {
  const u = (path: string): number => coordinates[dimensionIndex.get(path) ?? 0];
  return {
    choice: (path, expr) => Math.min(expr.values.length - 1, Math.floor(u(path) * expr.values.length)),
    numeric: (path, expr) => valueFromUnit(expr, u(path)),
  };
}

/** Azure ML's `random` sampling; never exhausted (duplicates are possible in discrete spaces, as in Azure). */
export function createRandomSampler(space: SearchSpace, options: RandomSamplerOptions): Sampler {
  if (options.rule === 'random') {
    return { next: (history) => resolveSpace(space, randomPicker(options.seed, history.length)) };
  }
  const dims = listDimensions(space);
  const dimensionIndex = new Map(dims.map((d, i) => [d.path, i]));
  const sequence = createSobolSequence(dims.length, { seed: options.seed });
  return {
    next: (history) => resolveSpace(space, sobolPicker(sequence.point(history.length), dimensionIndex)),
  };
}

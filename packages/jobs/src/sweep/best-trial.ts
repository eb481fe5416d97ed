import type { Goal } from './sampler.js';

/**
 * The best trial by its objective value under `goal`; ties go to the earliest in `trials` order,
 * trials without a finite value are skipped. Undefined when none has a value.
 */
export function bestTrial<T extends { readonly value?: number }>(
  trials: readonly T[],
  goal: Goal,
): T | undefined {
  let best: T | undefined;
  for (const trial of trials) {
    const v = trial.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const current = best?.value as number;
    if (best === undefined || (goal === 'maximize' ? v > current : v < current)) best = trial;
  }
  return best;
}

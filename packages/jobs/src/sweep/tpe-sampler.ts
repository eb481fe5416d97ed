/**
 * Azure ML's `bayesian` sampling, implemented as the Tree-structured Parzen Estimator (Bergstra et al.
 * 2011). After `nStartupTrials` finished trials drawn at random, finished trials are split at the
 * γ-quantile of the objective into good (l) and bad (g); each dimension gets a Parzen estimator per
 * group, candidates are drawn from l(x), and the one with the largest l(x)/g(x) is proposed. Dimensions
 * are modelled independently, and a nested choice branch only from trials that took that branch (the
 * "tree" in TPE). Running and queued trials count as bad ("constant liar"), so concurrent proposals
 * spread out instead of piling onto the same point.
 */
import {
  fitCategorical,
  fitParzenEstimator,
  parzenLogDensity,
  sampleCategorical,
  sampleParzenEstimator,
} from './parzen-estimator.js';
import { randomPicker } from './random-sampler.js';
import { createRng } from './rng.js';
import type { Goal, Sampler, TrialResult } from './sampler.js';
import {
  type DimensionPicker,
  decodeParams,
  internalDomain,
  internalToValue,
  resolveSpace,
  type SearchSpace,
  valueToInternal,
} from './search-space.js';

export interface TpeOptions {
  readonly seed?: number;
  /** Finished trials drawn at random before the model is used. Default 10. */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per dimension. Default 24 (hyperopt's). */
  readonly nEiCandidates?: number;
  /** Fraction of finished trials counted as good. Default 0.25; at most 25 trials are good. */
  readonly gamma?: number;
  /** Weight of the prior kernel / pseudo-count. Default 1. */
  readonly priorWeight?: number;
}

const TPE_SALT = 0x7be;

const isPending = (t: TrialResult): boolean => t.status === 'queued' || t.status === 'running';
const isObserved = (t: TrialResult): boolean =>
  !isPending(t) && typeof t.value === 'number' && Number.isFinite(t.value);

export function createTpeSampler(space: SearchSpace, options: TpeOptions & { goal: Goal }): Sampler {
  const seed = options.seed ?? 0;
  const nStartup = Math.max(1, options.nStartupTrials ?? 10);
  const nCandidates = Math.max(1, options.nEiCandidates ?? 24);
  const gamma = options.gamma ?? 0.25;
  const priorWeight = options.priorWeight ?? 1;
  const sign = options.goal === 'maximize' ? -1 : 1; // loss = sign * value, lower is better

  return {
    next(history) {
      const observed = history.filter(isObserved);
      if (observed.length < nStartup) return resolveSpace(space, randomPicker(seed, history.length));

      const ranked = observed
        .map((t, order) => ({
          loss: sign * (t.value as number),
          order,
          params: decodeParams(space, t.params),
        }))
        .sort((a, b) => a.loss - b.loss || a.order - b.order);
      const nBelow = Math.min(25, Math.max(1, Math.ceil(gamma * ranked.length)));
      const below = ranked.slice(0, nBelow).map((t) => t.params);
      const above = [
        ...ranked.slice(nBelow).map((t) => t.params),
        ...history.filter(isPending).map((t) => decodeParams(space, t.params)),
      ];
      const valuesAt = (group: Map<string, number>[], path: string): number[] =>
        group.flatMap((p) => {
          const v = p.get(path);
          return v === undefined ? [] : [v];
        });

      const rng = createRng(seed, history.length, TPE_SALT);
      const picker: DimensionPicker = {
        choice(path, expr) {
          const k = expr.values.length;
          const l = fitCategorical(valuesAt(below, path), k, priorWeight);
          const g = fitCategorical(valuesAt(above, path), k, priorWeight);
          let best = -1;
          let bestScore = Number.NEGATIVE_INFINITY;
          for (let i = 0; i < nCandidates; i++) {
            const candidate = sampleCategorical(l, rng);
            const score = Math.log(l[candidate]) - Math.log(g[candidate]);
            if (score > bestScore) {
              bestScore = score;
              best = candidate;
            }
          }
          return best;
        },
        numeric(path, expr) {
          const domain = internalDomain(expr);
          const toInternal = (values: number[]) => values.map((v) => valueToInternal(expr, v));
          const l = fitParzenEstimator(toInternal(valuesAt(below, path)), domain, priorWeight);
          const g = fitParzenEstimator(toInternal(valuesAt(above, path)), domain, priorWeight);
          let best = domain.priorMu;
          let bestScore = Number.NEGATIVE_INFINITY;
          for (let i = 0; i < nCandidates; i++) {
            const candidate = sampleParzenEstimator(l, rng);
            const score = parzenLogDensity(l, candidate) - parzenLogDensity(g, candidate);
            if (score > bestScore) {
              bestScore = score;
              best = candidate;
            }
          }
          return internalToValue(expr, best);
        },
      };
      return resolveSpace(space, picker);
    },
  };
}

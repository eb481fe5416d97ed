import { invalidArgument } from '@cairn/core';
import { createGridSampler } from './grid-sampler.js';
import { createRandomSampler } from './random-sampler.js';
import type { Params, SearchSpace } from './search-space.js';
import { createTpeSampler, type TpeOptions } from './tpe-sampler.js';

export type Goal = 'maximize' | 'minimize';

export type TrialStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';

/** One trial the sweep has issued, as the samplers see it. */
export interface TrialResult {
  readonly params: Params;
  readonly status: TrialStatus;
  /** The trial's objective value (primary metric); absent while it runs or when it logged none. */
  readonly value?: number;
}

/**
 * Proposes the next trial's hyperparameters. `history` is every trial issued so far, in issue order
 * (queued and running ones included): samplers are pure functions of it and their seed, so a
 * controller that restarts and passes the same history gets the same proposal.
 */
export interface Sampler {
  /** The next params, or null when the sampler has nothing left (a finished grid). */
  next(history: readonly TrialResult[]): Params | null;
}

/** `sampling_algorithm` as Azure ML writes it: a bare name or an object. */
export type SamplingAlgorithm =
  | 'random'
  | 'grid'
  | 'bayesian'
  | { readonly type: 'random'; readonly seed?: number; readonly rule?: 'random' | 'sobol' }
  | { readonly type: 'grid' }
  | { readonly type: 'bayesian' };

export interface CreateSamplerOptions {
  readonly searchSpace: SearchSpace;
  readonly algorithm: SamplingAlgorithm;
  readonly goal: Goal;
  /**
   * Seed used when the algorithm names none (Azure picks one at random); the controller should pick it
   * once and store it with the sweep so proposals are reproducible. Default 0.
   */
  readonly seed?: number;
  readonly tpe?: TpeOptions;
}

function checkSeed(seed: number, field: string): number {
  if (!Number.isSafeInteger(seed)) {
    throw invalidArgument(`${field} must be an integer (got ${seed})`, { field });
  }
  return seed;
}

export function createSampler(options: CreateSamplerOptions): Sampler {
  const { algorithm, searchSpace, goal } = options;
  const type = typeof algorithm === 'string' ? algorithm : algorithm.type;
  const fallbackSeed = checkSeed(options.seed ?? 0, 'seed');
  switch (type) {
    case 'random': {
      const object = typeof algorithm === 'string' ? undefined : algorithm;
      const rule = object && 'rule' in object ? (object.rule ?? 'random') : 'random';
      const seed =
        object && 'seed' in object && object.seed !== undefined
          ? checkSeed(object.seed, 'sampling_algorithm.seed')
          : fallbackSeed;
      if (rule !== 'random' && rule !== 'sobol') {
        throw invalidArgument(
          `sampling_algorithm.rule must be random or sobol (got ${JSON.stringify(rule)})`,
          {
            field: 'sampling_algorithm.rule',
          },
        );
      }
      return createRandomSampler(searchSpace, { seed, rule });
    }
    case 'grid':
      return createGridSampler(searchSpace);
    case 'bayesian':
      return createTpeSampler(searchSpace, { ...options.tpe, seed: options.tpe?.seed ?? fallbackSeed, goal });
    default:
      throw invalidArgument(
        `sampling_algorithm ${JSON.stringify(type)} is not supported; use random, grid or bayesian`,
        { field: 'sampling_algorithm' },
      );
  }
}

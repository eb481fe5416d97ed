import { randomInt } from 'node:crypto';
import type { JobRow } from '@cairn/store';
import type { SweepJobSpec } from '../spec/index.js';
import { createSampler, type Params, type Sampler, type SearchSpace } from '../sweep/index.js';

/**
 * What a sweep keeps beside its spec, in the sweep job row's `handle` column (a sweep has no compute
 * handle): the sampler seed chosen once at submit, so a restarted server draws the same sequence; the
 * inputs' runtime values its trials' commands get; and, once it ends, the best trial.
 */
export interface SweepState {
  kind: 'sweep';
  seed: number;
  inputs: Record<string, string>;
  bestTrial: string | null;
  bestValue: number | null;
  /**
   * How the sweep ends, saved as it enters `finalizing`: a server that dies before the end is recorded
   * finishes it the same way after a restart.
   */
  ending?: SweepEnding;
}

export interface SweepEnding {
  status: 'completed' | 'failed' | 'canceled';
  message: string;
  errorSummary: string | null;
}

export function initialSweepState(inputs: Record<string, string>): SweepState {
  return { kind: 'sweep', seed: randomInt(0, 2 ** 31 - 1), inputs, bestTrial: null, bestValue: null };
}

export function parseSweepState(row: Pick<JobRow, 'handle' | 'id'>): SweepState {
  const parsed = row.handle === null ? null : (JSON.parse(row.handle) as Partial<SweepState>);
  if (parsed?.kind !== 'sweep' || typeof parsed.seed !== 'number') {
    throw new Error(`sweep ${row.id} has no stored sweep state`);
  }
  return {
    kind: 'sweep',
    seed: parsed.seed,
    inputs: parsed.inputs ?? {},
    bestTrial: parsed.bestTrial ?? null,
    bestValue: parsed.bestValue ?? null,
    ...(parsed.ending === undefined ? {} : { ending: parsed.ending }),
  };
}

/** The sampler of a sweep; with the stored seed, the same history gives the same proposals. */
export function sweepSampler(spec: SweepJobSpec, seed: number): Sampler {
  return createSampler({
    searchSpace: spec.search_space as SearchSpace,
    algorithm: spec.sampling_algorithm,
    goal: spec.objective.goal,
    seed,
  });
}

/** Checks at submit what the schema cannot (the sampler accepts the space); throws a field error. */
export function validateSweepSpec(spec: SweepJobSpec): void {
  sweepSampler(spec, 0).next([]);
}

/** A trial job's stored spec: the command job it runs, plus the hyperparameters drawn for it. */
export interface TrialSpecExtras {
  /** The sampled hyperparameters (typed, as the sampler drew them). */
  trial_params: Params;
  /** 1-based issue order within the sweep. */
  trial_index: number;
}

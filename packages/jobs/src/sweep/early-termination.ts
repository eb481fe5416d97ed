/**
 * Azure ML's early-termination policies as pure functions over trial histories.
 *
 * An *interval* is one logged value of the primary metric: a trial that has logged it n times is at
 * interval n. A policy is applied at every multiple of `evaluation_interval` that is greater than or
 * equal to `delay_evaluation` (Azure's documented rule). A trial is judged at the latest such interval
 * E it has reached, against the trials that have also reached E, each taken over its first E values
 * only — so a young trial is compared with older trials as they were at the same point, and a
 * controller that polls less often than trials log still applies every check.
 *
 * - bandit: stop when the trial's best value up to E is outside the slack of the best trial's best up
 *   to E. With `slack_factor` s (maximize) the bound is best / (1 + s), (minimize) best · (1 + s);
 *   with `slack_amount` a: best − a, best + a. (Azure: "if Y · (1 + s) < best, cancel".)
 * - median_stopping: stop when the trial's best value up to E is worse than the median, over the
 *   trials, of their running averages over intervals 1..E.
 * - truncation_selection: stop when the trial ranks in the lowest `truncation_percentage`% (by best
 *   value up to E) of the trials at E; floor(n · p / 100) trials are cut, ties resolved in the trial's
 *   favour.
 */
import { invalidArgument } from '@cairn/core';
import type { Goal, TrialStatus } from './sampler.js';

interface PolicyTiming {
  /** Apply the policy every N intervals. Default 1 (Azure's v2 SDK default of 0 means the same). */
  readonly evaluation_interval?: number;
  /** Do not apply it before interval N. Default 0. */
  readonly delay_evaluation?: number;
}

export interface BanditPolicy extends PolicyTiming {
  readonly type: 'bandit';
  readonly slack_factor?: number;
  readonly slack_amount?: number;
}
export interface MedianStoppingPolicy extends PolicyTiming {
  readonly type: 'median_stopping';
}
export interface TruncationSelectionPolicy extends PolicyTiming {
  readonly type: 'truncation_selection';
  readonly truncation_percentage: number;
}
export type EarlyTerminationPolicy = BanditPolicy | MedianStoppingPolicy | TruncationSelectionPolicy;

/** A trial as the policies see it. */
export interface TrialProgress {
  readonly id: string;
  readonly status: TrialStatus;
  /** The primary metric's values in the order logged; value i is interval i + 1. */
  readonly metrics: readonly number[];
}

export interface StopDecision {
  readonly stop: boolean;
  readonly reason: string;
}

const field = (name: string): string => `early_termination.${name}`;

function checkCount(value: number | undefined, name: string, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw invalidArgument(`${field(name)} must be an integer of at least ${min} (got ${value})`, {
      field: field(name),
    });
  }
}

/** Checks a policy as written; errors name the field. Returns it unchanged. */
export function validateEarlyTerminationPolicy(policy: EarlyTerminationPolicy): EarlyTerminationPolicy {
  checkCount(policy.evaluation_interval, 'evaluation_interval', 0);
  checkCount(policy.delay_evaluation, 'delay_evaluation', 0);
  switch (policy.type) {
    case 'bandit': {
      const { slack_factor: factor, slack_amount: amount } = policy;
      if ((factor === undefined) === (amount === undefined)) {
        throw invalidArgument(`${field('type')} bandit needs exactly one of slack_factor or slack_amount`, {
          field: field('slack_factor'),
        });
      }
      const [name, value] =
        factor !== undefined ? ['slack_factor', factor] : ['slack_amount', amount as number];
      if (!Number.isFinite(value) || value < 0) {
        throw invalidArgument(`${field(name)} must be a number of at least 0 (got ${value})`, {
          field: field(name),
        });
      }
      return policy;
    }
    case 'median_stopping':
      return policy;
    case 'truncation_selection': {
      const p = policy.truncation_percentage;
      if (!Number.isInteger(p) || p < 1 || p > 99) {
        throw invalidArgument(
          `${field('truncation_percentage')} must be an integer from 1 to 99 (got ${p})`,
          {
            field: field('truncation_percentage'),
          },
        );
      }
      return policy;
    }
    default: {
      const type = (policy as { type: unknown }).type;
      throw invalidArgument(
        `${field('type')} ${JSON.stringify(type)} is not a policy; use bandit, median_stopping or truncation_selection`,
        { field: field('type') },
      );
    }
  }
}

/** The latest interval ≤ `interval` at which the policy applies, or 0 if none yet. */
export function latestEvaluationInterval(policy: PolicyTiming, interval: number): number {
  const every = Math.max(1, policy.evaluation_interval ?? 1);
  const delay = Math.max(0, policy.delay_evaluation ?? 0);
  const latest = Math.floor(interval / every) * every;
  return latest >= Math.max(delay, 1) ? latest : 0;
}

const isBetter = (a: number, b: number, goal: Goal): boolean => (goal === 'maximize' ? a > b : a < b);
const worst = (goal: Goal): number =>
  goal === 'maximize' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;

/** Best finite value among the first `upTo` values; the worst possible value when there is none. */
export function bestUpTo(metrics: readonly number[], upTo: number, goal: Goal): number {
  let best = worst(goal);
  for (let i = 0; i < Math.min(upTo, metrics.length); i++) {
    const v = metrics[i];
    if (Number.isFinite(v) && isBetter(v, best, goal)) best = v;
  }
  return best;
}

function averageUpTo(metrics: readonly number[], upTo: number): number | undefined {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < Math.min(upTo, metrics.length); i++) {
    if (Number.isFinite(metrics[i])) {
      sum += metrics[i];
      n++;
    }
  }
  return n > 0 ? sum / n : undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));

function banditBound(policy: BanditPolicy, best: number, goal: Goal): number {
  if (policy.slack_amount !== undefined) {
    return goal === 'maximize' ? best - policy.slack_amount : best + policy.slack_amount;
  }
  const s = policy.slack_factor ?? 0;
  // Azure states the rule for positive metrics (best / (1 + s), best · (1 + s)); |best| keeps the slack
  // on the lenient side when the metric is negative.
  return goal === 'maximize' ? best - (Math.abs(best) * s) / (1 + s) : best + Math.abs(best) * s;
}

/**
 * Whether the policy stops trial `trialId` now. Only running trials are ever stopped; the reason says
 * why in words a user can read in the trial's status.
 */
export function shouldStop(
  policy: EarlyTerminationPolicy,
  trialId: string,
  trials: readonly TrialProgress[],
  goal: Goal,
): StopDecision {
  const trial = trials.find((t) => t.id === trialId);
  if (!trial) return { stop: false, reason: `trial ${trialId} is not in the sweep` };
  if (trial.status !== 'running') return { stop: false, reason: `trial is ${trial.status}, not running` };
  const at = latestEvaluationInterval(policy, trial.metrics.length);
  if (at === 0) {
    return { stop: false, reason: `no evaluation yet at interval ${trial.metrics.length}` };
  }
  const cohort = trials.filter((t) => t.metrics.length >= at);
  const mine = bestUpTo(trial.metrics, at, goal);

  switch (policy.type) {
    case 'bandit': {
      const best = cohort.reduce((b, t) => {
        const v = bestUpTo(t.metrics, at, goal);
        return isBetter(v, b, goal) ? v : b;
      }, worst(goal));
      const bound = banditBound(policy, best, goal);
      const stop = isBetter(bound, mine, goal);
      const slack =
        policy.slack_amount !== undefined
          ? `slack_amount ${policy.slack_amount}`
          : `slack_factor ${policy.slack_factor}`;
      return {
        stop,
        reason: `bandit at interval ${at}: best ${fmt(mine)} ${stop ? 'is outside' : 'is within'} ${slack} of the best trial's ${fmt(best)} (bound ${fmt(bound)})`,
      };
    }
    case 'median_stopping': {
      const averages = cohort.flatMap((t) => {
        const a = averageUpTo(t.metrics, at);
        return a === undefined ? [] : [a];
      });
      if (averages.length === 0)
        return { stop: false, reason: `median_stopping at interval ${at}: no values yet` };
      const med = median(averages);
      const stop = isBetter(med, mine, goal);
      return {
        stop,
        reason: `median_stopping at interval ${at}: best ${fmt(mine)} is ${stop ? 'worse than' : 'not worse than'} the median ${fmt(med)} of ${averages.length} trials' running averages`,
      };
    }
    case 'truncation_selection': {
      const cut = Math.floor((cohort.length * policy.truncation_percentage) / 100);
      // Trials other than this one that are as bad or worse: if fewer than `cut`, it is in the cut.
      const asBadOrWorse = cohort.filter(
        (t) => t.id !== trial.id && !isBetter(bestUpTo(t.metrics, at, goal), mine, goal),
      ).length;
      const stop = asBadOrWorse < cut;
      return {
        stop,
        reason: `truncation_selection at interval ${at}: best ${fmt(mine)} ${stop ? 'is' : 'is not'} in the lowest ${policy.truncation_percentage}% (${cut} of ${cohort.length} trials)`,
      };
    }
  }
}

/** Applies `shouldStop` to every running trial; the ones to cancel, with their reasons. */
export function trialsToStop(
  policy: EarlyTerminationPolicy,
  trials: readonly TrialProgress[],
  goal: Goal,
): { id: string; reason: string }[] {
  return trials.flatMap((t) => {
    if (t.status !== 'running') return [];
    const decision = shouldStop(policy, t.id, trials, goal);
    return decision.stop ? [{ id: t.id, reason: decision.reason }] : [];
  });
}

import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import {
  type EarlyTerminationPolicy,
  latestEvaluationInterval,
  shouldStop,
  type TrialProgress,
  trialsToStop,
  validateEarlyTerminationPolicy,
} from './early-termination.js';

const running = (id: string, metrics: number[]): TrialProgress => ({ id, status: 'running', metrics });
const done = (id: string, metrics: number[]): TrialProgress => ({ id, status: 'completed', metrics });
const negate = (trials: TrialProgress[]): TrialProgress[] =>
  trials.map((t) => ({ ...t, metrics: t.metrics.map((v) => -v) }));

describe('evaluation timing', () => {
  it('applies at multiples of evaluation_interval that are ≥ delay_evaluation', () => {
    const at = (policy: { evaluation_interval?: number; delay_evaluation?: number }, n: number) =>
      latestEvaluationInterval(policy, n);
    expect([0, 1, 2, 3].map((n) => at({}, n))).toEqual([0, 1, 2, 3]);
    // Azure's example: interval 1, delay 5 → first applied at interval 5.
    expect([4, 5, 6].map((n) => at({ evaluation_interval: 1, delay_evaluation: 5 }, n))).toEqual([0, 5, 6]);
    // Every 3 intervals, not before 5: 6, 9, 12 …; between them the latest point reached counts.
    expect([3, 5, 6, 7, 8, 9].map((n) => at({ evaluation_interval: 3, delay_evaluation: 5 }, n))).toEqual([
      0, 0, 6, 6, 6, 9,
    ]);
    // Delay that is itself a multiple.
    expect([3, 4].map((n) => at({ evaluation_interval: 2, delay_evaluation: 4 }, n))).toEqual([0, 4]);
    // Azure's v2 SDK default of 0 for evaluation_interval behaves like 1.
    expect(at({ evaluation_interval: 0 }, 3)).toBe(3);
  });
});

describe('bandit', () => {
  const factor: EarlyTerminationPolicy = { type: 'bandit', slack_factor: 0.1 };

  it('maximize with slack_factor: stops below best / (1 + s) (Azure: 0.8 / 1.1 = 0.727)', () => {
    const trials = [done('best', [0.5, 0.8]), running('ok', [0.6, 0.73]), running('bad', [0.6, 0.72])];
    expect(shouldStop(factor, 'ok', trials, 'maximize').stop).toBe(false);
    const bad = shouldStop(factor, 'bad', trials, 'maximize');
    expect(bad.stop).toBe(true);
    expect(bad.reason).toMatch(/interval 2.*0\.72.*outside slack_factor 0\.1.*0\.8/);
  });

  it('minimize with slack_factor: stops above best · (1 + s)', () => {
    const trials = [done('best', [0.5, 0.4]), running('ok', [0.6, 0.44]), running('bad', [0.6, 0.45])];
    expect(shouldStop(factor, 'ok', trials, 'minimize').stop).toBe(false);
    expect(shouldStop(factor, 'bad', trials, 'minimize').stop).toBe(true);
  });

  it('with slack_amount: best − a when maximizing, best + a when minimizing', () => {
    const amount: EarlyTerminationPolicy = { type: 'bandit', slack_amount: 0.2 };
    const trials = [done('best', [0.8]), running('ok', [0.61]), running('bad', [0.59])];
    expect(shouldStop(amount, 'ok', trials, 'maximize').stop).toBe(false);
    expect(shouldStop(amount, 'bad', trials, 'maximize').stop).toBe(true);
    const flipped = negate(trials);
    expect(shouldStop(amount, 'ok', flipped, 'minimize').stop).toBe(false);
    expect(shouldStop(amount, 'bad', flipped, 'minimize').stop).toBe(true);
  });

  it('compares best-so-far values at the same interval, not later ones', () => {
    // The leader reached 0.9 only at interval 3; at interval 2 its best was 0.5.
    const trials = [done('leader', [0.4, 0.5, 0.9]), running('young', [0.3, 0.46])];
    expect(shouldStop(factor, 'young', trials, 'maximize').stop).toBe(false);
    // A trial's own best so far counts, not just its latest value.
    const dipped = [done('leader', [0.4, 0.5]), running('dip', [0.5, 0.1])];
    expect(shouldStop(factor, 'dip', dipped, 'maximize').stop).toBe(false);
  });

  it('keeps the slack lenient for negative metrics', () => {
    const trials = [done('best', [-1]), running('close', [-1.05]), running('far', [-1.2])];
    expect(shouldStop(factor, 'close', trials, 'maximize').stop).toBe(false);
    expect(shouldStop(factor, 'far', trials, 'maximize').stop).toBe(true);
  });

  it('honours delay_evaluation and evaluation_interval', () => {
    const delayed: EarlyTerminationPolicy = { type: 'bandit', slack_amount: 0, delay_evaluation: 3 };
    const trials = [done('best', [1, 1, 1, 1]), running('t', [0, 0])];
    expect(shouldStop(delayed, 't', trials, 'maximize')).toEqual({
      stop: false,
      reason: 'no evaluation yet at interval 2',
    });
    expect(shouldStop(delayed, 't', [trials[0], running('t', [0, 0, 0])], 'maximize').stop).toBe(true);

    const everyThird: EarlyTerminationPolicy = { type: 'bandit', slack_amount: 0.1, evaluation_interval: 3 };
    const best = done('best', [1, 1, 1, 1, 1, 1]);
    // Interval 2 is not an evaluation point; 3 is, and so (as the latest one reached) is 3 at interval 4.
    expect(shouldStop(everyThird, 't', [best, running('t', [0.5, 0.5])], 'maximize').stop).toBe(false);
    expect(shouldStop(everyThird, 't', [best, running('t', [0.5, 0.5, 0.5])], 'maximize').stop).toBe(true);
    expect(shouldStop(everyThird, 't', [best, running('t', [1, 1, 1, 0.5])], 'maximize').stop).toBe(false);
  });

  it('never stops a trial that is not running, or alone', () => {
    const trials = [done('best', [1]), done('finished', [0])];
    expect(shouldStop(factor, 'finished', trials, 'maximize').stop).toBe(false);
    expect(shouldStop(factor, 'solo', [running('solo', [0])], 'maximize').stop).toBe(false);
    expect(shouldStop(factor, 'missing', trials, 'maximize').stop).toBe(false);
  });
});

describe('median_stopping', () => {
  const policy: EarlyTerminationPolicy = { type: 'median_stopping' };

  it('stops a trial whose best so far is worse than the median of running averages', () => {
    // Running averages at interval 2: a 0.7, b 0.5, c 0.3 → median 0.5.
    const trials = [done('a', [0.6, 0.8]), done('b', [0.4, 0.6]), running('c', [0.2, 0.4])];
    const decision = shouldStop(policy, 'c', trials, 'maximize');
    expect(decision.stop).toBe(true);
    expect(decision.reason).toMatch(/best 0\.4 is worse than the median 0\.5 of 3 trials/);
    // Best so far 0.55 beats the median 0.5 even though its average does not.
    const better = [trials[0], trials[1], running('c', [0.55, 0.3])];
    expect(shouldStop(policy, 'c', better, 'maximize').stop).toBe(false);
  });

  it('minimize mirrors maximize', () => {
    const trials = negate([done('a', [0.6, 0.8]), done('b', [0.4, 0.6]), running('c', [0.2, 0.4])]);
    expect(shouldStop(policy, 'c', trials, 'minimize').stop).toBe(true);
    expect(shouldStop(policy, 'c', trials, 'maximize').stop).toBe(false);
  });

  it('uses only the first E values of older trials, and the even-count median', () => {
    // At interval 1: averages 0.1 (a, later 0.9) and 0.3 (t) → median 0.2; t's best 0.3 is not worse.
    const trials = [done('a', [0.1, 0.9, 0.9]), running('t', [0.3])];
    expect(shouldStop(policy, 't', trials, 'maximize').stop).toBe(false);
  });

  it('honours delay_evaluation', () => {
    const delayed: EarlyTerminationPolicy = { type: 'median_stopping', delay_evaluation: 2 };
    const trials = [done('a', [1, 1]), done('b', [1, 1]), running('t', [0])];
    expect(shouldStop(delayed, 't', trials, 'maximize').stop).toBe(false);
    expect(shouldStop(delayed, 't', [...trials.slice(0, 2), running('t', [0, 0])], 'maximize').stop).toBe(
      true,
    );
  });
});

describe('truncation_selection', () => {
  const policy: EarlyTerminationPolicy = { type: 'truncation_selection', truncation_percentage: 20 };
  const five = [
    done('a', [0.9]),
    done('b', [0.8]),
    running('c', [0.7]),
    running('d', [0.6]),
    running('e', [0.5]),
  ];

  it('stops the lowest percentage of trials at the interval', () => {
    expect(trialsToStop(policy, five, 'maximize').map((t) => t.id)).toEqual(['e']);
    expect(trialsToStop(policy, five, 'minimize').map((t) => t.id)).toEqual([]); // 'a' is worst but finished
    expect(trialsToStop(policy, negate(five), 'minimize').map((t) => t.id)).toEqual(['e']);
    const forty: EarlyTerminationPolicy = { type: 'truncation_selection', truncation_percentage: 40 };
    expect(trialsToStop(forty, five, 'maximize').map((t) => t.id)).toEqual(['d', 'e']);
    expect(shouldStop(policy, 'e', five, 'maximize').reason).toMatch(/lowest 20% \(1 of 5 trials\)/);
  });

  it('cuts nobody while 20% of the trials is less than one trial', () => {
    expect(trialsToStop(policy, five.slice(1), 'maximize')).toEqual([]);
  });

  it('resolves ties in the trial’s favour', () => {
    const tied = ['a', 'b', 'c', 'd', 'e'].map((id) => running(id, [0.5]));
    expect(trialsToStop(policy, tied, 'maximize')).toEqual([]);
  });

  it('ranks against other trials as they were at the same interval', () => {
    // At interval 1 the young trial (0.55) is not in the lowest 20%: the others were at 0.1 … 0.5 then.
    const trials = [
      done('a', [0.1, 0.9, 0.95]),
      done('b', [0.2, 0.9, 0.95]),
      done('c', [0.3, 0.9, 0.95]),
      done('d', [0.5, 0.9, 0.95]),
      running('young', [0.55]),
    ];
    expect(shouldStop(policy, 'young', trials, 'maximize').stop).toBe(false);
    // At interval 3 it is the worst of the five that got there; the newcomer at interval 1 is not counted.
    const atThree = [...trials.slice(0, 4), running('young', [0.55, 0.6, 0.7]), running('new', [0.05])];
    expect(shouldStop(policy, 'young', atThree, 'maximize').reason).toMatch(
      /is in the lowest 20% \(1 of 5 trials\)/,
    );
    // The newcomer is judged at interval 1 among all six: 1 cut, and it is the worst.
    expect(shouldStop(policy, 'new', atThree, 'maximize').reason).toMatch(
      /is in the lowest 20% \(1 of 6 trials\)/,
    );
  });

  it('honours evaluation_interval with delay', () => {
    const p: EarlyTerminationPolicy = {
      type: 'truncation_selection',
      truncation_percentage: 20,
      evaluation_interval: 2,
      delay_evaluation: 2,
    };
    const at1 = five.map((t) => ({ ...t, status: 'running' as const }));
    expect(trialsToStop(p, at1, 'maximize')).toEqual([]); // interval 1: not an evaluation point
    const at2 = at1.map((t) => ({ ...t, metrics: [...t.metrics, t.metrics[0]] }));
    expect(trialsToStop(p, at2, 'maximize').map((t) => t.id)).toEqual(['e']);
  });
});

describe('non-finite metric values', () => {
  it('count as intervals but never as a best value', () => {
    const policy: EarlyTerminationPolicy = { type: 'bandit', slack_amount: 0.1 };
    const trials = [
      done('best', [1, 1]),
      running('nan', [Number.NaN, Number.NaN]),
      running('ok', [Number.NaN, 1]),
    ];
    expect(shouldStop(policy, 'nan', trials, 'maximize').stop).toBe(true);
    expect(shouldStop(policy, 'ok', trials, 'maximize').stop).toBe(false);
  });
});

describe('validateEarlyTerminationPolicy', () => {
  const fieldOf = (policy: unknown): string | undefined => {
    try {
      validateEarlyTerminationPolicy(policy as EarlyTerminationPolicy);
    } catch (err) {
      expect(err).toBeInstanceOf(CairnError);
      return (err as CairnError).details.field;
    }
    return undefined;
  };

  it('accepts valid policies and names the field of invalid ones', () => {
    expect(
      fieldOf({ type: 'bandit', slack_factor: 0.1, evaluation_interval: 1, delay_evaluation: 5 }),
    ).toBeUndefined();
    expect(fieldOf({ type: 'median_stopping' })).toBeUndefined();
    expect(fieldOf({ type: 'truncation_selection', truncation_percentage: 10 })).toBeUndefined();
    expect(fieldOf({ type: 'bandit' })).toBe('early_termination.slack_factor');
    expect(fieldOf({ type: 'bandit', slack_factor: 0.1, slack_amount: 0.1 })).toBe(
      'early_termination.slack_factor',
    );
    expect(fieldOf({ type: 'bandit', slack_amount: -1 })).toBe('early_termination.slack_amount');
    expect(fieldOf({ type: 'truncation_selection', truncation_percentage: 100 })).toBe(
      'early_termination.truncation_percentage',
    );
    expect(fieldOf({ type: 'median_stopping', delay_evaluation: -1 })).toBe(
      'early_termination.delay_evaluation',
    );
    expect(fieldOf({ type: 'median_stopping', evaluation_interval: 1.5 })).toBe(
      'early_termination.evaluation_interval',
    );
    expect(fieldOf({ type: 'hyperband' })).toBe('early_termination.type');
  });
});

import type { SweepDetails, SweepTrial } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { paramColumns, sortTrials, trialCounts, trialRows, trialSeries } from './sweep-view.js';

const trial = (index: number, over: Partial<SweepTrial> = {}): SweepTrial => ({
  name: `sw_${index}`,
  index,
  status: 'completed',
  params: {},
  runId: `r${index}`,
  bestValue: null,
  metricCount: 0,
  earlyTerminated: null,
  earlyTerminatedReason: null,
  startedAt: null,
  endedAt: null,
  ...over,
});

const sweep = (trials: SweepTrial[], goal: SweepDetails['goal'] = 'maximize'): SweepDetails => ({
  primaryMetric: 'acc',
  goal,
  seed: 1,
  trials,
  bestTrial: { name: 'sw_2', value: 0.9, runId: 'r2' },
});

describe('sweep view', () => {
  const s = sweep([
    trial(3, { bestValue: 0.2, status: 'canceled', earlyTerminated: 'bandit', params: { lr: 0.1 } }),
    trial(1, { bestValue: 0.5, params: { lr: 0.01, model: { depth: 3 } } }),
    trial(2, { bestValue: 0.9, params: { lr: 0.001, model: { depth: 5 } } }),
    trial(4, { status: 'running', params: { lr: 0.3 } }),
  ]);
  const rows = trialRows(s);

  it('orders trials, flattens params and marks the best and the stopped ones', () => {
    expect(rows.map((r) => r.index)).toEqual([1, 2, 3, 4]);
    expect(rows[0]!.paramText).toEqual({ lr: '0.01', 'model.depth': '3' });
    expect(rows.filter((r) => r.isBest).map((r) => r.name)).toEqual(['sw_2']);
    expect(rows.filter((r) => r.stoppedEarly).map((r) => r.name)).toEqual(['sw_3']);
    expect(paramColumns(rows)).toEqual(['lr', 'model.depth']);
    expect(trialCounts(rows)).toEqual({ total: 4, active: 1, completed: 2, stoppedEarly: 1, failed: 0 });
  });

  it('sorts by the metric under the goal, trials without a value last', () => {
    expect(sortTrials(rows, 'metric', 'maximize').map((r) => r.index)).toEqual([2, 1, 3, 4]);
    expect(sortTrials(rows, 'metric', 'minimize').map((r) => r.index)).toEqual([3, 1, 2, 4]);
  });

  it('gives the chart the finished, stopped and best-so-far columns', () => {
    expect(trialSeries(rows, 'maximize')).toEqual({
      x: [1, 2, 3, 4],
      finished: [0.5, 0.9, null, null],
      stopped: [null, null, 0.2, null],
      bestSoFar: [0.5, 0.9, 0.9, 0.9],
    });
    expect(trialSeries(rows, 'minimize').bestSoFar).toEqual([0.5, 0.5, 0.2, 0.2]);
  });
});

import type { SweepDetails, SweepTrial } from '@cairn/sdk';

/**
 * A sweep's trials for its page: the table's rows (params flattened to columns, the best trial and the
 * trials early termination stopped marked), and the primary metric over trials with the best so far.
 */
export interface TrialRow extends SweepTrial {
  /** Params flattened to dotted names (`model.depth`), as text. */
  paramText: Record<string, string>;
  isBest: boolean;
  stoppedEarly: boolean;
}

const flatten = (value: unknown, name: string, out: Record<string, string>): void => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, name === '' ? k : `${name}.${k}`, out);
  } else out[name] = typeof value === 'string' ? value : JSON.stringify(value);
};

export function trialRows(sweep: SweepDetails): TrialRow[] {
  return [...sweep.trials]
    .sort((a, b) => a.index - b.index)
    .map((t) => {
      const paramText: Record<string, string> = {};
      flatten(t.params, '', paramText);
      return {
        ...t,
        paramText,
        isBest: sweep.bestTrial?.name === t.name,
        stoppedEarly: t.earlyTerminated !== null,
      };
    });
}

/** Every param name any trial has, sorted (a conditional space gives trials different ones). */
export function paramColumns(rows: readonly TrialRow[]): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.paramText)) names.add(k);
  return [...names].sort();
}

export type TrialSort = 'index' | 'metric';

/** By issue order, or by the primary metric best first (trials without a value last). */
export function sortTrials(rows: readonly TrialRow[], by: TrialSort, goal: SweepDetails['goal']): TrialRow[] {
  if (by === 'index') return [...rows].sort((a, b) => a.index - b.index);
  const sign = goal === 'maximize' ? -1 : 1;
  return [...rows].sort((a, b) => {
    if (a.bestValue === null) return b.bestValue === null ? a.index - b.index : 1;
    if (b.bestValue === null) return -1;
    return sign * (a.bestValue - b.bestValue) || a.index - b.index;
  });
}

/**
 * The chart's columns (uPlot aligned data): x = trial index; the value of trials that ran to the end,
 * of trials stopped early (their value when stopped), and the best value so far in issue order.
 */
export interface TrialSeries {
  x: number[];
  finished: (number | null)[];
  stopped: (number | null)[];
  bestSoFar: (number | null)[];
}

export function trialSeries(rows: readonly TrialRow[], goal: SweepDetails['goal']): TrialSeries {
  const sorted = [...rows].sort((a, b) => a.index - b.index);
  const out: TrialSeries = { x: [], finished: [], stopped: [], bestSoFar: [] };
  let best: number | null = null;
  for (const r of sorted) {
    const v = r.bestValue;
    if (v !== null && Number.isFinite(v)) {
      if (best === null || (goal === 'maximize' ? v > best : v < best)) best = v;
    }
    out.x.push(r.index);
    out.finished.push(v !== null && !r.stoppedEarly ? v : null);
    out.stopped.push(v !== null && r.stoppedEarly ? v : null);
    out.bestSoFar.push(best);
  }
  return out;
}

/** Counts for the sweep's header: trials by outcome. */
export function trialCounts(rows: readonly TrialRow[]): {
  total: number;
  active: number;
  completed: number;
  stoppedEarly: number;
  failed: number;
} {
  let active = 0;
  let completed = 0;
  let stoppedEarly = 0;
  let failed = 0;
  for (const r of rows) {
    if (r.stoppedEarly) stoppedEarly++;
    else if (r.status === 'completed') completed++;
    else if (r.status === 'failed') failed++;
    else if (r.status !== 'canceled') active++;
  }
  return { total: rows.length, active, completed, stoppedEarly, failed };
}

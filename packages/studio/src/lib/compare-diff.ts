import type { Run } from '@cairn/sdk';

/**
 * The compare page's pure logic: which params and metrics the selected runs have, which differ between
 * them, and the value of a `params.<key>` / `metrics.<key>` column of a run.
 */
export type ColumnValue = string | number | null;

/** `params.lr` → the run's param (a string); `metrics.loss` → the metric's latest value (a number). */
export function columnValue(run: Run, column: string): ColumnValue {
  const dot = column.indexOf('.');
  const section = column.slice(0, dot);
  const key = column.slice(dot + 1);
  if (section === 'params') return run.params?.[key] ?? null;
  if (section === 'metrics') return run.metrics?.[key]?.value ?? null;
  if (section === 'tags') return run.tags?.[key] ?? null;
  return null;
}

export interface DiffRow {
  section: 'params' | 'metrics';
  key: string;
  /** One per run, in the runs' order; null where the run lacks the key. */
  values: ColumnValue[];
  /** Some run's value differs from another's (a missing value counts as different). */
  differs: boolean;
}

/** Two values are the same when equal, or both NaN, or both missing. */
export function sameValue(a: ColumnValue, b: ColumnValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** Params then metrics, keys sorted, each with whether the runs disagree; `onlyDiffs` keeps the differing ones. */
export function diffRows(runs: readonly Run[], onlyDiffs = false): DiffRow[] {
  const out: DiffRow[] = [];
  for (const section of ['params', 'metrics'] as const) {
    const keys = new Set<string>();
    for (const run of runs) for (const k of Object.keys(run[section] ?? {})) keys.add(k);
    for (const key of [...keys].sort()) {
      const values = runs.map((r) => columnValue(r, `${section}.${key}`));
      const differs = values.some((v) => !sameValue(v, values[0] ?? null));
      if (!onlyDiffs || differs) out.push({ section, key, values, differs });
    }
  }
  return out;
}

/** Every `params.*` and `metrics.*` column any of the runs has, params first, sorted. */
export function compareColumns(runs: readonly Run[]): { params: string[]; metrics: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(r.params ?? {})) params.add(`params.${k}`);
    for (const k of Object.keys(r.metrics ?? {})) metrics.add(`metrics.${k}`);
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() };
}

/** The runs' ids from the `runs=a,b,c` query value: trimmed, de-duplicated, empty entries dropped. */
export function parseRunIds(value: string | null | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** A distinct colour per series index (a qualitative palette, cycled). */
const PALETTE = [
  '#2f5bd3',
  '#d9480f',
  '#2b8a3e',
  '#ae3ec9',
  '#e8590c',
  '#1098ad',
  '#c2255c',
  '#5c940d',
  '#7048e8',
  '#868e96',
];
export const seriesColor = (i: number): string => PALETTE[i % PALETTE.length]!;

import type { Run } from '@cairn/sdk';
import { formatDuration, formatNumber, formatTimestamp, runDuration } from './format.js';

/**
 * The runs table's column model: which columns exist (run attributes, and any metric, param or tag),
 * how a column is named in the URL and in the server's `order_by`, and what a cell shows. Ids use the
 * filter grammar's prefixes: `metrics.loss`, `params.lr`, `tags.team`, `attributes.start_time`.
 */
export type ColumnKind = 'attribute' | 'metric' | 'param' | 'tag';

export interface Column {
  id: string;
  kind: ColumnKind;
  key: string;
  label: string;
  /** The server can order by it (everything but derived attributes such as duration). */
  sortable: boolean;
  numeric: boolean;
}

const PREFIX: Record<ColumnKind, string> = {
  attribute: 'attributes',
  metric: 'metrics',
  param: 'params',
  tag: 'tags',
};

interface AttributeDef {
  label: string;
  sortable: boolean;
  numeric: boolean;
}

/** Run attributes shown as columns; `duration` is derived, so not sortable on the server. */
export const ATTRIBUTES: Readonly<Record<string, AttributeDef>> = {
  run_name: { label: 'Run', sortable: true, numeric: false },
  status: { label: 'Status', sortable: true, numeric: false },
  user_id: { label: 'User', sortable: true, numeric: false },
  start_time: { label: 'Started', sortable: true, numeric: false },
  end_time: { label: 'Ended', sortable: true, numeric: false },
  duration: { label: 'Duration', sortable: false, numeric: true },
  run_id: { label: 'Run id', sortable: true, numeric: false },
  /** Shown when the table spans several experiments; the search API cannot order by it. */
  experiment_id: { label: 'Experiment', sortable: false, numeric: false },
};

export const DEFAULT_COLUMN_IDS: readonly string[] = [
  'attributes.run_name',
  'attributes.status',
  'attributes.user_id',
  'attributes.start_time',
  'attributes.duration',
];

export function makeColumn(kind: ColumnKind, key: string): Column {
  const id = `${PREFIX[kind]}.${key}`;
  if (kind === 'attribute') {
    const def = ATTRIBUTES[key];
    return {
      id,
      kind,
      key,
      label: def?.label ?? key,
      sortable: def?.sortable ?? false,
      numeric: !!def?.numeric,
    };
  }
  return { id, kind, key, label: key, sortable: true, numeric: kind === 'metric' };
}

/** The column an id names, or null for an id no column has (a stale URL). */
export function columnFromId(id: string): Column | null {
  const dot = id.indexOf('.');
  if (dot <= 0 || dot === id.length - 1) return null;
  const prefix = id.slice(0, dot);
  const key = id.slice(dot + 1);
  switch (prefix) {
    case 'attributes':
      return key in ATTRIBUTES ? makeColumn('attribute', key) : null;
    case 'metrics':
      return makeColumn('metric', key);
    case 'params':
      return makeColumn('param', key);
    case 'tags':
      return makeColumn('tag', key);
    default:
      return null;
  }
}

/** A key as the filter grammar reads it: bare when it can be, else in backticks. */
export function quoteKey(key: string): string {
  return /^[^\s<>=!(),'"`]+$/.test(key) ? key : `\`${key}\``;
}

/** The server's `order_by` clause for a column, e.g. `metrics.\`val loss\` DESC`. */
export function orderByClause(column: Column, descending: boolean): string {
  const name = column.kind === 'attribute' ? column.key : `${PREFIX[column.kind]}.${quoteKey(column.key)}`;
  return `${name} ${descending ? 'DESC' : 'ASC'}`;
}

/** The sections of each run the server must return to fill these columns (nothing more). */
export function sectionsFor(columns: readonly Column[]): ('metrics' | 'params' | 'tags')[] {
  const out = new Set<'metrics' | 'params' | 'tags'>();
  for (const c of columns) {
    if (c.kind === 'metric') out.add('metrics');
    else if (c.kind === 'param') out.add('params');
    else if (c.kind === 'tag') out.add('tags');
  }
  return [...out];
}

export type CellValue = string | number | null;

/** A cell's raw value (numbers stay numbers, for alignment and grouping). */
export function cellValue(run: Run, column: Column, now: number = Date.now()): CellValue {
  switch (column.kind) {
    case 'metric':
      return run.metrics?.[column.key]?.value ?? null;
    case 'param':
      return run.params?.[column.key] ?? null;
    case 'tag':
      return run.tags?.[column.key] ?? null;
    case 'attribute':
      switch (column.key) {
        case 'run_name':
          return run.runName;
        case 'status':
          return run.status;
        case 'user_id':
          return run.userId;
        case 'start_time':
          return run.startTime;
        case 'end_time':
          return run.endTime;
        case 'duration':
          return runDuration(run, now);
        case 'run_id':
          return run.runId;
        case 'experiment_id':
          return run.experimentId;
        default:
          return null;
      }
  }
}

/** A cell as text. */
export function cellText(run: Run, column: Column, now: number = Date.now()): string {
  const value = cellValue(run, column, now);
  if (value === null) return '';
  if (column.kind === 'attribute') {
    if (column.key === 'start_time' || column.key === 'end_time') return formatTimestamp(value as number);
    if (column.key === 'duration') return formatDuration(value as number);
    return String(value);
  }
  return typeof value === 'number' ? formatNumber(value) : value;
}

export interface KeyCatalog {
  metrics: string[];
  params: string[];
  tags: string[];
}

/**
 * Every metric, param and tag key seen in these runs, sorted; system tags (`mlflow.*`, `cairn.*`) after
 * the user's own.
 */
export function catalogKeys(runs: Iterable<Run>): KeyCatalog {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    for (const k in run.metrics ?? {}) metrics.add(k);
    for (const k in run.params ?? {}) params.add(k);
    for (const k in run.tags ?? {}) tags.add(k);
  }
  const system = (k: string) => k.startsWith('mlflow.') || k.startsWith('cairn.');
  const byName = (a: string, b: string) => a.localeCompare(b);
  return {
    metrics: [...metrics].sort(byName),
    params: [...params].sort(byName),
    tags: [...tags].sort((a, b) => Number(system(a)) - Number(system(b)) || byName(a, b)),
  };
}

/** A column's width in pixels (the table lays every row out on the same grid). */
export function columnWidth(column: Column): number {
  if (column.kind === 'attribute') {
    switch (column.key) {
      case 'run_name':
        return 220;
      case 'status':
        return 90;
      case 'start_time':
      case 'end_time':
        return 160;
      case 'run_id':
        return 270;
      case 'experiment_id':
        return 180;
      default:
        return 110;
    }
  }
  return column.kind === 'tag' ? 150 : 120;
}

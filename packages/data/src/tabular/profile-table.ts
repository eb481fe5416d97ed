import { invalidArgument } from '@cairn/core';
import { DuckDBTypeId } from '@duckdb/node-api';
import type { DuckDBOptions, TableSession } from './duckdb-session.js';
import { withTableSession } from './duckdb-session.js';
import { type ColumnKind, columnKind, isIntegerType, isoTimestamp } from './json-values.js';
import { summarise, type TableColumn, type TableSourceSummary } from './preview-table.js';
import { quoteIdent } from './sql.js';
import { buildRelation } from './table-relation.js';
import { allowedDirectories, redactionsFor, resolveTableSource, type TableSource } from './table-source.js';

export type ColumnHistogram =
  /** Equal-width bins over the finite values; `lower` of the first bin is the minimum, each bin includes `upper`. */
  | { kind: 'bins'; bins: { lower: number; upper: number; count: number }[] }
  /** The same over dates and timestamps, bounds as ISO 8601. */
  | { kind: 'time-bins'; bins: { lower: string; upper: string; count: number }[] }
  /** The most frequent values, most frequent first; `otherCount` counts the rest. */
  | { kind: 'top-values'; values: { value: string | boolean; count: number }[]; otherCount: number };

export interface ColumnProfile extends TableColumn {
  /** Non-null values. */
  count: number;
  nulls: number;
  /** Distinct non-null values, exact; null for nested types (lists, structs, maps). */
  distinct: number | null;
  /** Numbers: over finite values. Strings: lexical (cut to 200 characters). Dates and times: ISO 8601. */
  min?: number | string;
  max?: number | string;
  /** Numbers only, over finite values. */
  mean?: number;
  stddev?: number;
  /** Approximate quartiles (t-digest). */
  quartiles?: [number, number, number];
  /** NaN and ±Infinity values of a floating-point column. */
  nonFinite?: number;
  /** Strings only: shortest and longest value, in characters. */
  minLength?: number;
  maxLength?: number;
  /** Booleans only. */
  trueCount?: number;
  histogram?: ColumnHistogram;
}

export interface TableProfile {
  /** Rows profiled. */
  rowCount: number;
  /** True when the table has more than `maxRows` rows and only the first `maxRows` were profiled. */
  truncated: boolean;
  columns: ColumnProfile[];
  /** Columns beyond `maxColumns`, not profiled. */
  omittedColumns: number;
  source: TableSourceSummary;
}

export interface ProfileOptions {
  source: TableSource;
  /** Profile at most this many rows, the first ones. Default 1,000,000. */
  maxRows?: number;
  /** Profile at most this many columns, the first ones. Default 200. */
  maxColumns?: number;
  /** Bins of a numeric or time histogram. Default 20. */
  bins?: number;
  /** Values in a categorical histogram. Default 10. */
  topK?: number;
  duckdb?: DuckDBOptions;
  signal?: AbortSignal;
}

const MAX_TEXT = 200;
const clip = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);
const TABLE = 'profiled';

interface ColumnPlan extends TableColumn {
  index: number;
  typeId: DuckDBTypeId;
  q: string;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const isFloat = (t: DuckDBTypeId) => t === DuckDBTypeId.FLOAT || t === DuckDBTypeId.DOUBLE;
const hasEpoch = (t: DuckDBTypeId) =>
  t === DuckDBTypeId.DATE ||
  t === DuckDBTypeId.TIMESTAMP ||
  t === DuckDBTypeId.TIMESTAMP_S ||
  t === DuckDBTypeId.TIMESTAMP_MS ||
  t === DuckDBTypeId.TIMESTAMP_NS ||
  t === DuckDBTypeId.TIMESTAMP_TZ;

/** Milliseconds since the epoch of a date or timestamp column, as DOUBLE. */
const epochOf = (c: ColumnPlan): string =>
  `epoch_ms(${c.typeId === DuckDBTypeId.DATE ? `${c.q}::TIMESTAMP` : c.q})::DOUBLE`;

/** The aggregate expressions of the one summary pass, each aliased `c<index>_<stat>`. */
function summaryExpressions(c: ColumnPlan): string[] {
  const a = (expr: string, stat: string) => `${expr} AS c${c.index}_${stat}`;
  const out = [a(`count(${c.q})::DOUBLE`, 'count')];
  if (c.kind !== 'other') out.push(a(`count(DISTINCT ${c.q})::DOUBLE`, 'distinct'));
  switch (c.kind) {
    case 'numeric': {
      const d = `${c.q}::DOUBLE`;
      const finite = `FILTER (WHERE isfinite(${d}))`;
      out.push(
        a(`min(${d}) ${finite}`, 'min'),
        a(`max(${d}) ${finite}`, 'max'),
        a(`avg(${d}) ${finite}`, 'mean'),
        a(`stddev_samp(${d}) ${finite}`, 'stddev'),
        a(`approx_quantile(${d}, [0.25, 0.5, 0.75]) ${finite}`, 'quartiles'),
      );
      if (isFloat(c.typeId)) out.push(a(`count_if(NOT isfinite(${d}))::DOUBLE`, 'nonfinite'));
      break;
    }
    case 'string':
      out.push(
        a(`min(${c.q}::VARCHAR)`, 'min'),
        a(`max(${c.q}::VARCHAR)`, 'max'),
        a(`min(length(${c.q}::VARCHAR))::DOUBLE`, 'minlen'),
        a(`max(length(${c.q}::VARCHAR))::DOUBLE`, 'maxlen'),
      );
      break;
    case 'temporal':
      out.push(a(`min(${c.q})::VARCHAR`, 'min'), a(`max(${c.q})::VARCHAR`, 'max'));
      if (hasEpoch(c.typeId)) out.push(a(`min(${epochOf(c)})`, 'emin'), a(`max(${epochOf(c)})`, 'emax'));
      break;
    case 'boolean':
      out.push(a(`count_if(${c.q})::DOUBLE`, 'true'));
      break;
    case 'other':
      break;
  }
  return out;
}

const DAY_MS = 86_400_000;

/**
 * Upper bounds of the bins between `min` and `max`: one bin per value (`unit`) when the column moves in
 * steps of `step` (1 for integers, a day for dates) and spans fewer than `bins` of them, else `bins`
 * equal widths. The last bound is `max` itself, so no value is lost to rounding.
 */
export function binBounds(
  min: number,
  max: number,
  bins: number,
  step?: number,
): { bounds: number[]; unit: boolean } {
  if (min === max) return { bounds: [max], unit: step !== undefined };
  if (step !== undefined && (max - min) / step < bins) {
    return {
      bounds: Array.from({ length: Math.round((max - min) / step) + 1 }, (_, i) => min + i * step),
      unit: true,
    };
  }
  const width = (max - min) / bins;
  return { bounds: [...Array.from({ length: bins - 1 }, (_, i) => min + width * (i + 1)), max], unit: false };
}

const literalList = (values: number[]): string => {
  if (!values.every(Number.isFinite)) throw new Error('histogram bound is not finite');
  return `[${values.map((v) => `${v}::DOUBLE`).join(', ')}]`;
};

interface BinPlan {
  column: ColumnPlan;
  min: number;
  bounds: number[];
  /** One bin per integer value: `lower` equals `upper`. */
  unit: boolean;
  time: boolean;
  /** A DATE column: bounds shown as `YYYY-MM-DD`. */
  date: boolean;
}

async function histograms(session: TableSession, plans: BinPlan[]): Promise<Map<number, number[]>> {
  const result = new Map<number, number[]>();
  if (plans.length === 0) return result;
  const exprs = plans.map((p) => {
    const value = p.time ? epochOf(p.column) : `${p.column.q}::DOUBLE`;
    return `histogram(${value}, ${literalList(p.bounds)}) FILTER (WHERE isfinite(${value})) AS h${p.column.index}`;
  });
  const row = (await session.query(`SELECT ${exprs.join(', ')} FROM ${TABLE}`)).getRowObjectsJson()[0] as Row;
  for (const p of plans) {
    const entries = (row[`h${p.column.index}`] ?? []) as { key: number | string; value: number | string }[];
    const counts = new Map(entries.map((e) => [Number(e.key), Number(e.value)]));
    result.set(
      p.column.index,
      p.bounds.map((b) => counts.get(b) ?? 0),
    );
  }
  return result;
}

async function topValues(
  session: TableSession,
  c: ColumnPlan,
  k: number,
  count: number,
): Promise<ColumnHistogram> {
  const reader = await session.query(
    `SELECT ${c.q}::VARCHAR AS v, count(*)::DOUBLE AS n FROM ${TABLE} WHERE ${c.q} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT ${k}`,
  );
  const values = reader.getRowObjectsJS().map((r) => ({ value: clip(String(r.v)), count: Number(r.n) }));
  return { kind: 'top-values', values, otherCount: count - values.reduce((s, v) => s + v.count, 0) };
}

function describeColumn(c: ColumnPlan, row: Row, rowCount: number): ColumnProfile {
  const get = (stat: string) => row[`c${c.index}_${stat}`];
  const count = num(get('count')) ?? 0;
  const profile: ColumnProfile = {
    name: c.name,
    type: c.type,
    kind: c.kind,
    count,
    nulls: rowCount - count,
    distinct: c.kind === 'other' ? null : (num(get('distinct')) ?? 0),
  };
  const set = <K extends keyof ColumnProfile>(key: K, value: ColumnProfile[K] | undefined) => {
    if (value !== undefined) profile[key] = value;
  };
  switch (c.kind) {
    case 'numeric': {
      set('min', num(get('min')));
      set('max', num(get('max')));
      set('mean', num(get('mean')));
      set('stddev', num(get('stddev')));
      const q = get('quartiles');
      if (Array.isArray(q) && q.length === 3 && q.every((v) => num(v) !== undefined)) {
        profile.quartiles = q as [number, number, number];
      }
      set('nonFinite', num(get('nonfinite')));
      break;
    }
    case 'string': {
      const min = get('min');
      const max = get('max');
      if (typeof min === 'string') profile.min = clip(min);
      if (typeof max === 'string') profile.max = clip(max);
      set('minLength', num(get('minlen')));
      set('maxLength', num(get('maxlen')));
      break;
    }
    case 'temporal': {
      const min = get('min');
      const max = get('max');
      if (typeof min === 'string') profile.min = isoTimestamp(min);
      if (typeof max === 'string') profile.max = isoTimestamp(max);
      break;
    }
    case 'boolean': {
      const trues = num(get('true')) ?? 0;
      profile.trueCount = trues;
      const values = [
        { value: true, count: trues },
        { value: false, count: count - trues },
      ]
        .filter((v) => v.count > 0)
        .sort((a, b) => b.count - a.count);
      profile.histogram = { kind: 'top-values', values, otherCount: 0 };
      break;
    }
    case 'other':
      break;
  }
  return profile;
}

function positiveInt(value: number, field: string, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalidArgument(`${field} must be an integer from 1 to ${max}, got ${value}`, { field });
  }
  return value;
}

/**
 * Per-column statistics of a table: counts, nulls, exact distinct counts, min/max/mean/stddev and
 * quartiles of numbers, min/max of strings and dates, and a histogram (equal-width bins for numbers and
 * dates, the top values for strings and booleans). The first `maxRows` rows are copied once into an
 * in-memory DuckDB table; one pass computes the statistics, one the numeric histograms, and one query
 * per string column its top values.
 */
export async function profileTable(options: ProfileOptions): Promise<TableProfile> {
  const maxRows = positiveInt(options.maxRows ?? 1_000_000, 'maxRows', 100_000_000);
  const maxColumns = positiveInt(options.maxColumns ?? 200, 'maxColumns', 10_000);
  const bins = positiveInt(options.bins ?? 20, 'bins', 1000);
  const topK = positiveInt(options.topK ?? 10, 'topK', 1000);
  const resolved = await resolveTableSource(options.source);
  const sessionOptions = {
    duckdb: options.duckdb,
    signal: options.signal,
    redactions: redactionsFor(resolved),
  };
  return withTableSession(allowedDirectories(resolved), sessionOptions, async (session) => {
    const relation = await buildRelation(session, resolved);
    await session.query(
      `CREATE TEMP TABLE ${TABLE} AS SELECT * FROM (${relation.sql}) LIMIT ${maxRows + 1}`,
      relation.params,
    );
    let rowCount = Number(
      (await session.query(`SELECT count(*)::DOUBLE AS n FROM ${TABLE}`)).getRowsJS()[0]![0],
    );
    const truncated = rowCount > maxRows;
    if (truncated) {
      await session.query(`DELETE FROM ${TABLE} WHERE rowid = (SELECT max(rowid) FROM ${TABLE})`);
      rowCount = maxRows;
    }
    const shape = await session.query(`SELECT * FROM ${TABLE} LIMIT 0`);
    const types = shape.columnTypes();
    const plans: ColumnPlan[] = shape
      .columnNames()
      .slice(0, maxColumns)
      .map((name, index) => {
        const typeId = types[index]!.typeId;
        const kind: ColumnKind = columnKind(typeId);
        return { name, type: types[index]!.toString(), kind, typeId, index, q: quoteIdent(name) };
      });
    const summarySql = `SELECT ${plans.flatMap(summaryExpressions).join(', ')} FROM ${TABLE}`;
    const row = plans.length === 0 ? {} : ((await session.query(summarySql)).getRowObjectsJS()[0] as Row);
    const columns = plans.map((c) => describeColumn(c, row, rowCount));

    const binPlans: BinPlan[] = [];
    for (const c of plans) {
      const time = c.kind === 'temporal' && hasEpoch(c.typeId);
      if (c.kind !== 'numeric' && !time) continue;
      const min = num(row[`c${c.index}_${time ? 'emin' : 'min'}`]);
      const max = num(row[`c${c.index}_${time ? 'emax' : 'max'}`]);
      if (min === undefined || max === undefined) continue;
      const date = c.typeId === DuckDBTypeId.DATE;
      const step = date ? DAY_MS : !time && isIntegerType(c.typeId) ? 1 : undefined;
      const { bounds, unit } = binBounds(min, max, bins, step);
      binPlans.push({ column: c, min, bounds, unit, time, date });
    }
    const counts = await histograms(session, binPlans);
    for (const p of binPlans) {
      const n = counts.get(p.column.index)!;
      const edges = p.bounds.map((upper, i) => ({
        lower: p.unit ? upper : i === 0 ? p.min : p.bounds[i - 1]!,
        upper,
        count: n[i]!,
      }));
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, p.date ? 10 : undefined);
      columns[p.column.index]!.histogram = p.time
        ? {
            kind: 'time-bins',
            bins: edges.map((e) => ({ lower: iso(e.lower), upper: iso(e.upper), count: e.count })),
          }
        : { kind: 'bins', bins: edges };
    }
    for (const c of plans) {
      if (c.kind === 'string')
        columns[c.index]!.histogram = await topValues(session, c, topK, columns[c.index]!.count);
    }
    return {
      rowCount,
      truncated,
      columns,
      omittedColumns: types.length - plans.length,
      source: summarise(resolved),
    };
  });
}

import type { Metric } from '@cairn/core';
import type { Database, MetadataStore } from '@cairn/store';
import type SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { encodeChunk } from './metric-chunk.js';
import { bucketOf, ROLLUP_WIDTHS } from './rollup-levels.js';

/** A metric point in storage form: NaN becomes value null + isNan 1 (SQLite cannot store NaN). */
interface StoredPoint {
  key: string;
  step: number;
  timestamp: number;
  value: number | null;
  isNan: number;
}

interface Rollup {
  key: string;
  level: number;
  bucket: number;
  count: number;
  nanCount: number;
  minValue: number | null;
  minStep: number | null;
  maxValue: number | null;
  maxStep: number | null;
  firstStep: number;
  lastStep: number;
  lastTimestamp: number;
  lastValue: number | null;
  lastIsNan: number;
}

interface Chunk {
  key: string;
  minStep: number;
  maxStep: number;
  count: number;
  data: Buffer;
}

/** Everything a batch of metric points writes: a chunk per key, each key's latest value, and the rollups. */
export interface MetricWrites {
  chunks: Chunk[];
  latest: StoredPoint[];
  rollups: Rollup[];
}

const toStored = (m: Metric): StoredPoint => ({
  key: m.key,
  step: m.step,
  timestamp: m.timestamp,
  value: Number.isNaN(m.value) ? null : m.value,
  isNan: Number.isNaN(m.value) ? 1 : 0,
});

/** MLflow's order for "latest": higher step, then later timestamp, then larger value. */
export function isLater(a: StoredPoint, b: StoredPoint): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return (a.value ?? Number.NEGATIVE_INFINITY) > (b.value ?? Number.NEGATIVE_INFINITY);
}

/** Computes, in memory, what a batch writes; the SQL then only merges these rows into the tables. */
export function planMetricWrites(metrics: readonly Metric[]): MetricWrites {
  const points = metrics.map(toStored);
  const byKey = new Map<string, Metric[]>();
  for (const m of metrics) {
    const list = byKey.get(m.key);
    if (list) list.push(m);
    else byKey.set(m.key, [m]);
  }
  const chunks = [...byKey].map(([key, list]) => {
    let minStep = list[0]!.step;
    let maxStep = minStep;
    for (const m of list) {
      if (m.step < minStep) minStep = m.step;
      if (m.step > maxStep) maxStep = m.step;
    }
    return { key, minStep, maxStep, count: list.length, data: encodeChunk(list) };
  });
  const latest = new Map<string, StoredPoint>();
  const pointsByKey = new Map<string, StoredPoint[]>();
  for (const p of points) {
    const prev = latest.get(p.key);
    if (!prev || isLater(p, prev)) latest.set(p.key, p);
    const list = pointsByKey.get(p.key);
    if (list) list.push(p);
    else pointsByKey.set(p.key, [p]);
  }
  const rollups: Rollup[] = [];
  for (const [key, list] of pointsByKey) rollups.push(...rollupsOf(key, list));
  return { chunks, latest: [...latest.values()], rollups };
}

const pointRollup = (key: string, level: number, bucket: number, p: StoredPoint): Rollup => ({
  key,
  level,
  bucket,
  count: 1,
  nanCount: p.isNan,
  minValue: p.value,
  minStep: p.value === null ? null : p.step,
  maxValue: p.value,
  maxStep: p.value === null ? null : p.step,
  firstStep: p.step,
  lastStep: p.step,
  lastTimestamp: p.timestamp,
  lastValue: p.value,
  lastIsNan: p.isNan,
});

/** Folds `b` into `a` (same key, level and bucket). */
function mergeInto(a: Rollup, b: Rollup): void {
  a.count += b.count;
  a.nanCount += b.nanCount;
  if (b.minValue !== null && (a.minValue === null || b.minValue < a.minValue)) {
    a.minValue = b.minValue;
    a.minStep = b.minStep;
  }
  if (b.maxValue !== null && (a.maxValue === null || b.maxValue > a.maxValue)) {
    a.maxValue = b.maxValue;
    a.maxStep = b.maxStep;
  }
  if (b.firstStep < a.firstStep) a.firstStep = b.firstStep;
  if (b.lastStep > a.lastStep || (b.lastStep === a.lastStep && b.lastTimestamp >= a.lastTimestamp)) {
    a.lastStep = b.lastStep;
    a.lastTimestamp = b.lastTimestamp;
    a.lastValue = b.lastValue;
    a.lastIsNan = b.lastIsNan;
  }
}

/** The rollups of one key's points at every level: level 0 from the points, each next level from the one below. */
function rollupsOf(key: string, points: readonly StoredPoint[]): Rollup[] {
  let level = new Map<number, Rollup>();
  for (const p of points) {
    const bucket = bucketOf(p.step, 0);
    const r = level.get(bucket);
    if (r) mergeInto(r, pointRollup(key, 0, bucket, p));
    else level.set(bucket, pointRollup(key, 0, bucket, p));
  }
  const out = [...level.values()];
  for (let l = 1; l < ROLLUP_WIDTHS.length; l++) {
    const next = new Map<number, Rollup>();
    for (const r of level.values()) {
      const bucket = Math.floor((r.bucket * ROLLUP_WIDTHS[l - 1]!) / ROLLUP_WIDTHS[l]!);
      const existing = next.get(bucket);
      if (existing) mergeInto(existing, r);
      else next.set(bucket, { ...r, level: l, bucket });
    }
    out.push(...next.values());
    level = next;
  }
  return out;
}

const LATEST_UPSERT_SUFFIX = `
ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp,
  value = excluded.value, is_nan = excluded.is_nan
WHERE excluded.step > latest_metrics.step
   OR (excluded.step = latest_metrics.step AND (excluded.timestamp > latest_metrics.timestamp
       OR (excluded.timestamp = latest_metrics.timestamp
           AND COALESCE(excluded.value, -1e308) > COALESCE(latest_metrics.value, -1e308))))`;

// Every SET expression sees the old row, so the order of assignments does not matter.
const NEWER_LAST = `(excluded.last_step > r.last_step OR (excluded.last_step = r.last_step AND excluded.last_timestamp >= r.last_timestamp))`;
const NEW_MIN = `(r.min_value IS NULL OR (excluded.min_value IS NOT NULL AND excluded.min_value < r.min_value))`;
const NEW_MAX = `(r.max_value IS NULL OR (excluded.max_value IS NOT NULL AND excluded.max_value > r.max_value))`;
const ROLLUP_UPSERT_SUFFIX = `
ON CONFLICT (run_id, key, level, bucket) DO UPDATE SET
  count = r.count + excluded.count,
  nan_count = r.nan_count + excluded.nan_count,
  min_value = CASE WHEN ${NEW_MIN} THEN excluded.min_value ELSE r.min_value END,
  min_step = CASE WHEN ${NEW_MIN} THEN excluded.min_step ELSE r.min_step END,
  max_value = CASE WHEN ${NEW_MAX} THEN excluded.max_value ELSE r.max_value END,
  max_step = CASE WHEN ${NEW_MAX} THEN excluded.max_step ELSE r.max_step END,
  first_step = CASE WHEN excluded.first_step < r.first_step THEN excluded.first_step ELSE r.first_step END,
  last_step = CASE WHEN ${NEWER_LAST} THEN excluded.last_step ELSE r.last_step END,
  last_timestamp = CASE WHEN ${NEWER_LAST} THEN excluded.last_timestamp ELSE r.last_timestamp END,
  last_value = CASE WHEN ${NEWER_LAST} THEN excluded.last_value ELSE r.last_value END,
  last_is_nan = CASE WHEN ${NEWER_LAST} THEN excluded.last_is_nan ELSE r.last_is_nan END`;

const ROLLUP_COLUMNS =
  'run_id, key, level, bucket, count, nan_count, min_value, min_step, max_value, max_step, first_step, last_step, last_timestamp, last_value, last_is_nan';

const rollupParams = (runId: string, r: Rollup) => [
  runId,
  r.key,
  r.level,
  r.bucket,
  r.count,
  r.nanCount,
  r.minValue,
  r.minStep,
  r.maxValue,
  r.maxStep,
  r.firstStep,
  r.lastStep,
  r.lastTimestamp,
  r.lastValue,
  r.lastIsNan,
];

/** Prepared statements for SQLite, built once per connection. */
export class SqliteMetricStatements {
  readonly insertChunk: SqliteDatabase.Statement;
  readonly upsertLatest: SqliteDatabase.Statement;
  readonly upsertRollup: SqliteDatabase.Statement;

  constructor(sqlite: SqliteDatabase.Database) {
    this.insertChunk = sqlite.prepare(
      'INSERT INTO metric_chunks (run_id, key, min_step, max_step, count, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.upsertLatest = sqlite.prepare(
      `INSERT INTO latest_metrics (run_id, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)${LATEST_UPSERT_SUFFIX}`,
    );
    this.upsertRollup = sqlite.prepare(
      `INSERT INTO metric_rollups AS r (${ROLLUP_COLUMNS}) VALUES (${Array(15).fill('?').join(', ')})${ROLLUP_UPSERT_SUFFIX}`,
    );
  }

  /** Writes a planned batch; call inside a SQLite transaction. */
  apply(runId: string, w: MetricWrites): void {
    for (const c of w.chunks) this.insertChunk.run(runId, c.key, c.minStep, c.maxStep, c.count, c.data);
    for (const p of w.latest) this.upsertLatest.run(runId, p.key, p.step, p.timestamp, p.value, p.isNan);
    for (const r of w.rollups) this.upsertRollup.run(...rollupParams(runId, r));
  }
}

const statementsByConnection = new WeakMap<SqliteDatabase.Database, SqliteMetricStatements>();

export function sqliteMetricStatements(sqlite: SqliteDatabase.Database): SqliteMetricStatements {
  let s = statementsByConnection.get(sqlite);
  if (!s) {
    s = new SqliteMetricStatements(sqlite);
    statementsByConnection.set(sqlite, s);
  }
  return s;
}

/** Writes a planned batch on PostgreSQL with one statement per table (unnest of arrays). */
export async function applyMetricWritesPostgres(
  trx: Kysely<unknown>,
  runId: string,
  w: MetricWrites,
): Promise<void> {
  if (w.chunks.length === 0) return;
  const col = <T>(rows: readonly T[], f: (r: T) => unknown) => rows.map(f);
  await (trx as Kysely<Database>)
    .insertInto('metric_chunks')
    .values(
      w.chunks.map((c) => ({
        run_id: runId,
        key: c.key,
        min_step: c.minStep,
        max_step: c.maxStep,
        count: c.count,
        data: c.data,
      })),
    )
    .execute();
  await sql`INSERT INTO latest_metrics (run_id, key, step, timestamp, value, is_nan)
    SELECT ${runId}, * FROM unnest(${col(w.latest, (p) => p.key)}::text[], ${col(w.latest, (p) => p.step)}::bigint[],
      ${col(w.latest, (p) => p.timestamp)}::bigint[], ${col(w.latest, (p) => p.value)}::float8[],
      ${col(w.latest, (p) => p.isNan)}::int[])${sql.raw(LATEST_UPSERT_SUFFIX)}`.execute(trx);
  const r = w.rollups;
  await sql`INSERT INTO metric_rollups AS r (${sql.raw(ROLLUP_COLUMNS)})
    SELECT ${runId}, * FROM unnest(${col(r, (x) => x.key)}::text[], ${col(r, (x) => x.level)}::int[],
      ${col(r, (x) => x.bucket)}::bigint[], ${col(r, (x) => x.count)}::bigint[], ${col(r, (x) => x.nanCount)}::bigint[],
      ${col(r, (x) => x.minValue)}::float8[], ${col(r, (x) => x.minStep)}::bigint[],
      ${col(r, (x) => x.maxValue)}::float8[], ${col(r, (x) => x.maxStep)}::bigint[],
      ${col(r, (x) => x.firstStep)}::bigint[], ${col(r, (x) => x.lastStep)}::bigint[],
      ${col(r, (x) => x.lastTimestamp)}::bigint[], ${col(r, (x) => x.lastValue)}::float8[],
      ${col(r, (x) => x.lastIsNan)}::int[])${sql.raw(ROLLUP_UPSERT_SUFFIX)}`.execute(trx);
}

export type { MetadataStore };

import { invalidArgument, type Metric, type MetricBucket } from '@cairn/core';
import type { MetadataStore, MetricRollupRow } from '@cairn/store';
import { mergeChunks, type PointColumns } from './metric-chunk.js';
import { ROLLUP_WIDTHS } from './rollup-levels.js';

export const pointValue = (r: { value: number | null; is_nan: number }): number =>
  r.is_nan ? Number.NaN : (r.value as number);

export interface HistoryPage {
  metrics: Metric[];
  nextPageToken: string | null;
}

export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

export function decodeOffsetToken(token: string | null | undefined, field = 'page_token'): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) {
      return parsed.offset;
    }
  } catch {
    // reported below
  }
  throw invalidArgument(`Invalid ${field} '${token}': pass back the token a previous response returned`, {
    field,
  });
}

/** Every point of a series (optionally within a step range), sorted by step then timestamp. */
export async function loadPoints(
  store: MetadataStore,
  runId: string,
  key: string,
  range?: { start?: number | null; end?: number | null },
): Promise<PointColumns> {
  let q = store.db
    .selectFrom('metric_chunks')
    .select('data')
    .where('run_id', '=', runId)
    .where('key', '=', key);
  if (range?.start != null) q = q.where('max_step', '>=', range.start);
  if (range?.end != null) q = q.where('min_step', '<=', range.end);
  const rows = await q.orderBy('min_step').orderBy('id').execute();
  return mergeChunks(
    rows.map((r) => r.data),
    range,
  );
}

const metricAt = (key: string, c: PointColumns, i: number): Metric => ({
  key,
  value: c.values[i]!,
  timestamp: c.timestamps[i]!,
  step: c.steps[i]!,
});

/** A page of a metric's full history, in step then timestamp order. */
export async function readHistoryPage(
  store: MetadataStore,
  runId: string,
  key: string,
  opts: { pageToken?: string | null; maxResults: number },
): Promise<HistoryPage> {
  const offset = decodeOffsetToken(opts.pageToken);
  const chunks = await store.db
    .selectFrom('metric_chunks')
    .select(['id', 'min_step', 'max_step', 'count'])
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .orderBy('min_step')
    .orderBy('id')
    .execute();
  const total = chunks.reduce((n, c) => n + Number(c.count), 0);
  const end = Math.min(total, offset + opts.maxResults);
  // When chunks do not overlap (the usual case: steps logged in order), the page's points lie in a few
  // consecutive chunks found from the counts alone; only those are read and decoded.
  const disjoint = chunks.every((c, i) => i === 0 || Number(chunks[i - 1]!.max_step) < Number(c.min_step));
  let points: PointColumns;
  let first = 0;
  if (disjoint) {
    const wanted: number[] = [];
    let seen = 0;
    for (const c of chunks) {
      const count = Number(c.count);
      if (seen + count > offset && seen < end) {
        if (wanted.length === 0) first = seen;
        wanted.push(Number(c.id));
      }
      seen += count;
    }
    const rows = wanted.length
      ? await store.db.selectFrom('metric_chunks').select(['id', 'data']).where('id', 'in', wanted).execute()
      : [];
    const byId = new Map(rows.map((r) => [Number(r.id), r.data]));
    points = mergeChunks(wanted.map((id) => byId.get(id)!));
  } else {
    points = await loadPoints(store, runId, key);
  }
  const metrics: Metric[] = [];
  for (let i = offset; i < end; i++) metrics.push(metricAt(key, points, i - first));
  return { metrics, nextPageToken: end < total ? encodeOffsetToken(end) : null };
}

type RollupRow = Pick<MetricRollupRow, (typeof ROLLUP_COLUMNS)[number]>;

export interface ChartSeries {
  key: string;
  /** Points in the whole series (all steps, not only the requested range). */
  totalCount: number;
  /** Rollup level read (-1: raw points). */
  level: number;
  buckets: MetricBucket[];
}

const ROLLUP_COLUMNS = [
  'bucket',
  'count',
  'nan_count',
  'min_value',
  'min_step',
  'max_value',
  'max_step',
  'first_step',
  'last_step',
  'last_value',
  'last_is_nan',
] as const;

/**
 * A metric series downsampled to at most `buckets` buckets over [startStep, endStep], each keeping its
 * min and max (and where they occurred) so spikes survive. Reads the coarsest rollup level that still
 * gives enough buckets, so the cost depends on `buckets`, not on the history's length.
 */
export async function readChartSeries(
  store: MetadataStore,
  runId: string,
  key: string,
  opts: { buckets: number; startStep?: number | null; endStep?: number | null },
): Promise<ChartSeries> {
  const top = ROLLUP_WIDTHS.length - 1;
  const overview = await store.db
    .selectFrom('metric_rollups')
    .select((eb) => [
      eb.fn.sum<number>('count').as('count'),
      eb.fn.min<number>('first_step').as('first'),
      eb.fn.max<number>('last_step').as('last'),
    ])
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .where('level', '=', top)
    .executeTakeFirst();
  const totalCount = Number(overview?.count ?? 0);
  if (totalCount === 0) return { key, totalCount: 0, level: -1, buckets: [] };
  const s0 = opts.startStep ?? Number(overview!.first);
  const s1 = opts.endStep ?? Number(overview!.last);
  if (s1 < s0) throw invalidArgument('end_step must not be smaller than start_step', { field: 'end_step' });

  // The coarsest level whose buckets are at most twice as wide as asked: the answer then has between
  // half and all of the buckets asked for, from at most 16× as many rows (levels are 16× apart).
  const wanted = (s1 - s0 + 1) / opts.buckets;
  let level = -1;
  for (let l = 0; l < ROLLUP_WIDTHS.length; l++) if (ROLLUP_WIDTHS[l]! <= 2 * wanted) level = l;

  if (level < 0) {
    return { key, totalCount, level: -1, buckets: await rawBuckets(store, runId, key, s0, s1, opts.buckets) };
  }
  const width = ROLLUP_WIDTHS[level]!;
  const rows = (await store.db
    .selectFrom('metric_rollups')
    .select(ROLLUP_COLUMNS)
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .where('level', '=', level)
    .where('bucket', '>=', Math.floor(s0 / width))
    .where('bucket', '<=', Math.floor(s1 / width))
    .orderBy('bucket')
    .execute()) as RollupRow[];
  return { key, totalCount, level, buckets: mergeRollups(rows, opts.buckets) };
}

/** Buckets straight from the points, for ranges narrow enough that no rollup level is fine enough. */
async function rawBuckets(
  store: MetadataStore,
  runId: string,
  key: string,
  s0: number,
  s1: number,
  target: number,
): Promise<MetricBucket[]> {
  const c = await loadPoints(store, runId, key, { start: s0, end: s1 });
  const group = Math.max(1, Math.ceil(c.length / target));
  const out: MetricBucket[] = [];
  for (let i = 0; i < c.length; i += group) {
    const end = Math.min(c.length, i + group);
    const b: MetricBucket = {
      stepStart: c.steps[i]!,
      stepEnd: c.steps[end - 1]!,
      count: end - i,
      min: Number.NaN,
      max: Number.NaN,
      last: c.values[end - 1]!,
      minStep: c.steps[i]!,
      maxStep: c.steps[i]!,
    };
    for (let j = i; j < end; j++) {
      const v = c.values[j]!;
      if (Number.isNaN(v)) continue;
      if (Number.isNaN(b.min) || v < b.min) {
        b.min = v;
        b.minStep = c.steps[j]!;
      }
      if (Number.isNaN(b.max) || v > b.max) {
        b.max = v;
        b.maxStep = c.steps[j]!;
      }
    }
    out.push(b);
  }
  return out;
}

/** Merges consecutive rollup buckets into at most `target` output buckets, keeping exact extremes. */
export function mergeRollups(rows: readonly RollupRow[], target: number): MetricBucket[] {
  const group = Math.max(1, Math.ceil(rows.length / target));
  const out: MetricBucket[] = [];
  for (let i = 0; i < rows.length; i += group) {
    const slice = rows.slice(i, i + group);
    let min = Number.NaN;
    let max = Number.NaN;
    let minStep = Number(slice[0]!.first_step);
    let maxStep = minStep;
    let count = 0;
    for (const r of slice) {
      count += Number(r.count);
      if (r.min_value !== null && (Number.isNaN(min) || r.min_value < min)) {
        min = r.min_value;
        minStep = Number(r.min_step);
      }
      if (r.max_value !== null && (Number.isNaN(max) || r.max_value > max)) {
        max = r.max_value;
        maxStep = Number(r.max_step);
      }
    }
    const lastRow = slice[slice.length - 1]!;
    out.push({
      stepStart: Number(slice[0]!.first_step),
      stepEnd: Number(lastRow.last_step),
      count,
      min,
      max,
      last: lastRow.last_is_nan ? Number.NaN : (lastRow.last_value as number),
      minStep,
      maxStep,
    });
  }
  return out;
}

/**
 * MLflow's `get-history-bulk-interval`: for each run, the points at up to `maxResults` sampled steps
 * in [startStep, endStep], always including the first and last step. Steps are sampled from the
 * rollups (each bucket's real first and last step), so no full scan of a long history is needed.
 */
export async function readSampledHistory(
  store: MetadataStore,
  runId: string,
  key: string,
  opts: { maxResults: number; startStep?: number | null; endStep?: number | null },
): Promise<Metric[]> {
  const series = await readChartSeries(store, runId, key, {
    buckets: Math.max(1, Math.floor(opts.maxResults / 2)),
    startStep: opts.startStep,
    endStep: opts.endStep,
  });
  if (series.totalCount === 0) return [];
  const steps = new Set<number>();
  for (const b of series.buckets) {
    steps.add(b.stepStart);
    steps.add(b.stepEnd);
  }
  let sampled = [...steps].sort((a, b) => a - b);
  if (opts.startStep != null) sampled = sampled.filter((s) => s >= opts.startStep!);
  if (opts.endStep != null) sampled = sampled.filter((s) => s <= opts.endStep!);
  if (sampled.length > opts.maxResults) {
    const keep = new Set<number>([sampled[0]!, sampled[sampled.length - 1]!]);
    const stride = (sampled.length - 1) / (opts.maxResults - 1);
    for (let i = 0; keep.size < opts.maxResults && i < opts.maxResults; i++)
      keep.add(sampled[Math.round(i * stride)]!);
    sampled = [...keep].sort((a, b) => a - b);
  }
  const wanted = new Set(sampled);
  const points = await loadPoints(store, runId, key, { start: sampled[0], end: sampled[sampled.length - 1] });
  const out: Metric[] = [];
  for (let i = 0; i < points.length; i++)
    if (wanted.has(points.steps[i]!)) out.push(metricAt(key, points, i));
  return out;
}

import { invalidArgument, type Metric, type MetricBucket } from '@cairn/core';
import type { MetadataStore } from '@cairn/store';
import { ROLLUP_WIDTHS } from './rollup-levels.js';

interface PointRow {
  step: number;
  timestamp: number;
  value: number | null;
  is_nan: number;
}

export const pointValue = (r: { value: number | null; is_nan: number }): number =>
  r.is_nan ? Number.NaN : (r.value as number);

const toMetric = (key: string, r: PointRow): Metric => ({
  key,
  value: pointValue(r),
  timestamp: Number(r.timestamp),
  step: Number(r.step),
});

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
  throw invalidArgument(`Invalid page token '${token}': pass back the token a previous response returned`, {
    field,
  });
}

/** A page of a metric's full history, in step then timestamp order. */
export async function readHistoryPage(
  store: MetadataStore,
  runId: string,
  key: string,
  opts: { pageToken?: string | null; maxResults: number },
): Promise<HistoryPage> {
  const offset = decodeOffsetToken(opts.pageToken);
  const rows = await store.db
    .selectFrom('metrics')
    .select(['step', 'timestamp', 'value', 'is_nan'])
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .orderBy('step')
    .orderBy('timestamp')
    .offset(offset)
    .limit(opts.maxResults + 1)
    .execute();
  const more = rows.length > opts.maxResults;
  const page = more ? rows.slice(0, opts.maxResults) : rows;
  return {
    metrics: page.map((r) => toMetric(key, r)),
    nextPageToken: more ? encodeOffsetToken(offset + opts.maxResults) : null,
  };
}

interface RollupRow {
  bucket: number;
  count: number;
  nan_count: number;
  min_value: number | null;
  min_step: number | null;
  max_value: number | null;
  max_step: number | null;
  first_step: number;
  last_step: number;
  last_value: number | null;
  last_is_nan: number;
}

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

  const wanted = (s1 - s0 + 1) / opts.buckets;
  let level = -1;
  for (let l = 0; l < ROLLUP_WIDTHS.length; l++) if (ROLLUP_WIDTHS[l]! <= wanted) level = l;

  if (level < 0 && totalCount <= opts.buckets * 16) {
    return { key, totalCount, level: -1, buckets: await rawBuckets(store, runId, key, s0, s1) };
  }
  level = Math.max(level, 0);
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

async function rawBuckets(
  store: MetadataStore,
  runId: string,
  key: string,
  s0: number,
  s1: number,
): Promise<MetricBucket[]> {
  const rows = await store.db
    .selectFrom('metrics')
    .select(['step', 'timestamp', 'value', 'is_nan'])
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .where('step', '>=', s0)
    .where('step', '<=', s1)
    .orderBy('step')
    .orderBy('timestamp')
    .execute();
  return rows.map((r) => {
    const v = pointValue(r);
    const step = Number(r.step);
    return {
      stepStart: step,
      stepEnd: step,
      count: 1,
      min: v,
      max: v,
      last: v,
      minStep: step,
      maxStep: step,
    };
  });
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
  const rows: PointRow[] = [];
  for (let i = 0; i < sampled.length; i += 500) {
    const chunk = sampled.slice(i, i + 500);
    rows.push(
      ...(await store.db
        .selectFrom('metrics')
        .select(['step', 'timestamp', 'value', 'is_nan'])
        .where('run_id', '=', runId)
        .where('key', '=', key)
        .where('step', 'in', chunk)
        .orderBy('step')
        .orderBy('timestamp')
        .execute()),
    );
  }
  return rows.map((r) => toMetric(key, r));
}

import { SPIKE_VALUE } from './dataset.js';
import { type HttpClient, HttpError } from './http-client.js';
import { type RepeatOptions, repeat, summarize, type Timing } from './stats.js';

export interface EndpointTiming {
  path: string;
  coldMs: number;
  warm: Timing;
  /** Points (or buckets) in the answer. */
  points: number;
  /** Whether the one spike in the curve survived downsampling. */
  spikeKept: boolean;
  bytes: number;
}

export interface FullHistoryTiming {
  /** Wall time for the pages fetched, ms. */
  ms: number;
  points: number;
  pages: number;
  /** False when the time budget ran out before the last page. */
  complete: boolean;
  /** Pages that had to be asked again because the server dropped the connection. */
  retries: number;
}

/** Times a GET: the first call (cold), then warm repetitions. Returns null on 404 (route not there). */
export async function timeGet(
  client: HttpClient,
  path: string,
  opts: RepeatOptions,
): Promise<EndpointTiming | null> {
  const first = await client.get(path);
  if (first.status === 404) return null;
  if (first.status !== 200) throw new HttpError(first.status, first.body, `GET ${client.baseUrl}${path}`);
  const answer = JSON.parse(first.body) as unknown;
  const samples = await repeat(
    async () => {
      const res = await client.get(path);
      if (res.status !== 200) throw new HttpError(res.status, res.body, `GET ${client.baseUrl}${path}`);
      return res.ms;
    },
    first.ms,
    opts,
  );
  return {
    path,
    coldMs: first.ms,
    warm: summarize(samples),
    points: countPoints(answer),
    spikeKept: maxValue(answer) >= SPIKE_VALUE,
    bytes: Buffer.byteLength(first.body),
  };
}

/** Fetches the whole history through `metrics/get-history`, page by page, within `budgetMs`. */
export async function timeFullHistory(
  client: HttpClient,
  runId: string,
  key: string,
  pageSize: number,
  budgetMs: number,
): Promise<FullHistoryTiming> {
  const started = performance.now();
  let points = 0;
  let pages = 0;
  let retries = 0;
  let token: string | undefined;
  type Page = { metrics?: unknown[]; next_page_token?: string };
  do {
    const qs = new URLSearchParams({ run_id: runId, metric_key: key, max_results: String(pageSize) });
    if (token) qs.set('page_token', token);
    const path = `/api/2.0/mlflow/metrics/get-history?${qs}`;
    let page: Page;
    try {
      page = await client.getOk<Page>(path);
    } catch (err) {
      // A dropped connection (a server worker killed mid-request) gets one more try; HTTP errors do not.
      if (err instanceof HttpError || retries >= 3) throw err;
      retries++;
      page = await client.getOk<Page>(path);
    }
    points += page.metrics?.length ?? 0;
    pages++;
    token = page.next_page_token || undefined;
    if (token && performance.now() - started > budgetMs) {
      return { ms: performance.now() - started, points, pages, complete: false, retries };
    }
  } while (token);
  return { ms: performance.now() - started, points, pages, complete: true, retries };
}

/** The longest array of objects in the answer: MLflow's `metrics`, or a chart's buckets/points. */
function countPoints(answer: unknown): number {
  let best = 0;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      best = Math.max(best, v.length);
      for (const x of v) if (typeof x === 'object') walk(x);
    } else if (v && typeof v === 'object') {
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(answer);
  return best;
}

/** Largest number under a value-like key (value, max, y, values…), ignoring steps and timestamps. */
function maxValue(answer: unknown): number {
  let best = Number.NEGATIVE_INFINITY;
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'number') {
      if (/value|max|min|^y$/i.test(key)) best = Math.max(best, v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  walk(answer, '');
  return best;
}

import { fromWire, toWire } from './numbers.js';
import { paginate, type Transport } from './transport.js';
import type {
  ArtifactEntry,
  ArtifactFile,
  ArtifactListing,
  CreateRunRequest,
  LogBatchRequestOf,
  MetricBucketOf,
  MetricPointOf,
  RunOf,
  SearchRunsRequest,
  UpdateRunRequest,
  WireChartSeries,
  WireHistoryPage,
  WireRun,
  WireRunPage,
} from './wire.js';

/** Runs as the SDK returns them: metric values are numbers (NaN and ±Infinity included). */
export type Run = RunOf<number>;
export type MetricPoint = MetricPointOf<number>;
export type MetricBucket = MetricBucketOf<number>;
export type LogBatchRequest = LogBatchRequestOf<number>;
export interface RunPage {
  runs: Run[];
  nextPageToken: string | null;
}
export interface HistoryPage {
  key: string;
  metrics: MetricPoint[];
  nextPageToken: string | null;
}
export interface ChartSeries {
  key: string;
  totalCount: number;
  level: number;
  buckets: MetricBucket[];
}

/** An artifact being downloaded: its bytes as a web stream, and what the headers said. */
export interface ArtifactDownload {
  body: ReadableStream<Uint8Array>;
  /** Bytes in this response (the range's length for a ranged request). */
  contentLength: number | null;
  /** Size of the whole file. */
  size: number | null;
  sha256: string | null;
  status: number;
}

export interface DownloadProgress {
  path: string;
  received: number;
  total: number | null;
}

export type UploadBody = string | Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A fetch body for an upload; streamed bodies need `duplex: 'half'`. */
export function uploadRequestBody(data: UploadBody): {
  body: NonNullable<RequestInit['body']>;
  duplex?: 'half';
} {
  if (typeof data === 'string' || data instanceof Uint8Array || data instanceof Blob) {
    return { body: data as NonNullable<RequestInit['body']> };
  }
  const body = data instanceof ReadableStream ? data : streamOf(data);
  return { body, duplex: 'half' };
}

/** `ReadableStream.from`, which browsers' typings (and some browsers) lack. */
function streamOf(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      await chunks.return?.(reason);
    },
  });
}

export const decodeRun = (run: WireRun): Run => {
  const { metrics, ...rest } = run;
  if (!metrics) return rest;
  return {
    ...rest,
    metrics: Object.fromEntries(
      Object.entries(metrics).map(([k, m]) => [k, { ...m, value: fromWire(m.value) }]),
    ),
  };
};

/** Runs of one workspace, with their metrics and artifacts. */
export class RunsApi {
  readonly #t: Transport;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#base = `/api/v1/workspaces/${encodeURIComponent(workspace)}/runs`;
  }

  #run(runId: string, suffix = ''): string {
    return `${this.#base}/${encodeURIComponent(runId)}${suffix}`;
  }

  async create(request: CreateRunRequest): Promise<Run> {
    return decodeRun((await this.#t.json<{ run: WireRun }>('POST', this.#base, { body: request })).run);
  }

  /** One page of a search; only the sections named in `include` come back (none by default). */
  async search(request: SearchRunsRequest): Promise<RunPage> {
    const page = await this.#t.json<WireRunPage>('POST', `${this.#base}/search`, { body: request });
    return { runs: page.runs.map(decodeRun), nextPageToken: page.nextPageToken };
  }

  iterate(request: Omit<SearchRunsRequest, 'pageToken'>): AsyncGenerator<Run, void, undefined> {
    return paginate(
      (pageToken) => this.search({ ...request, pageToken }),
      (p) => p.runs,
    );
  }

  async get(runId: string): Promise<Run> {
    return decodeRun((await this.#t.json<{ run: WireRun }>('GET', this.#run(runId))).run);
  }

  async update(runId: string, request: UpdateRunRequest): Promise<Run> {
    return decodeRun(
      (await this.#t.json<{ run: WireRun }>('PATCH', this.#run(runId), { body: request })).run,
    );
  }

  async delete(runId: string, options: { message?: string } = {}): Promise<Run> {
    const headers: Record<string, string> = options.message ? { 'x-cairn-message': options.message } : {};
    return decodeRun((await this.#t.json<{ run: WireRun }>('DELETE', this.#run(runId), { headers })).run);
  }

  async restore(runId: string, options: { message?: string } = {}): Promise<Run> {
    const body = options.message ? { message: options.message } : {};
    return decodeRun(
      (await this.#t.json<{ run: WireRun }>('POST', this.#run(runId, '/restore'), { body })).run,
    );
  }

  /** Logs metrics (NaN and ±Infinity allowed), params and tags in one request. */
  async logBatch(runId: string, batch: LogBatchRequest): Promise<void> {
    const body = {
      ...batch,
      ...(batch.metrics ? { metrics: batch.metrics.map((m) => ({ ...m, value: toWire(m.value) })) } : {}),
    };
    await this.#t.json('POST', this.#run(runId, '/log-batch'), { body });
  }

  /** One page of a metric's full history, in step order. */
  async metricHistory(
    runId: string,
    key: string,
    options: { pageToken?: string; maxResults?: number } = {},
  ): Promise<HistoryPage> {
    const page = await this.#t.json<WireHistoryPage>(
      'GET',
      this.#run(runId, `/metrics/${encodeURIComponent(key)}/history`),
      { query: { ...options } },
    );
    return { ...page, metrics: page.metrics.map((m) => ({ ...m, value: fromWire(m.value) })) };
  }

  /** Every point of a metric's history, fetching pages as the loop goes. */
  iterateMetricHistory(
    runId: string,
    key: string,
    options: { maxResults?: number } = {},
  ): AsyncGenerator<MetricPoint, void, undefined> {
    return paginate(
      (pageToken) => this.metricHistory(runId, key, { ...options, pageToken }),
      (p) => p.metrics,
    );
  }

  /** A metric downsampled to at most about `buckets` buckets, keeping each bucket's extremes. */
  async metricChart(
    runId: string,
    key: string,
    options: { buckets?: number; startStep?: number; endStep?: number } = {},
  ): Promise<ChartSeries> {
    const series = await this.#t.json<WireChartSeries>(
      'GET',
      this.#run(runId, `/metrics/${encodeURIComponent(key)}/chart`),
      { query: { ...options } },
    );
    return {
      ...series,
      buckets: series.buckets.map((b) => ({
        ...b,
        min: fromWire(b.min),
        max: fromWire(b.max),
        last: fromWire(b.last),
      })),
    };
  }

  /** Immediate children of a folder of the run's artifacts ('' for the root). */
  async listArtifacts(runId: string, path = ''): Promise<ArtifactEntry[]> {
    return (await this.#t.json<ArtifactListing>('GET', this.#run(runId, '/artifacts'), { query: { path } }))
      .files;
  }

  /** Every file under a folder of the run's artifacts, depth first. */
  async *walkArtifacts(runId: string, path = ''): AsyncGenerator<ArtifactEntry, void, undefined> {
    for (const entry of await this.listArtifacts(runId, path)) {
      if (entry.isDir) yield* this.walkArtifacts(runId, entry.path);
      else yield entry;
    }
  }

  /** Opens an artifact for reading; `range` is inclusive, as HTTP's (`{ start: 100 }` reads to the end). */
  async downloadArtifact(
    runId: string,
    path: string,
    options: { range?: { start: number; end?: number }; signal?: AbortSignal } = {},
  ): Promise<ArtifactDownload> {
    const headers: Record<string, string> = {};
    if (options.range) headers.range = `bytes=${options.range.start}-${options.range.end ?? ''}`;
    const res = await this.#t.raw('GET', this.#run(runId, '/artifacts/content'), {
      query: { path },
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const length = res.headers.get('content-length');
    const contentRange = res.headers.get('content-range');
    const size = contentRange ? Number(contentRange.split('/')[1]) : length === null ? null : Number(length);
    return {
      body: res.body ?? new ReadableStream({ start: (c) => c.close() }),
      contentLength: length === null ? null : Number(length),
      size: Number.isFinite(size) ? size : null,
      sha256: res.headers.get('etag')?.replace(/"/g, '') ?? null,
      status: res.status,
    };
  }

  /** Reads a whole artifact into memory (for small files). */
  async readArtifact(runId: string, path: string): Promise<Uint8Array> {
    const download = await this.downloadArtifact(runId, path);
    return new Uint8Array(await new Response(download.body).arrayBuffer());
  }

  /**
   * Streams an artifact to a local file (Node.js only), creating its folder; writes to `<dest>.part` and
   * renames when complete, so an interrupted download never leaves a truncated file under the real name.
   */
  async downloadArtifactToFile(
    runId: string,
    path: string,
    dest: string,
    options: { onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {},
  ): Promise<{ path: string; bytes: number }> {
    const [{ createWriteStream }, { mkdir, rename, rm }, { dirname }, { Readable, Transform }, { pipeline }] =
      await Promise.all([
        import('node:fs'),
        import('node:fs/promises'),
        import('node:path'),
        import('node:stream'),
        import('node:stream/promises'),
      ]);
    const download = await this.downloadArtifact(
      runId,
      path,
      options.signal ? { signal: options.signal } : {},
    );
    await mkdir(dirname(dest), { recursive: true });
    const partial = `${dest}.part`;
    let received = 0;
    const report = options.onProgress;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        report?.({ path, received, total: download.contentLength });
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(download.body as Parameters<typeof Readable.fromWeb>[0]),
        counter,
        createWriteStream(partial),
      );
      await rename(partial, dest);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return { path: dest, bytes: received };
  }

  /** Uploads an artifact (streamed), replacing any file at `path`. */
  async uploadArtifact(runId: string, path: string, data: UploadBody): Promise<ArtifactFile> {
    const res = await this.#t.raw('PUT', this.#run(runId, '/artifacts/content'), {
      query: { path },
      headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
      ...uploadRequestBody(data),
    });
    return ((await res.json()) as { file: ArtifactFile }).file;
  }

  /** Uploads a local file (Node.js only), streaming it. */
  async uploadArtifactFile(runId: string, path: string, localFile: string): Promise<ArtifactFile> {
    const { createReadStream } = await import('node:fs');
    return this.uploadArtifact(runId, path, createReadStream(localFile));
  }
}

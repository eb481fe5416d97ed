import { CairnApiError } from './errors.js';
import { paginate, type Transport } from './transport.js';
import type {
  ComputeTarget,
  CreateJobRequest,
  Environment,
  Job,
  JobCount,
  JobLogChunk,
  JobPage,
  JobStatus,
  JobStatusEvent,
  ListJobsRequest,
  SpecRequest,
  SweepDetails,
} from './wire.js';

/** What `jobs.stream` yields: the job's output and its status changes, in order. */
export type JobStreamEvent = ({ type: 'log' } & JobLogChunk) | ({ type: 'status' } & JobStatusEvent);

export interface StreamJobOptions {
  /** Start after this log sequence number (0: from the beginning). */
  after?: number;
  signal?: AbortSignal;
  /** Reconnect attempts in a row without receiving anything before giving up. Default 5. */
  maxReconnects?: number;
  /** Called before each reconnect, e.g. to tell the user. */
  onReconnect?: (attempt: number, error: unknown) => void;
}

export interface JobSnapshotEntry {
  path: string;
  /** Null for symbolic links. */
  size: number | null;
  sha256: string | null;
  executable: boolean;
  /** The link target, for symbolic links. */
  symlink: string | null;
}

export interface JobSnapshot {
  snapshotId: string;
  files: JobSnapshotEntry[];
}

const TERMINAL: readonly JobStatus[] = ['completed', 'failed', 'canceled'];
export const isTerminalJobStatus = (status: JobStatus): boolean => TERMINAL.includes(status);

/** One server-sent event as written on the wire. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Splits a `text/event-stream` body into messages (the WHATWG rules: `field: value` lines, a blank line
 * ends a message, `data` lines joined with newlines, `:` comments ignored, CRLF, LF or CR line ends).
 */
export async function* parseEventStream(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<SseMessage, void, undefined> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | null = null;
  const lineEnd = /\r\n|\r|\n/;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (;;) {
      const match = lineEnd.exec(buffer);
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) break;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
  }
}

const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Jobs of one workspace: submit, list, show, cancel, logs, and a live stream of their output. */
export class JobsApi {
  readonly #t: Transport;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#base = `/api/v1/workspaces/${encodeURIComponent(workspace)}/jobs`;
  }

  #job(name: string, suffix = ''): string {
    return `${this.#base}/${encodeURIComponent(name)}${suffix}`;
  }

  /** Submits a job (YAML text or JSON spec); it starts queued. */
  async create(request: CreateJobRequest): Promise<Job> {
    return (await this.#t.json<{ job: Job }>('POST', this.#base, { body: request })).job;
  }

  /** One page of jobs, newest first. */
  list(request: ListJobsRequest = {}): Promise<JobPage> {
    return this.#t.json('GET', this.#base, { query: { ...request } });
  }

  /**
   * How many jobs are in each status on each compute target, counted by the server in one query
   * (`active`: only jobs that have not ended). Combinations with no jobs are left out.
   */
  async counts(options: { active?: boolean } = {}): Promise<JobCount[]> {
    const query = options.active ? { active: 'true' } : {};
    return (await this.#t.json<{ counts: JobCount[] }>('GET', `${this.#base}/counts`, { query })).counts;
  }

  /** Every job (of a status), fetching pages as the loop goes. */
  iterate(request: Omit<ListJobsRequest, 'pageToken'> = {}): AsyncGenerator<Job, void, undefined> {
    return paginate(
      (pageToken) => this.list({ ...request, pageToken }),
      (p) => p.jobs,
    );
  }

  /** A job and its status history, oldest transition first; a sweep with its trials. */
  get(name: string): Promise<{ job: Job; events: JobStatusEvent[]; sweep?: SweepDetails }> {
    return this.#t.json('GET', this.#job(name));
  }

  /** The files of a job's code snapshot (optionally only those under `prefix`). */
  snapshot(name: string, options: { prefix?: string } = {}): Promise<JobSnapshot> {
    return this.#t.json('GET', this.#job(name, '/snapshot'), { query: { prefix: options.prefix } });
  }

  /** One file of a job's code snapshot as a stream (`range`: the first bytes only, for a preview). */
  async snapshotFile(
    name: string,
    path: string,
    options: { range?: { start: number; end?: number }; signal?: AbortSignal } = {},
  ): Promise<{ body: ReadableStream<Uint8Array>; size: number | null }> {
    const headers: Record<string, string> = {};
    if (options.range) headers.range = `bytes=${options.range.start}-${options.range.end ?? ''}`;
    const res = await this.#t.raw('GET', this.#job(name, '/snapshot/file'), {
      query: { path },
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const length = res.headers.get('content-length');
    const total = res.headers.get('content-range')?.split('/')[1] ?? length;
    const size = total === null || total === undefined ? null : Number(total);
    return {
      body: res.body ?? new ReadableStream({ start: (c) => c.close() }),
      size: Number.isFinite(size) ? size : null,
    };
  }

  /** Cancels a job: a queued one at once, a running one by stopping its whole process tree. */
  async cancel(name: string, options: { message?: string } = {}): Promise<Job> {
    const body = options.message ? { message: options.message } : {};
    return (await this.#t.json<{ job: Job }>('POST', this.#job(name, '/cancel'), { body })).job;
  }

  /** Stored output after sequence number `after`. */
  async logs(name: string, options: { after?: number; maxResults?: number } = {}): Promise<JobLogChunk[]> {
    return (
      await this.#t.json<{ chunks: JobLogChunk[] }>('GET', this.#job(name, '/logs'), {
        query: { ...options },
      })
    ).chunks;
  }

  /**
   * Follows a job over server-sent events: its output and status changes until it ends (the last event
   * is the final status). A dropped connection is resumed after the last log chunk received, so no
   * output is lost or repeated; a repeated status (sent again on reconnect) is skipped.
   */
  async *stream(
    name: string,
    options: StreamJobOptions = {},
  ): AsyncGenerator<JobStreamEvent, void, undefined> {
    let after = options.after ?? 0;
    let lastStatus: JobStatus | null = null;
    let failures = 0;
    const maxReconnects = options.maxReconnects ?? 5;
    for (;;) {
      let error: unknown = null;
      // The server opens with the job's current status (already terminal for a finished job), then sends
      // the stored output, and closes after the final status. So a terminal status is held back until the
      // server closes the stream, and yielded last, after all the output.
      let final: JobStatusEvent | null = null;
      try {
        const res = await this.#t.raw('GET', this.#job(name, '/stream'), {
          query: { after },
          headers: { accept: 'text/event-stream' },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (!res.body) throw new Error('the stream response has no body');
        for await (const message of parseEventStream(res.body)) {
          failures = 0;
          if (message.event === 'log') {
            const chunk = JSON.parse(message.data) as JobLogChunk;
            if (chunk.seq <= after) continue;
            after = chunk.seq;
            yield { type: 'log', ...chunk };
          } else if (message.event === 'status') {
            const status = JSON.parse(message.data) as JobStatusEvent;
            if (isTerminalJobStatus(status.status)) final = status;
            else if (status.status !== lastStatus) {
              lastStatus = status.status;
              yield { type: 'status', ...status };
            }
          }
        }
        if (final) {
          yield { type: 'status', ...final };
          return;
        }
      } catch (err) {
        // The server's own answers (not found, unauthenticated) and the caller's abort are final.
        if (err instanceof CairnApiError || options.signal?.aborted) throw err;
        error = err;
      }
      if (options.signal?.aborted) return;
      failures++;
      if (failures > maxReconnects) {
        throw new Error(
          `lost the stream of job '${name}' ${maxReconnects} times in a row${error ? `: ${(error as Error).message}` : ''}`,
          { cause: error },
        );
      }
      options.onReconnect?.(failures, error);
      await delay(Math.min(250 * 2 ** (failures - 1), 4000), options.signal);
    }
  }
}

/** Compute targets of one workspace (`local` is built in). */
export class ComputesApi {
  readonly #t: Transport;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#base = `/api/v1/workspaces/${encodeURIComponent(workspace)}/computes`;
  }

  /** Registers a compute target from its YAML (`name`, `type: local | slurm | ray`, settings). */
  async create(request: SpecRequest): Promise<ComputeTarget> {
    return (await this.#t.json<{ compute: ComputeTarget }>('POST', this.#base, { body: request })).compute;
  }

  async list(): Promise<ComputeTarget[]> {
    return (await this.#t.json<{ computes: ComputeTarget[] }>('GET', this.#base)).computes;
  }

  async get(name: string): Promise<ComputeTarget> {
    return (
      await this.#t.json<{ compute: ComputeTarget }>('GET', `${this.#base}/${encodeURIComponent(name)}`)
    ).compute;
  }

  async delete(name: string, options: { message?: string } = {}): Promise<void> {
    const headers: Record<string, string> = options.message ? { 'x-cairn-message': options.message } : {};
    await this.#t.json('DELETE', `${this.#base}/${encodeURIComponent(name)}`, { headers });
  }
}

/** Registered, versioned environments of one workspace. */
export class EnvironmentsApi {
  readonly #t: Transport;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#base = `/api/v1/workspaces/${encodeURIComponent(workspace)}/environments`;
  }

  /** Registers an environment version from its YAML; without `version`, the next integer. */
  async create(request: SpecRequest): Promise<Environment> {
    return (await this.#t.json<{ environment: Environment }>('POST', this.#base, { body: request }))
      .environment;
  }

  async list(): Promise<Environment[]> {
    return (await this.#t.json<{ environments: Environment[] }>('GET', this.#base)).environments;
  }

  /** A version of an environment, the newest when `version` is left out. */
  async get(name: string, version?: string): Promise<Environment> {
    return (
      await this.#t.json<{ environment: Environment }>('GET', `${this.#base}/${encodeURIComponent(name)}`, {
        query: { version },
      })
    ).environment;
  }
}

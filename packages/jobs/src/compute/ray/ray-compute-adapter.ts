import { CairnError, ErrorCode, invalidArgument } from '@cairn/core';
import type { BlobStore } from '@cairn/store';
import type {
  ComputeAdapter,
  ComputeHandle,
  JobLaunch,
  LogSink,
  ObservedState,
  StoredLogSize,
} from '../compute-adapter.js';
import { type HttpResponse, httpCall } from './http-request.js';
import { RAY_TERMINAL_STATUSES, type RayJobInfo, rayJobState } from './ray-state.js';
import { zipSnapshot } from './snapshot-zip.js';

export interface RayComputeOptions {
  /** The Ray dashboard / Jobs REST base URL (the compute target's `address`), e.g. http://127.0.0.1:8265. */
  address: string;
  /** Where job snapshots live; needed to submit a job that has `code`. */
  blobs?: BlobStore;
  /** How often a running job's logs are fetched. Default 1000 ms. */
  logIntervalMs?: number;
  /** Limit for one REST call (package uploads get ten times as long). Default 30 s. */
  requestTimeoutMs?: number;
}

/** What a Ray handle carries in `data`; plain JSON. */
export interface RayHandleData {
  address: string;
  /** `gcs://_ray_pkg_<snapshot id>.zip`, or null for a job without code. */
  packageUri: string | null;
  /**
   * Bytes (UTF-8) of the job's Ray log already written to the log sink, kept current on the handle
   * object in memory. It is not what a restart resumes from: `reattach` takes the size of the stdout
   * the server had stored, since chunks handed to the sink but not yet stored die with the server.
   */
  logOffset: number;
}

interface Tail {
  handle: ComputeHandle;
  sink: LogSink;
  timer: NodeJS.Timeout | null;
  /** Serialises log fetches so two never send the same bytes. */
  chain: Promise<void>;
  done: boolean;
}

/**
 * Runs jobs on a Ray cluster through the Ray Jobs REST API alone (no Ray client library): the snapshot
 * is uploaded as a GCS package and used as `runtime_env.working_dir`, the command is the entrypoint, and
 * status, logs and stop go through `/api/jobs/…`. Ray merges stdout and stderr into one log, which goes
 * to the sink as `stdout`.
 */
export class RayComputeAdapter implements ComputeAdapter {
  readonly kind = 'ray' as const;
  private readonly address: string;
  private readonly blobs: BlobStore | undefined;
  private readonly logIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly tails = new Map<string, Tail>();
  private closed = false;

  constructor(options: RayComputeOptions) {
    this.address = options.address.replace(/\/+$/, '');
    this.blobs = options.blobs;
    this.logIntervalMs = options.logIntervalMs ?? 1000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  async verify(): Promise<void> {
    const response = await this.request('GET', '/api/version');
    const body = parseJson(response) as { ray_version?: unknown } | null;
    if (!body || typeof body.ray_version !== 'string') {
      throw new CairnError(
        ErrorCode.UNAVAILABLE,
        `${this.address}/api/version did not answer like a Ray dashboard (no ray_version); check the compute target's 'address' setting (the Ray dashboard URL, e.g. http://127.0.0.1:8265)`,
        { field: 'address' },
      );
    }
  }

  async submit(launch: JobLaunch, logs: LogSink): Promise<ComputeHandle> {
    this.assertOpen();
    if (launch.resources.instanceCount > 1) {
      throw invalidArgument(
        `resources.instance_count ${launch.resources.instanceCount} does not apply to Ray compute: a Ray job runs one entrypoint, which spreads work over the cluster through Ray itself; set instance_count to 1`,
        { field: 'resources.instance_count' },
      );
    }
    if (launch.environment?.image) {
      throw invalidArgument(
        `Environment image '${launch.environment.image}' cannot run on Ray compute; give the environment pip dependencies (Ray installs them in the job's runtime_env) or use local or Slurm compute`,
        { field: 'environment' },
      );
    }
    const packageUri = launch.snapshotId ? await this.uploadSnapshot(launch.snapshotId, logs) : null;
    const submissionId = `cairn-${launch.jobId}`;
    const runtimeEnv: Record<string, unknown> = { env_vars: launch.env };
    if (packageUri) runtimeEnv.working_dir = packageUri;
    if (launch.environment && launch.environment.pip.length > 0) {
      runtimeEnv.pip = { packages: launch.environment.pip, pip_check: false };
    }
    const body: Record<string, unknown> = {
      entrypoint: launch.command,
      submission_id: submissionId,
      runtime_env: runtimeEnv,
      metadata: { cairn_job_id: launch.jobId, cairn_workspace_id: launch.workspaceId },
    };
    if (launch.resources.cpus !== undefined) body.entrypoint_num_cpus = launch.resources.cpus;
    if (launch.resources.gpus !== undefined) body.entrypoint_num_gpus = launch.resources.gpus;
    if (launch.resources.memoryGb !== undefined) {
      body.entrypoint_memory = Math.round(launch.resources.memoryGb * 1024 ** 3);
    }
    const response = await this.request('POST', '/api/jobs/', { json: body, allow: [400] });
    if (response.status === 400) {
      const text = response.body.toString('utf8');
      // A retried submit (e.g. after a restart between POST and saving the handle) finds its own job.
      if (!/already exists/i.test(text) || !(await this.isOwnJob(submissionId, launch.jobId))) {
        throw invalidArgument(`Ray rejected job ${launch.jobId}: ${lastLines(text)}`);
      }
    }
    const data: RayHandleData = { address: this.address, packageUri, logOffset: 0 };
    const handle: ComputeHandle = { kind: 'ray', id: submissionId, data: { ...data } };
    this.startTail(handle, logs);
    return handle;
  }

  async poll(handle: ComputeHandle): Promise<ObservedState> {
    const info = await this.jobInfo(handle.id);
    if (!info) {
      this.stopTail(handle.id);
      return {
        state: 'lost',
        reason: `Ray at ${this.address} has no job ${handle.id}; the cluster may have been restarted or the job deleted`,
      };
    }
    if (RAY_TERMINAL_STATUSES.has(info.status)) await this.drainTail(handle.id);
    return rayJobState(info);
  }

  async cancel(handle: ComputeHandle): Promise<void> {
    // 404: Ray no longer knows the job, so nothing is left to stop. A finished job answers stopped=false.
    await this.request('POST', `/api/jobs/${encodeURIComponent(handle.id)}/stop`, { allow: [404] });
  }

  /**
   * Ray serves a job's whole log on every request; the tail resumes after the bytes already stored (Ray
   * merges stderr into the log, which goes to the sink as stdout; only Cairn's own notes are stderr).
   */
  async reattach(handle: ComputeHandle, logs: LogSink, stored?: StoredLogSize): Promise<ObservedState> {
    this.assertOpen();
    handle.data ??= {};
    if (stored) handle.data.logOffset = stored.stdout;
    else if (typeof handle.data.logOffset !== 'number') handle.data.logOffset = 0;
    this.startTail(handle, logs);
    return this.poll(handle);
  }

  async close(): Promise<void> {
    this.closed = true;
    const chains: Promise<void>[] = [];
    for (const tail of this.tails.values()) {
      tail.done = true;
      if (tail.timer) clearTimeout(tail.timer);
      chains.push(tail.chain);
    }
    this.tails.clear();
    await Promise.allSettled(chains);
  }

  // ---- snapshot package ----

  private async uploadSnapshot(snapshotId: string, logs: LogSink): Promise<string> {
    if (!this.blobs) {
      throw new CairnError(
        ErrorCode.INTERNAL,
        `Job has code (snapshot ${snapshotId}) but this Ray adapter was created without a blob store to read it from`,
      );
    }
    const name = `_ray_pkg_${snapshotId}.zip`;
    const path = `/api/packages/gcs/${name}`;
    // The GET also pins the package in Ray's GCS for a while, so it is not collected before the job starts.
    const exists = await this.request('GET', path, { allow: [404] });
    if (exists.status === 404) {
      const { zip, warnings } = await zipSnapshot(this.blobs, snapshotId);
      for (const warning of warnings) logs.write('stderr', Buffer.from(`cairn: ${warning}\n`));
      await this.request('PUT', path, {
        body: zip,
        timeoutMs: this.requestTimeoutMs * 10,
        what: `uploading snapshot ${snapshotId} (${zip.length} bytes) as Ray package ${name}`,
      });
    }
    return `gcs://${name}`;
  }

  // ---- logs ----

  private startTail(handle: ComputeHandle, sink: LogSink): void {
    const existing = this.tails.get(handle.id);
    if (existing) {
      existing.sink = sink;
      return;
    }
    const tail: Tail = { handle, sink, timer: null, chain: Promise.resolve(), done: false };
    this.tails.set(handle.id, tail);
    this.schedule(tail, 0);
  }

  private schedule(tail: Tail, delayMs: number): void {
    if (tail.done) return;
    tail.timer = setTimeout(() => {
      tail.timer = null;
      tail.chain = tail.chain.then(() => this.tick(tail));
    }, delayMs);
    tail.timer.unref();
  }

  /** One round: the job's status first, then its log, so a terminal status means the log is complete. */
  private async tick(tail: Tail): Promise<void> {
    if (tail.done) return;
    let terminal = false;
    try {
      const info = await this.jobInfo(tail.handle.id);
      terminal = !info || RAY_TERMINAL_STATUSES.has(info.status);
      if (info) await this.fetchLogs(tail);
    } catch {
      // Transient (Ray restarting, network): the next round tries again; poll() reports lasting trouble.
    }
    if (terminal) this.finishTail(tail);
    else this.schedule(tail, this.logIntervalMs);
  }

  private async fetchLogs(tail: Tail): Promise<void> {
    const response = await this.request('GET', `/api/jobs/${encodeURIComponent(tail.handle.id)}/logs`, {
      allow: [404],
    });
    if (response.status === 404) return;
    const body = parseJson(response) as { logs?: unknown } | null;
    if (typeof body?.logs !== 'string' || tail.done) return;
    const bytes = Buffer.from(body.logs, 'utf8');
    if (!tail.handle.data) tail.handle.data = {};
    const data = tail.handle.data;
    const offset = typeof data.logOffset === 'number' ? data.logOffset : 0;
    if (bytes.length > offset) {
      tail.sink.write('stdout', bytes.subarray(offset));
      data.logOffset = bytes.length;
    }
  }

  /** Sends whatever log the job has left, then stops following it. */
  private async drainTail(id: string): Promise<void> {
    const tail = this.tails.get(id);
    if (!tail || tail.done) return;
    if (tail.timer) {
      clearTimeout(tail.timer);
      tail.timer = null;
    }
    const drained = tail.chain.then(async () => {
      if (tail.done) return;
      await this.fetchLogs(tail);
      this.finishTail(tail);
    });
    tail.chain = drained.catch(() => undefined);
    await drained;
  }

  private finishTail(tail: Tail): void {
    tail.done = true;
    if (tail.timer) clearTimeout(tail.timer);
    if (this.tails.get(tail.handle.id) === tail) this.tails.delete(tail.handle.id);
  }

  private stopTail(id: string): void {
    const tail = this.tails.get(id);
    if (tail) this.finishTail(tail);
  }

  // ---- REST ----

  private async jobInfo(id: string): Promise<RayJobInfo | null> {
    const response = await this.request('GET', `/api/jobs/${encodeURIComponent(id)}`, { allow: [404] });
    if (response.status === 404) return null;
    const info = parseJson(response) as RayJobInfo | null;
    if (!info || typeof info.status !== 'string') {
      throw new CairnError(
        ErrorCode.UNAVAILABLE,
        `Ray at ${this.address} answered GET /api/jobs/${id} with no job status`,
      );
    }
    return info;
  }

  private async isOwnJob(submissionId: string, jobId: string): Promise<boolean> {
    const info = await this.jobInfo(submissionId);
    return info?.metadata?.cairn_job_id === jobId;
  }

  /** One call to Ray; network failures and unexpected statuses become errors that name the address. */
  private async request(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { json?: unknown; body?: Buffer; allow?: number[]; timeoutMs?: number; what?: string } = {},
  ): Promise<HttpResponse> {
    const what = options.what ?? `${method} ${path}`;
    let response: HttpResponse;
    try {
      response = await httpCall(method, `${this.address}${path}`, {
        headers: options.json !== undefined ? { 'content-type': 'application/json' } : undefined,
        body: options.json !== undefined ? Buffer.from(JSON.stringify(options.json)) : options.body,
        timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
      });
    } catch (err) {
      throw new CairnError(
        ErrorCode.UNAVAILABLE,
        `Ray at ${this.address} is unreachable: ${describeCause(err)}; check the compute target's 'address' setting (the Ray dashboard URL, e.g. http://127.0.0.1:8265) and that the Ray head is running`,
        { field: 'address' },
        { cause: err },
      );
    }
    const ok = response.status >= 200 && response.status < 300;
    if (ok || options.allow?.includes(response.status)) return response;
    const text = response.body.toString('utf8');
    throw new CairnError(
      response.status >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.INVALID_ARGUMENT,
      `Ray at ${this.address} failed ${what}: HTTP ${response.status}${text ? `: ${lastLines(text)}` : ''}`,
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new CairnError(ErrorCode.INTERNAL, 'This Ray compute adapter is closed');
  }
}

/** The innermost cause of a fetch failure: "connect ECONNREFUSED 127.0.0.1:1" rather than "fetch failed". */
function describeCause(err: unknown): string {
  let current: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.name === 'TimeoutError') return 'no answer in time';
    message = current.message || message;
    current = current.cause;
  }
  return message;
}

function parseJson(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch {
    return null;
  }
}

/** Ray answers errors with Python tracebacks; the last lines hold the reason. */
function lastLines(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join('\n').slice(0, 2000);
}

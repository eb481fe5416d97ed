import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunStatus } from '@cairn/core';
import type { BlobStore, JobRow, MetadataStore } from '@cairn/store';
import { type ArtifactRepository, logBatch, type RequestContext, updateRun } from '@cairn/tracking';
import type {
  ComputeAdapter,
  ComputeHandle,
  JobLaunch,
  ObservedState,
  StoredLogSize,
} from '../compute/compute-adapter.js';
import { LocalCompute } from '../compute/local/local-compute.js';
import { materializeEnvironment } from '../environments/index.js';
import { type ComputeTarget, getComputeTarget } from '../jobs/compute-targets.js';
import type { JobBus } from '../jobs/job-bus.js';
import { type JobData, pinnedDataInputs } from '../jobs/job-data.js';
import { parseHandle, transitionJob } from '../jobs/job-records.js';
import { outputEnvName } from '../jobs/job-service.js';
import { type JobStatus, runStatusFor } from '../jobs/job-status.js';
import { materializeSnapshot } from '../snapshot/index.js';
import type { CommandJobSpec } from '../spec/index.js';
import {
  asEnvironmentError,
  isEnvironmentError,
  type JobEnvironmentOptions,
  resolveJobEnvironment,
} from './job-environment.js';
import { storeJobLog, uploadOutputs } from './job-outputs.js';
import { LogRecorder } from './log-recorder.js';
import { SystemMetricsSampler } from './system-metrics.js';

/** Issues the job's scoped token (workspace, contributor); null where there is no user to own one. */
export interface JobTokenIssuer {
  issue(input: { workspaceId: string; userName: string; jobName: string; expiresAt: number }): Promise<{
    id: string;
    secret: string;
  } | null>;
  revoke(id: string): Promise<void>;
}

export interface SchedulerOptions {
  store: MetadataStore;
  blobs: BlobStore;
  artifacts: ArtifactRepository;
  bus: JobBus;
  /** Where local jobs run (the same folder the JobService resolves output paths in). */
  workDir: (workspaceId: string, jobName: string) => string;
  /** The engine for a compute target; `onChange(jobId)` lets an adapter wake the scheduler. */
  adapterFor: (
    workspaceId: string,
    target: ComputeTarget,
    onChange: (jobId: string) => void,
  ) => ComputeAdapter;
  /** The server's own URL once it listens (jobs call back to it). */
  serverUrl: () => Promise<string>;
  defaultWorkspace: string;
  tokens?: JobTokenIssuer;
  /** Where local jobs' Python environments are built; without it a job naming one runs on the plain PATH. */
  environments?: JobEnvironmentOptions;
  /** How often remote engines are polled and the queue rescanned (other replicas enqueue). Default 2 s. */
  pollMs?: number;
  /** How often a local job's CPU, memory and GPU use is sampled into its run. Default 10 s. */
  systemMetricsIntervalMs?: number;
  /** Data inputs and named outputs (the server wires the data registry in). */
  data?: JobData;
  /** Where failed system-metrics samples are reported (debug level); they never fail the job. */
  log?: { debug(obj: object, msg: string): void };
}

interface Active {
  row: JobRow;
  adapter: ComputeAdapter;
  recorder: LogRecorder;
  handle: ComputeHandle | null;
  tokenId: string | null;
  cancelRequested: boolean;
  /** Serialises observations of this job. */
  chain: Promise<void>;
  ended: boolean;
  /** Samples a running local job's CPU, memory and GPUs into its run. */
  sampler?: SystemMetricsSampler;
}

const ADVISORY_LOCK_KEY = 0x63616972; // "cair"
const RESTARTED = 'the server restarted while the job was running';
const SCHEDULER_ACTOR = 'cairn-scheduler';

const keyOf = (ws: string, id: string) => `${ws}\u0000${id}`;

/**
 * The durable job loop: takes queued jobs FIFO from the `jobs` table, prepares and submits them to
 * their compute, follows them to the end, and finalises them (outputs and the log into the run).
 * Event driven (enqueue and process exit wake it); a slow poll covers remote engines and other
 * replicas. On PostgreSQL only the replica holding the advisory lock schedules.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #active = new Map<string, Active>();
  readonly #adapters = new Map<string, ComputeAdapter>();
  #ticking = false;
  #again = false;
  #stopped = false;
  #leader = false;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #lockClient: {
    query(sql: string, values?: unknown[]): Promise<{ rows: { locked: boolean }[] }>;
    release(): void;
  } | null = null;

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  /** Whether this replica schedules (holds the advisory lock, or the store is SQLite). */
  get leader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.#o.bus.onWork(() => this.#kick());
    this.#timer = setInterval(() => void this.#periodic(), this.#o.pollMs ?? 2_000);
    this.#timer.unref();
    await this.#tryLead();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    await Promise.allSettled([...this.#active.values()].map((a) => a.sampler?.stop()));
    await Promise.allSettled([...this.#active.values()].map((a) => a.chain));
    for (const adapter of this.#adapters.values()) await adapter.close();
    const lockClient = this.#lockClient;
    this.#lockClient = null; // stop() may be called again (a server closed twice)
    if (lockClient) {
      await lockClient.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => {});
      lockClient.release();
    }
  }

  /** Stops a job that left the queue: its compute stops the process tree (or engine job). */
  async cancel(workspaceId: string, jobId: string): Promise<void> {
    const active = this.#active.get(keyOf(workspaceId, jobId));
    if (active) {
      active.cancelRequested = true;
      if (active.handle) await active.adapter.cancel(active.handle);
      return;
    }
    // Not followed here (a stale row): end it.
    await this.#finish(workspaceId, jobId, null, 'canceled', {
      message: 'canceled',
      from: ['preparing', 'running', 'finalizing'],
    });
  }

  async #tryLead(): Promise<void> {
    if (this.#leader || this.#stopped) return;
    const pool = this.#o.store.pgPool;
    if (pool) {
      const client = await pool.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        ADVISORY_LOCK_KEY,
      ]);
      if (!rows[0]?.locked) {
        client.release();
        return;
      }
      this.#lockClient = client;
    }
    this.#leader = true;
    await this.#recover();
    this.#kick();
  }

  async #periodic(): Promise<void> {
    if (this.#stopped) return;
    if (!this.#leader) return this.#tryLead().catch(() => {});
    for (const [key, active] of this.#active) {
      if (active.adapter.kind !== 'local') this.#observe(key);
    }
    this.#kick();
  }

  /** Jobs the last server left unfinished: re-queue the unsubmitted, re-attach the submitted. */
  async #recover(): Promise<void> {
    const rows = await this.#o.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', 'in', ['preparing', 'running', 'finalizing'])
      .where('type', '=', 'command') // sweeps are the sweep controller's
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      const handle = parseHandle(row);
      if (row.status === 'preparing' && handle === null) {
        // A local job may have started in the instant before its handle was saved: stop it, or the
        // queued-again job would run beside it.
        const adapter = await this.#adapterOf(row).catch(() => null);
        if (adapter instanceof LocalCompute) {
          await adapter.stopLeftovers({ jobId: row.id, workspaceId: row.workspace_id, runId: row.run_id });
        }
        await transitionJob(this.#o.store.db, this.#o.bus, row.workspace_id, row.id, {
          status: 'queued',
          from: ['preparing'],
          message: 'queued again: the server restarted before the job was submitted',
        });
        continue;
      }
      if (handle === null || row.status === 'finalizing') {
        await this.#finish(row.workspace_id, row.id, row, 'failed', {
          message: RESTARTED,
          errorSummary: RESTARTED,
        });
        continue;
      }
      try {
        const adapter = await this.#adapterOf(row);
        const recorder = new LogRecorder(
          this.#o.store,
          this.#o.bus,
          row.workspace_id,
          row.id,
          await this.#lastSeq(row),
        );
        const state = await adapter.reattach(handle, recorder, await this.#storedLogSize(row));
        const key = keyOf(row.workspace_id, row.id);
        this.#active.set(key, {
          row,
          adapter,
          recorder,
          handle,
          tokenId: null,
          cancelRequested: false,
          chain: Promise.resolve(),
          ended: false,
        });
        this.#observe(key, state);
      } catch (err) {
        await this.#finish(row.workspace_id, row.id, row, 'failed', {
          message: `could not re-attach after a restart: ${(err as Error).message}`,
          errorSummary: `could not re-attach after a restart: ${(err as Error).message}`,
        });
      }
    }
  }

  async #lastSeq(row: JobRow): Promise<number> {
    const r = await this.#o.store.db
      .selectFrom('job_log_chunks')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('workspace_id', '=', row.workspace_id)
      .where('job_id', '=', row.id)
      .executeTakeFirst();
    return Number(r?.seq ?? 0);
  }

  /** UTF-8 bytes of each stream stored for the job: where an engine that replays its log resumes. */
  async #storedLogSize(row: JobRow): Promise<StoredLogSize> {
    const rows = await this.#o.store.db
      .selectFrom('job_log_chunks')
      .select((eb) => ['stream', eb.fn.sum<number | string>(eb.fn('octet_length', ['data'])).as('bytes')])
      .where('workspace_id', '=', row.workspace_id)
      .where('job_id', '=', row.id)
      .groupBy('stream')
      .execute();
    const size: StoredLogSize = { stdout: 0, stderr: 0 };
    for (const r of rows)
      if (r.stream === 'stdout' || r.stream === 'stderr') size[r.stream] = Number(r.bytes);
    return size;
  }

  #kick(): void {
    if (this.#stopped || !this.#leader) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = true;
    void this.#dispatch()
      .catch(() => {})
      .finally(() => {
        this.#ticking = false;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        }
      });
  }

  /** Claims queued jobs in FIFO order and launches each. */
  async #dispatch(): Promise<void> {
    const rows = await this.#o.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'queued')
      .where('type', '=', 'command') // sweeps are the sweep controller's; their trials are command jobs
      .orderBy('seq')
      .limit(100)
      .execute();
    for (const row of rows) {
      if (this.#stopped) return;
      const claimed = await transitionJob(this.#o.store.db, this.#o.bus, row.workspace_id, row.id, {
        status: 'preparing',
        from: ['queued'],
      });
      if (claimed) void this.#launch({ ...row, status: 'preparing' });
    }
  }

  async #adapterOf(row: JobRow): Promise<ComputeAdapter> {
    const target = await getComputeTarget(this.#o.store, row.workspace_id, row.compute, 'compute');
    // The built-in `local` pool is shared by every workspace; registered targets are per workspace.
    const cacheKey = target.builtIn ? target.name : keyOf(row.workspace_id, target.name);
    let adapter = this.#adapters.get(cacheKey);
    if (!adapter) {
      adapter = this.#o.adapterFor(row.workspace_id, target, (jobId) => {
        for (const [key, a] of this.#active)
          if (a.row.id === jobId && a.adapter === adapter) this.#observe(key);
      });
      this.#adapters.set(cacheKey, adapter);
    }
    return adapter;
  }

  async #launch(row: JobRow): Promise<void> {
    const key = keyOf(row.workspace_id, row.id);
    let active: Active | undefined;
    try {
      const adapter = await this.#adapterOf(row);
      const recorder = new LogRecorder(this.#o.store, this.#o.bus, row.workspace_id, row.id);
      active = {
        row,
        adapter,
        recorder,
        handle: null,
        tokenId: null,
        cancelRequested: false,
        chain: Promise.resolve(),
        ended: false,
      };
      this.#active.set(key, active);
      const launch = await this.#prepare(row, active);
      const handle = await adapter.submit(launch, recorder);
      active.handle = handle;
      await this.#o.store.db
        .updateTable('jobs')
        .set({ handle: JSON.stringify(handle) })
        .where('workspace_id', '=', row.workspace_id)
        .where('id', '=', row.id)
        .execute();
      if (active.cancelRequested) await adapter.cancel(handle);
      this.#observe(key);
    } catch (err) {
      if (this.#stopped) return;
      const reason = `could not start the job: ${(err as Error).message}`;
      this.#active.delete(key);
      // A failed environment build says so in the event; its summary is pip's own error.
      const end = isEnvironmentError(err)
        ? { message: 'the environment could not be built', errorSummary: err.message }
        : { message: reason, errorSummary: reason };
      await this.#finish(row.workspace_id, row.id, row, 'failed', end, active);
    }
  }

  /** The work folder (snapshot materialised, output folders) and everything the process gets. */
  async #prepare(row: JobRow, active: Active): Promise<JobLaunch> {
    const spec = JSON.parse(row.spec) as CommandJobSpec;
    const workDir = this.#o.workDir(row.workspace_id, row.id);
    await rm(workDir, { recursive: true, force: true });
    const codeDir = join(workDir, 'code');
    // Remote engines fetch the snapshot themselves (the launcher through the tar route, Ray as a package).
    const local = active.adapter.kind === 'local';
    if (row.snapshot_id && local)
      await materializeSnapshot({ blobs: this.#o.blobs, id: row.snapshot_id, dest: codeDir });
    else await mkdir(codeDir, { recursive: true });
    const outputs = this.#outputDirs(row, spec);
    for (const dir of Object.values(outputs)) await mkdir(dir, { recursive: true });
    // Data inputs were pinned and bound at submit; bind again, which re-checks a source used in place
    // and restores a shared copy if the cache was cleared since.
    for (const input of pinnedDataInputs(spec)) {
      if (!this.#o.data) throw new Error('this server has no data registry for the data inputs');
      await this.#o.data.bindInput(row.workspace_id, input.name, input.version, input.mode);
    }

    const url = await this.#o.serverUrl();
    const trackingUri =
      row.workspace_id === this.#o.defaultWorkspace ? url : `${url}/workspaces/${row.workspace_id}`;
    const env: Record<string, string> = {
      MLFLOW_TRACKING_URI: trackingUri,
      MLFLOW_RUN_ID: row.run_id ?? '',
      MLFLOW_EXPERIMENT_ID: row.experiment_id === null ? '' : String(row.experiment_id),
      CAIRN_URL: url,
      CAIRN_WORKSPACE: row.workspace_id,
      CAIRN_JOB_NAME: row.id,
      PYTHONUNBUFFERED: '1',
    };
    for (const [name, dir] of Object.entries(outputs)) env[outputEnvName(name)] = dir;
    const timeoutMs = (row.timeout_seconds ?? 7 * 24 * 3600) * 1000;
    const token = await this.#o.tokens?.issue({
      workspaceId: row.workspace_id,
      userName: row.created_by,
      jobName: row.id,
      expiresAt: Date.now() + timeoutMs + 3600_000,
    });
    if (token) {
      active.tokenId = token.id;
      env.MLFLOW_TRACKING_TOKEN = token.secret;
      env.CAIRN_TOKEN = token.secret;
    }
    const environment = await resolveJobEnvironment(this.#o.store, {
      workspaceId: row.workspace_id,
      spec,
      environmentHash: row.environment_hash,
      baseDir: codeDir,
    }).catch((err: unknown) => {
      throw asEnvironmentError(err);
    });
    if (environment && local && this.#o.environments) {
      const { recorder } = active;
      const built = await materializeEnvironment(environment, {
        cacheDir: this.#o.environments.cacheDir,
        path: this.#o.environments.path,
        log: (line) => recorder.write('stdout', Buffer.from(`${line}\n`)),
      }).catch((err: unknown) => {
        throw asEnvironmentError(err);
      });
      Object.assign(env, built.env);
    }
    for (const [k, v] of Object.entries(spec.environment_variables ?? {})) env[k] = String(v);
    const props = spec.resources?.properties ?? {};
    const num = (v: unknown) => (typeof v === 'number' && v >= 0 ? v : undefined);
    return {
      jobId: row.id,
      workspaceId: row.workspace_id,
      command: row.command,
      env,
      snapshotId: row.snapshot_id,
      snapshotUrl:
        row.snapshot_id === null || local
          ? null
          : `${url}/api/v1/workspaces/${encodeURIComponent(row.workspace_id)}/jobs/${encodeURIComponent(row.id)}/snapshot.tar`,
      // Local jobs run in the virtualenv built above; remote engines build it from the spec on the node.
      environment:
        environment === null || local
          ? null
          : {
              hash: environment.hash,
              pythonVersion: environment.pythonVersion,
              pip: environment.pip,
              image: environment.image,
            },
      resources: {
        instanceCount: spec.resources?.instance_count ?? 1,
        cpus: num(props.cpus),
        memoryGb: num(props.memory_gb),
        gpus: num(props.gpus),
      },
      timeoutSeconds: row.timeout_seconds,
      workDir: local ? codeDir : null,
    };
  }

  /** Outputs with a `name` become data versions, with the job's run as their producer. */
  async #registerOutputs(row: JobRow, spec: CommandJobSpec, dirs: Record<string, string>): Promise<void> {
    for (const [port, output] of Object.entries(spec.outputs ?? {})) {
      if (!output?.name || row.run_id === null) continue;
      if (!this.#o.data)
        throw new Error(`output ${port} names a data asset but this server has no data registry`);
      const ctx: RequestContext = {
        workspaceId: row.workspace_id,
        actor: row.created_by,
        message: `output of job ${row.id}`,
      };
      const created = await this.#o.data.registerOutput(ctx, {
        name: output.name,
        version: output.version ?? null,
        type: output.type ?? 'uri_folder',
        localPath: dirs[port] as string,
        description: output.description ?? `Output '${port}' of job ${row.id}`,
      });
      await this.#o.data.recordLineage(row.workspace_id, {
        runId: row.run_id,
        jobName: row.id,
        direction: 'output',
        port,
        name: created.name,
        version: created.version,
      });
    }
  }

  #outputDirs(row: JobRow, spec: CommandJobSpec): Record<string, string> {
    const workDir = this.#o.workDir(row.workspace_id, row.id);
    return Object.fromEntries(Object.keys(spec.outputs ?? {}).map((o) => [o, join(workDir, 'outputs', o)]));
  }

  /** Looks at the job's engine state (or uses `known`) and moves the job on; serialised per job. */
  #observe(key: string, known?: ObservedState): void {
    const active = this.#active.get(key);
    // After stop() the server is going away: whatever its processes do now is recovered at the next start.
    if (!active || active.ended || this.#stopped) return;
    active.chain = active.chain
      .then(async () => {
        if (active.ended || active.handle === null || this.#stopped) return;
        const state = known ?? (await active.adapter.poll(active.handle));
        await this.#apply(key, active, state);
      })
      .catch(() => {});
  }

  async #apply(key: string, active: Active, state: ObservedState): Promise<void> {
    const { row } = active;
    if (state.state === 'queued' || state.state === 'preparing') return;
    if (state.state === 'running') {
      if (row.status === 'preparing') {
        const startedAt = Date.now();
        if (
          await transitionJob(this.#o.store.db, this.#o.bus, row.workspace_id, row.id, {
            status: 'running',
            from: ['preparing'],
            set: { started_at: startedAt },
          })
        ) {
          row.status = 'running';
          await this.#mirrorRun(row, 'RUNNING', null);
          this.#sampleSystemMetrics(active);
        }
      }
      return;
    }
    active.ended = true;
    this.#active.delete(key);
    await active.sampler?.stop();
    const status: JobStatus =
      state.state === 'completed' ? 'completed' : state.state === 'canceled' ? 'canceled' : 'failed';
    const exitCode = state.state === 'failed' ? state.exitCode : null;
    const reason = 'reason' in state ? state.reason : null;
    let errorSummary: string | null = null;
    if (status === 'failed') {
      await active.recorder.flush().catch(() => {});
      const tail = active.recorder.stderrTail();
      errorSummary = tail === '' ? reason : `${reason}\n${tail}`;
    }
    await this.#finish(
      row.workspace_id,
      row.id,
      row,
      status,
      { message: reason, exitCode, errorSummary },
      active,
    );
    if (active.handle && 'release' in active.adapter) {
      (active.adapter as { release(h: ComputeHandle): void }).release(active.handle);
    }
  }

  /** Starts sampling a local job's process group into its run (remote engines have their own). */
  #sampleSystemMetrics(active: Active): void {
    const { row, adapter, handle } = active;
    const runId = row.run_id;
    if (runId === null || handle === null || !(adapter instanceof LocalCompute)) return;
    const target = adapter.processOf(handle);
    if (target === null) return;
    const ctx: RequestContext = { workspaceId: row.workspace_id, actor: SCHEDULER_ACTOR };
    active.sampler = new SystemMetricsSampler({
      target,
      intervalMs: this.#o.systemMetricsIntervalMs,
      write: (metrics) => logBatch(this.#o.store, ctx, runId, { metrics }),
      onError: (err) => this.#o.log?.debug({ err, job: row.id }, 'a system metrics sample failed'),
    });
    active.sampler.start();
  }

  /** finalizing (outputs and log into the run) → the end status, mirrored to the run. */
  async #finish(
    workspaceId: string,
    jobId: string,
    row: JobRow | null,
    status: 'completed' | 'failed' | 'canceled',
    end: {
      message?: string | null;
      exitCode?: number | null;
      errorSummary?: string | null;
      from?: JobStatus[];
    },
    active?: Active,
  ): Promise<void> {
    const { store, bus } = this.#o;
    const job =
      row ??
      (await store.db
        .selectFrom('jobs')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', jobId)
        .executeTakeFirst());
    if (!job) return;
    const from = end.from ?? ['preparing', 'running', 'finalizing'];
    const finalizing = await transitionJob(store.db, bus, workspaceId, jobId, {
      status: 'finalizing',
      from: from.filter((s) => s !== 'finalizing'),
    });
    let message = end.message ?? null;
    if (finalizing || job.status === 'finalizing') {
      try {
        await active?.recorder.flush();
        if (job.run_id !== null && job.experiment_id !== null) {
          const run = { workspaceId, experimentId: Number(job.experiment_id), runId: job.run_id };
          const spec = JSON.parse(job.spec) as CommandJobSpec;
          if (status === 'completed') {
            const dirs = this.#outputDirs(job, spec);
            await uploadOutputs(this.#o.artifacts, run, dirs);
            await this.#registerOutputs(job, spec, dirs);
          }
          await storeJobLog(store, this.#o.artifacts, run, jobId);
        }
      } catch (err) {
        message = `${message ? `${message}; ` : ''}finalizing failed: ${(err as Error).message}`;
        if (status === 'completed') {
          status = 'failed';
          end.errorSummary = message;
        }
      }
    }
    const endedAt = Date.now();
    await transitionJob(store.db, bus, workspaceId, jobId, {
      status,
      from: ['finalizing', ...from],
      message,
      set: { ended_at: endedAt, exit_code: end.exitCode ?? null, error_summary: end.errorSummary ?? null },
    });
    await this.#mirrorRun(job, runStatusFor(status), endedAt);
    if (active?.tokenId) await this.#o.tokens?.revoke(active.tokenId).catch(() => {});
  }

  async #mirrorRun(row: JobRow, status: RunStatus, endTime: number | null): Promise<void> {
    if (row.run_id === null) return;
    const ctx: RequestContext = {
      workspaceId: row.workspace_id,
      actor: SCHEDULER_ACTOR,
      message: `job ${row.id}`,
    };
    await updateRun(this.#o.store, ctx, { runId: row.run_id, status, endTime }).catch(() => {
      // The run was deleted meanwhile: the job still ends.
    });
  }
}

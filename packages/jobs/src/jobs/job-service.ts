import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { alreadyExists, invalidArgument, notFound, SystemTag } from '@cairn/core';
import type { BlobStore, JobRow, MetadataStore } from '@cairn/store';
import {
  audit,
  createExperiment,
  createRun,
  DEFAULT_EXPERIMENT_NAME,
  getExperimentByName,
  type RequestContext,
} from '@cairn/tracking';
import type { ComputeKind } from '../compute/compute-adapter.js';
import { createSnapshot } from '../snapshot/index.js';
import {
  applyOverrides,
  assertInputsProvided,
  type CommandJobSpec,
  DEFAULT_COMPUTE,
  type JobSpec,
  parseAssetRef,
  parseComputeRef,
  parseJobSpec,
  resolveCommand,
  type SweepJobSpec,
  tryParseInputPath,
} from '../spec/index.js';
import { initialSweepState, validateSweepSpec } from '../sweep-controller/sweep-state.js';
import { getComputeTarget } from './compute-targets.js';
import { environmentSpecHash, getEnvironment } from './environments.js';
import type { JobBus } from './job-bus.js';
import type { JobData } from './job-data.js';
import { randomJobName } from './job-names.js';
import { type Job, type JobEventRecord, loadJobEvents, toJob, transitionJob } from './job-records.js';
import { isTerminal, type JobStatus, TERMINAL_STATUSES } from './job-status.js';
import { rerunSpec } from './rerun-spec.js';
import { verifyUploadedSnapshot } from './uploaded-snapshot.js';

export interface JobServiceOptions {
  store: MetadataStore;
  blobs: BlobStore;
  bus: JobBus;
  /** Where local jobs run: `<workRoot>/<workspace>/<job>/{code,outputs/<name>}`. */
  workRoot: string;
  /** Compute kinds the scheduler has an adapter for; a target of another kind is refused at submit. */
  adapterKinds: ReadonlySet<ComputeKind>;
  /** Data inputs and outputs (the server wires the data registry in). */
  data?: JobData;
  /** Stops a job that has left the queue (the scheduler's cancel). */
  cancelStarted?: (workspaceId: string, jobName: string) => Promise<void>;
}

export interface CreateJobInput {
  /** The job YAML as written (a JSON spec is YAML too). */
  yaml: string;
  /** Shown in validation errors. */
  file?: string;
  /** `--set path=value` overrides. */
  overrides?: readonly string[];
  /**
   * The folder the YAML's relative paths (`code`, local inputs) are resolved against, on the server's
   * disk. The server snapshots `code` from there (local mode: the CLI runs beside the server).
   */
  codeRoot?: string | null;
  /**
   * The `code` folder as a snapshot the client uploaded (a remote CLI): its id, checked to belong to the
   * workspace. Takes the place of snapshotting `code` from `codeRoot`.
   */
  snapshotId?: string | null;
  /**
   * A snapshot this workspace already holds as another job's code (a rerun reuses its source job's):
   * used as is, without the upload check. Set only by `rerunJob`, never from a request body.
   */
  reuseSnapshotId?: string | null;
}

/** What `rerunJob` takes: the job to submit again and `--set` overrides for the new one. */
export interface RerunJobInput {
  source: string;
  overrides?: readonly string[];
}

export interface ListJobsQuery {
  status?: JobStatus;
  /** Only the trials of this sweep. */
  parent?: string;
  maxResults?: number;
  pageToken?: string | null;
}

/** Paths under `jobs/` that are not jobs, so no job may be named so. */
const RESERVED_JOB_NAMES = new Set(['counts']);

export interface JobCountsQuery {
  /** Only jobs that have not ended (queued, preparing, running, finalizing). */
  active?: boolean;
}

/** How many jobs of one type are in one status on one compute target. */
export interface JobCount {
  compute: string;
  type: 'command' | 'sweep';
  status: JobStatus;
  count: number;
}

export interface JobLogChunk {
  seq: number;
  stream: 'stdout' | 'stderr';
  data: string;
  at: number;
}

const seqCounter = { last: 0 };
/** Queue order: milliseconds × 1000 plus a counter, increasing within the process. */
export function nextJobSeq(): number {
  const candidate = Date.now() * 1000;
  seqCounter.last = Math.max(candidate, seqCounter.last + 1);
  return seqCounter.last;
}

export const outputEnvName = (output: string) => `CAIRN_OUTPUTS_${output.toUpperCase()}`;

/** Jobs of a workspace: submit (validated, snapshotted, tracked), read, list, cancel, logs. */
export class JobService {
  readonly #o: JobServiceOptions;

  constructor(options: JobServiceOptions) {
    this.#o = options;
  }

  workDir(workspaceId: string, jobName: string): string {
    return join(this.#o.workRoot, workspaceId, jobName);
  }

  async createJob(ctx: RequestContext, input: CreateJobInput): Promise<Job> {
    const { store } = this.#o;
    const parsed = parseJobSpec(input.yaml, input.file ?? 'job.yml');
    let spec: JobSpec = parsed.spec;
    if (input.overrides?.length) spec = applyOverrides(spec, input.overrides);
    assertInputsProvided(spec, parsed.source);
    // A sweep is submitted like a command job (its trial's code and environment); the sweep
    // controller then queues its trials as child command jobs.
    const command: CommandJobSpec | SweepJobSpec = spec;
    const trial = spec.type === 'sweep' ? spec.trial : spec;
    if (spec.type === 'sweep') validateSweepSpec(spec);
    const root = input.codeRoot ?? null;

    const computeName =
      command.compute === undefined ? DEFAULT_COMPUTE : parseComputeRef(command.compute).name;
    const target = await getComputeTarget(store, ctx.workspaceId, computeName, 'compute');
    if (!this.#o.adapterKinds.has(target.kind)) {
      throw invalidArgument(
        `Compute target '${target.name}' is of type ${target.kind}, which this server cannot run jobs on yet: use a local target`,
        { field: 'compute' },
      );
    }
    const envHash = await this.#environmentSpecHash(ctx, trial);

    const name = command.name ?? randomJobName();
    if (RESERVED_JOB_NAMES.has(name)) {
      throw invalidArgument(`'${name}' names an API path (GET jobs/${name}), not a job: pick another name`, {
        field: 'name',
      });
    }
    const taken = await store.db
      .selectFrom('jobs')
      .select('id')
      .where('workspace_id', '=', ctx.workspaceId)
      .where('id', '=', name)
      .executeTakeFirst();
    if (taken)
      throw alreadyExists(`A job named '${name}' already exists: leave 'name' out or pick another`, {
        field: 'name',
      });

    const workDir = this.workDir(ctx.workspaceId, name);
    const local = localInputPaths(command, root);
    const inputPaths = local.paths;
    // Data asset inputs are pinned to a version now (`@latest` resolved), so a rerun reads the same bytes.
    const bound: Array<{ input: string; name: string; version: string }> = [];
    for (const asset of local.assets) {
      if (!this.#o.data) {
        throw invalidArgument(`inputs.${asset.input}: this server has no data registry`, {
          field: `inputs.${asset.input}.path`,
        });
      }
      const input = await this.#o.data.bindInput(ctx.workspaceId, asset.name, asset.version, asset.mode);
      inputPaths[asset.input] = input.path;
      bound.push({ input: asset.input, name: input.name, version: input.version });
      const declared = command.inputs?.[asset.input];
      if (declared && typeof declared === 'object') {
        command.inputs = {
          ...command.inputs,
          [asset.input]: { ...declared, path: `azureml:${input.name}:${input.version}` },
        };
      }
    }
    // A sweep keeps its trial's command template; each trial gets it resolved with its values.
    const resolved =
      command.type === 'sweep'
        ? command.trial.command
        : resolveCommand(command, {
            inputs: inputPaths,
            outputs: Object.fromEntries(
              Object.keys(command.outputs ?? {}).map((o) => [o, join(workDir, 'outputs', o)]),
            ),
          });

    let snapshotId: string | null = null;
    if (input.reuseSnapshotId) {
      snapshotId = input.reuseSnapshotId;
    } else if (input.snapshotId) {
      if (trial.code === undefined) {
        throw invalidArgument("A code snapshot was uploaded but the spec names no 'code' folder", {
          field: 'code',
        });
      }
      await verifyUploadedSnapshot(store, this.#o.blobs, ctx.workspaceId, input.snapshotId);
      snapshotId = input.snapshotId;
    } else if (trial.code !== undefined) {
      if (root === null && !isAbsolute(trial.code)) {
        throw invalidArgument("'code' is a relative path but no folder was given to resolve it against", {
          field: 'code',
        });
      }
      snapshotId = (await createSnapshot({ root: resolve(root ?? '/', trial.code), blobs: this.#o.blobs }))
        .id;
    }

    const experiment = await this.#experiment(ctx, command.experiment_name ?? DEFAULT_EXPERIMENT_NAME);
    const run = await createRun(store, ctx, {
      experimentId: experiment,
      runName: command.display_name ?? name,
      status: 'SCHEDULED',
      tags: [
        ...Object.entries(command.tags ?? {}).map(([key, value]) => ({ key, value: String(value) })),
        { key: SystemTag.source, value: trial.code ?? name },
        { key: 'cairn.job', value: name },
        ...(command.description ? [{ key: SystemTag.note, value: command.description }] : []),
      ],
    });

    const now = Date.now();
    const row: JobRow = {
      workspace_id: ctx.workspaceId,
      id: name,
      seq: nextJobSeq(),
      type: command.type,
      parent_job_id: null,
      spec: JSON.stringify(command),
      command: resolved,
      status: 'queued',
      compute: target.name,
      run_id: run.info.runId,
      experiment_id: experiment,
      snapshot_id: snapshotId,
      environment_hash: envHash,
      handle: command.type === 'sweep' ? JSON.stringify(initialSweepState(inputPaths)) : null,
      exit_code: null,
      error_summary: null,
      timeout_seconds: command.limits?.timeout ?? null,
      created_by: ctx.actor,
      created_at: now,
      started_at: null,
      ended_at: null,
    };
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('jobs').values(row).execute();
      await trx
        .insertInto('job_events')
        .values({ workspace_id: ctx.workspaceId, job_id: name, status: 'queued', at: now, message: null })
        .execute();
      await audit(trx, ctx, 'job.create', 'job', name, {
        compute: target.name,
        runId: run.info.runId,
        snapshotId,
      });
    });
    for (const b of bound) {
      await this.#o.data?.recordLineage(ctx.workspaceId, {
        runId: run.info.runId,
        jobName: name,
        direction: 'input',
        port: b.input,
        name: b.name,
        version: b.version,
      });
    }
    this.#o.bus.notifyWork();
    return toJob(row);
  }

  /**
   * Submits a job again (the studio's rerun, where a browser cannot upload a code folder): the source
   * job's stored spec (data inputs pinned to the versions it read) with `overrides`, under a fresh name,
   * reusing its code snapshot as it is (a sweep trial becomes a command job: see rerunSpec). Relative
   * local input paths were relative to the submitter's folder, which the server does not keep: such an
   * input must be set to an absolute path or a data asset.
   */
  async rerunJob(ctx: RequestContext, input: RerunJobInput): Promise<Job> {
    const source = await this.getJobRow(ctx.workspaceId, input.source);
    const file = `rerun of ${input.source}`;
    let spec = parseJobSpec(JSON.stringify(rerunSpec(JSON.parse(source.spec))), file).spec;
    if (input.overrides?.length) spec = applyOverrides(spec, input.overrides);
    for (const [name, value] of Object.entries(spec.inputs ?? {})) {
      const path = typeof value === 'object' ? value.path : undefined;
      const parsed = path === undefined ? null : tryParseInputPath(path);
      if (parsed?.type === 'success' && parsed.value.kind === 'local' && !isAbsolute(parsed.value.path)) {
        throw invalidArgument(
          `inputs.${name}: job '${input.source}' read the local path '${parsed.value.path}' relative to the folder it was submitted from, which a rerun does not know; set inputs.${name} to an absolute path or a data asset (azureml:<name>:<version>)`,
          { field: `inputs.${name}.path` },
        );
      }
    }
    return this.createJob(ctx, { yaml: JSON.stringify(spec), file, reuseSnapshotId: source.snapshot_id });
  }

  async getJob(workspaceId: string, name: string): Promise<Job> {
    return toJob(await this.getJobRow(workspaceId, name));
  }

  async getJobRow(workspaceId: string, name: string): Promise<JobRow> {
    const row = await this.#o.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', name)
      .executeTakeFirst();
    if (!row) {
      throw notFound(
        `Job '${name}' does not exist in workspace '${workspaceId}': list jobs with 'cairn job list'`,
        {
          field: 'name',
        },
      );
    }
    return row;
  }

  jobEvents(workspaceId: string, name: string): Promise<JobEventRecord[]> {
    return loadJobEvents(this.#o.store.db, workspaceId, name);
  }

  /** Newest first. */
  async listJobs(
    workspaceId: string,
    query: ListJobsQuery = {},
  ): Promise<{ jobs: Job[]; nextPageToken: string | null }> {
    const max = Math.min(Math.max(query.maxResults ?? 100, 1), 1000);
    let q = this.#o.store.db.selectFrom('jobs').selectAll().where('workspace_id', '=', workspaceId);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.parent) q = q.where('parent_job_id', '=', query.parent);
    if (query.pageToken) {
      const before = Number(query.pageToken);
      if (!Number.isSafeInteger(before)) {
        throw invalidArgument("'pageToken' is not a token this server returned", { field: 'pageToken' });
      }
      q = q.where('seq', '<', before);
    }
    const rows = await q
      .orderBy('seq', 'desc')
      .limit(max + 1)
      .execute();
    const page = rows.slice(0, max);
    return {
      jobs: page.map(toJob),
      nextPageToken: rows.length > max ? String(page.at(-1)!.seq) : null,
    };
  }

  /**
   * Jobs per compute target, type and status, counted by the database (one GROUP BY) rather than by
   * listing them, so a queue of 100k jobs costs one small answer, read from the `jobs_ws_counts` index
   * alone (migration 0008). `active` narrows the count to jobs that have not ended.
   */
  async countJobs(workspaceId: string, query: JobCountsQuery = {}): Promise<JobCount[]> {
    let q = this.#o.store.db
      .selectFrom('jobs')
      .select((eb) => ['compute', 'type', 'status', eb.fn.countAll<number | string | bigint>().as('count')])
      .where('workspace_id', '=', workspaceId);
    if (query.active) q = q.where('status', 'not in', [...TERMINAL_STATUSES]);
    const rows = await q
      .groupBy(['compute', 'type', 'status'])
      .orderBy('compute')
      .orderBy('type')
      .orderBy('status')
      .execute();
    // PostgreSQL's count(*) is a bigint, which its driver returns as a string.
    return rows.map((r) => ({
      compute: r.compute,
      type: r.type as JobCount['type'],
      status: r.status as JobStatus,
      count: Number(r.count),
    }));
  }

  /** A queued job is canceled at once; a started one is stopped by its compute (process tree, Slurm job). */
  async cancelJob(ctx: RequestContext, name: string): Promise<Job> {
    const row = await this.getJobRow(ctx.workspaceId, name);
    if (isTerminal(row.status)) return toJob(row);
    await audit(this.#o.store.db, ctx, 'job.cancel', 'job', name, { status: row.status });
    const canceled = await transitionJob(this.#o.store.db, this.#o.bus, ctx.workspaceId, name, {
      status: 'canceled',
      from: ['queued'],
      message: `canceled by ${ctx.actor} while queued`,
      set: { ended_at: Date.now() },
    });
    if (canceled) {
      this.#o.bus.notifyWork();
    } else if (this.#o.cancelStarted) {
      await this.#o.cancelStarted(ctx.workspaceId, name);
    }
    return this.getJob(ctx.workspaceId, name);
  }

  /** Log chunks after `after` (a seq), in order. */
  async jobLogs(workspaceId: string, name: string, after = 0, limit = 1000): Promise<JobLogChunk[]> {
    await this.getJobRow(workspaceId, name);
    const rows = await this.#o.store.db
      .selectFrom('job_log_chunks')
      .select(['seq', 'stream', 'data', 'at'])
      .where('workspace_id', '=', workspaceId)
      .where('job_id', '=', name)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: r.seq,
      stream: r.stream === 'stderr' ? 'stderr' : 'stdout',
      data: r.data,
      at: Number(r.at),
    }));
  }

  async #environmentSpecHash(
    ctx: RequestContext,
    spec: Pick<CommandJobSpec, 'environment'>,
  ): Promise<string | null> {
    const env = spec.environment;
    if (env === undefined) return null;
    if (typeof env === 'object') return environmentSpecHash(env);
    const ref = parseAssetRef(env, 'environment');
    if (ref.kind === 'datastore-path') {
      throw invalidArgument(`environment: '${env}' is a datastore path, not an environment`, {
        field: 'environment',
      });
    }
    const version = ref.kind === 'versioned' ? ref.version : ref.label;
    return (await getEnvironment(this.#o.store, ctx.workspaceId, ref.name, version, 'environment')).hash;
  }

  async #experiment(ctx: RequestContext, name: string): Promise<number> {
    try {
      return Number((await getExperimentByName(this.#o.store, ctx, name)).experimentId);
    } catch (err) {
      if ((err as { code?: string }).code !== 'NOT_FOUND') throw err;
      try {
        return await createExperiment(this.#o.store, ctx, { name });
      } catch {
        // Created concurrently by another submit.
        return Number((await getExperimentByName(this.#o.store, ctx, name)).experimentId);
      }
    }
  }
}

/**
 * File and folder inputs with local paths are passed to the command as absolute paths on the server's
 * disk (no upload: local compute reads them in place). Remote URIs are passed through as written.
 * TODO(issue 3): registered data assets (`azureml:data:1`) once data assets exist.
 */
function localInputPaths(
  spec: Pick<CommandJobSpec, 'inputs'>,
  root: string | null,
): {
  paths: Record<string, string>;
  assets: Array<{ input: string; name: string; version: string; mode: string | undefined }>;
} {
  const values: Record<string, string> = {};
  const assets: Array<{ input: string; name: string; version: string; mode: string | undefined }> = [];
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    if (typeof input !== 'object' || input.path === undefined) continue;
    const parsed = tryParseInputPath(input.path);
    if (parsed.type === 'error') continue;
    if (parsed.value.kind === 'local') {
      const path = resolve(root ?? '/', parsed.value.path);
      // Known at submit time, so said then rather than as a failed job later.
      if (!existsSync(path)) {
        throw invalidArgument(`inputs.${name}: the path '${path}' does not exist`, {
          field: `inputs.${name}.path`,
        });
      }
      values[name] = path;
    } else if (parsed.value.kind === 'uri') values[name] = parsed.value.uri;
    else {
      const ref = parsed.value.ref;
      if (ref.kind === 'datastore-path') {
        // A datastore path without a registered asset: handed over as written (mode direct).
        values[name] = input.path;
      } else if (ref.kind === 'labeled' && ref.label !== 'latest') {
        throw invalidArgument(
          `inputs.${name}: the only label is 'latest' (write ${ref.name}@latest or ${ref.name}:<version>)`,
          {
            field: `inputs.${name}.path`,
          },
        );
      } else if (ref.registry !== undefined) {
        throw invalidArgument(
          `inputs.${name}: registries are not available; register the data in this workspace`,
          {
            field: `inputs.${name}.path`,
          },
        );
      } else {
        assets.push({
          input: name,
          name: ref.name,
          version: ref.kind === 'versioned' ? ref.version : 'latest',
          mode: input.mode,
        });
      }
    }
  }
  return { paths: values, assets };
}

import { invalidArgument } from '@cairn/core';
import {
  computeSpecSchema,
  createComputeTarget,
  createEnvironment,
  deleteComputeTarget,
  environmentSpecSchema,
  getComputeTarget,
  getEnvironment,
  isTerminal,
  type Job,
  type JobEvent,
  JobStatus,
  listComputeTargets,
  listEnvironments,
  parseComputeSpec,
  parseEnvironmentSpec,
} from '@cairn/jobs';
import { z } from 'zod';
import { isLoopback } from '../../config.js';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import { Message, PageToken, queryInt, WorkspaceParam } from './schemas.js';

const JobName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'must be a job name such as quiet_heron_4x7k');
const JobParams = z.object({ workspace: WorkspaceParam, name: JobName });
const WsParams = z.object({ workspace: WorkspaceParam });
const SpecObject = z.record(z.string(), z.unknown());

const JobWire = z
  .object({
    name: z.string(),
    type: z.enum(['command', 'sweep']),
    parentJobName: z.string().nullable(),
    status: z.enum(JobStatus),
    compute: z.string(),
    command: z.string().describe('The shell command after placeholder substitution'),
    spec: SpecObject,
    runId: z.string().nullable(),
    experimentId: z.string().nullable(),
    snapshotId: z.string().nullable(),
    environmentHash: z.string().nullable(),
    exitCode: z.number().int().nullable(),
    errorSummary: z.string().nullable().describe('Why it failed, then the last lines of stderr'),
    timeoutSeconds: z.number().nullable(),
    createdBy: z.string(),
    createdAt: z.number(),
    startedAt: z.number().nullable(),
    endedAt: z.number().nullable(),
  })
  .meta({ id: 'Job' });
const SweepTrialWire = z.object({
  name: z.string(),
  index: z.number().int(),
  status: z.enum(JobStatus),
  params: SpecObject.describe('The sampled hyperparameters'),
  runId: z.string().nullable(),
  bestValue: z.number().nullable().describe("The primary metric's best value under the goal"),
  metricCount: z.number().int().describe('How many primary-metric values the trial logged'),
  earlyTerminated: z.string().nullable().describe('The policy that stopped the trial'),
  earlyTerminatedReason: z.string().nullable(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
});
const SweepWire = z
  .object({
    primaryMetric: z.string(),
    goal: z.enum(['maximize', 'minimize']),
    seed: z.number().int(),
    trials: z.array(SweepTrialWire),
    bestTrial: z.object({ name: z.string(), value: z.number(), runId: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'SweepDetails' });
const JobCountWire = z
  .object({
    compute: z.string(),
    type: z.enum(['command', 'sweep']),
    status: z.enum(JobStatus),
    count: z.number().int(),
  })
  .meta({ id: 'JobCount' });
const JobEventWire = z.object({ status: z.enum(JobStatus), at: z.number(), message: z.string().nullable() });
const LogChunkWire = z.object({
  seq: z.number().int(),
  stream: z.enum(['stdout', 'stderr']),
  data: z.string(),
  at: z.number(),
});
const ComputeWire = z
  .object({
    name: z.string(),
    kind: z.string(),
    spec: SpecObject,
    builtIn: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: z.number().nullable(),
  })
  .meta({ id: 'ComputeTarget' });
const EnvironmentWire = z
  .object({
    name: z.string(),
    version: z.string(),
    spec: SpecObject,
    hash: z.string(),
    createdBy: z.string(),
    createdAt: z.number(),
  })
  .meta({ id: 'Environment' });

interface RerunBody {
  rerunOf: string;
  set: string[];
  message?: string | undefined;
  yaml?: unknown;
  spec?: unknown;
  codeRoot?: unknown;
  snapshotId?: unknown;
}

const wireJob = (job: Job) => ({ ...job, spec: job.spec as unknown as Record<string, unknown> });

/** A spec body: YAML text (`yaml`) or the spec as JSON (`spec`), exactly one. */
function specText(body: { yaml?: string | undefined; spec?: Record<string, unknown> | undefined }): string {
  if ((body.yaml === undefined) === (body.spec === undefined)) {
    throw invalidArgument("Give the spec either as YAML text in 'yaml' or as JSON in 'spec'", {
      field: 'yaml',
    });
  }
  return body.yaml ?? JSON.stringify(body.spec);
}

export function jobRoutes(api: NativeApi): void {
  const { app, registry, services } = api;
  const { jobs, store } = services;

  /** `POST jobs` with `rerunOf`: the studio's rerun (a browser cannot upload a code folder). */
  const rerun = (body: RerunBody, request: Parameters<typeof trackingContext>[0]) => {
    const extra = (['yaml', 'spec', 'codeRoot', 'snapshotId'] as const).find((k) => body[k] !== undefined);
    if (extra !== undefined) {
      throw invalidArgument(
        `'rerunOf' takes the spec and code of job '${body.rerunOf}': leave out '${extra}' (change the new job with 'set' overrides)`,
        { field: extra },
      );
    }
    return jobs.rerunJob(trackingContext(request, body.message), {
      source: body.rerunOf,
      overrides: body.set,
    });
  };

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/jobs`,
    tag: 'jobs',
    summary: 'Submit a job',
    description:
      "The job YAML (Azure ML v2 `type: command`) as text in `yaml` or as JSON in `spec`, with `set` overrides (`inputs.C=0.5`). `snapshotId` names the `code` folder as the client uploaded it (hash the files, `POST blobs/missing`, `PUT blobs/{sha256}` for each missing content and for the manifest; the CLI and SDKs do this). `codeRoot` instead names a folder on the server's own disk that `code` and local input paths are relative to (loopback servers only, where the CLI runs beside the server). `rerunOf` submits an existing job again with its spec and code snapshot (the studio's rerun).",
    params: WsParams,
    body: z.strictObject({
      yaml: z.string().max(1_000_000).optional(),
      spec: SpecObject.optional(),
      file: z.string().max(4096).optional().describe('File name shown in validation errors'),
      set: z.array(z.string().max(10_000)).max(1000).default([]),
      codeRoot: z.string().max(4096).optional(),
      snapshotId: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'must be the sha256 of an uploaded snapshot manifest')
        .optional(),
      rerunOf: JobName.optional().describe(
        'Submit this job again (under a fresh name) from its stored spec and code snapshot, with `set` overrides; leave out `yaml`, `spec`, `codeRoot` and `snapshotId`',
      ),
      message: Message,
    }),
    response: z.object({ job: JobWire }),
    status: 201,
    handler: async ({ body, request }) => {
      if (body.rerunOf !== undefined) {
        return { job: wireJob(await rerun({ ...body, rerunOf: body.rerunOf }, request)) };
      }
      if (body.codeRoot !== undefined && !isLoopback(services.config.host)) {
        throw invalidArgument(
          "'codeRoot' (a folder on the server's disk) is accepted only by a server bound to loopback; upload the code folder instead and send its 'snapshotId' (the CLI does this)",
          { field: 'codeRoot' },
        );
      }
      const job = await jobs.createJob(trackingContext(request, body.message), {
        yaml: specText(body),
        file: body.file,
        overrides: body.set,
        codeRoot: body.codeRoot ?? null,
        snapshotId: body.snapshotId ?? null,
      });
      return { job: wireJob(job) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs`,
    tag: 'jobs',
    summary: 'List jobs, newest first',
    params: WsParams,
    query: z.object({
      status: z.enum(JobStatus).optional(),
      parent: JobName.optional().describe("Only this sweep's trials"),
      maxResults: queryInt(1, 1000).default(100),
      pageToken: PageToken,
    }),
    response: z.object({ jobs: z.array(JobWire), nextPageToken: z.string().nullable() }),
    handler: async ({ query, request }) => {
      const page = await jobs.listJobs(request.workspaceId, {
        status: query.status,
        parent: query.parent,
        maxResults: query.maxResults,
        pageToken: query.pageToken ?? null,
      });
      return { jobs: page.jobs.map(wireJob), nextPageToken: page.nextPageToken };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs/counts`,
    tag: 'jobs',
    summary: 'How many jobs are in each status on each compute target',
    description:
      'Counted by the database in one query, for queue lengths and running counts without listing the jobs. A sweep is counted as a `sweep` job on its compute; its trials are `command` jobs of their own. Combinations with no jobs are left out.',
    params: WsParams,
    query: z.object({
      active: z
        .enum(['true', 'false'])
        .optional()
        .describe('`true`: only jobs that have not ended (queued, preparing, running, finalizing)'),
    }),
    response: z.object({ counts: z.array(JobCountWire) }),
    handler: async ({ query, request }) => ({
      counts: await jobs.countJobs(request.workspaceId, { active: query.active === 'true' }),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs/:name`,
    tag: 'jobs',
    summary: 'Get a job with its status history (a sweep with its trials and best trial)',
    params: JobParams,
    response: z.object({ job: JobWire, events: z.array(JobEventWire), sweep: SweepWire.optional() }),
    handler: async ({ params, request }) => {
      const job = await jobs.getJob(request.workspaceId, params.name);
      const events = await jobs.jobEvents(request.workspaceId, params.name);
      if (job.type !== 'sweep') return { job: wireJob(job), events };
      const sweep = await services.sweeps.describe(request.workspaceId, params.name);
      return {
        job: wireJob(job),
        events,
        ...(sweep === null
          ? {}
          : {
              sweep: {
                ...sweep,
                trials: sweep.trials.map(({ metrics, params: values, ...t }) => ({
                  ...t,
                  params: values as Record<string, unknown>,
                  metricCount: metrics.length,
                })),
              },
            }),
      };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/jobs/:name/cancel`,
    tag: 'jobs',
    summary: 'Cancel a job',
    description: 'A queued job is canceled at once; a running one has its whole process tree stopped.',
    params: JobParams,
    body: z.strictObject({ message: Message }),
    response: z.object({ job: JobWire }),
    handler: async ({ params, body, request }) => ({
      job: wireJob(await jobs.cancelJob(trackingContext(request, body.message), params.name)),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs/:name/logs`,
    tag: 'jobs',
    summary: "A job's output after a sequence number",
    params: JobParams,
    query: z.object({
      after: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
      maxResults: queryInt(1, 10_000).default(1000),
    }),
    response: z.object({ chunks: z.array(LogChunkWire) }),
    handler: async ({ params, query, request }) => ({
      chunks: await jobs.jobLogs(request.workspaceId, params.name, query.after, query.maxResults),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs/:name/stream`,
    tag: 'jobs',
    summary: 'Follow a job: its output and status changes as server-sent events',
    description:
      "Events: `log` (data: {seq, stream, data, at}; `id` is the seq) and `status` (data: {status, at, message}). Starts with the stored output after `after`, and ends after the status event of the job's end.",
    params: JobParams,
    query: z.object({ after: queryInt(0, Number.MAX_SAFE_INTEGER).default(0) }),
    response: { mediaType: 'text/event-stream', description: 'Server-sent events' },
    handler: async ({ params, query, request, reply }) => {
      const ws = request.workspaceId;
      const job = await jobs.getJob(ws, params.name);
      const live: JobEvent[] = [];
      let deliver: ((e: JobEvent) => void) | null = null;
      const unsubscribe = services.jobBus.subscribe(ws, params.name, (e) =>
        deliver ? deliver(e) : live.push(e),
      );
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      let lastSeq = query.after;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        unsubscribe();
        res.end();
      };
      request.raw.on('close', finish);
      const send = (e: JobEvent) => {
        if (done) return;
        if (e.type === 'log') {
          if (e.seq <= lastSeq) return;
          lastSeq = e.seq;
          res.write(
            `id: ${e.seq}\nevent: log\ndata: ${JSON.stringify({ seq: e.seq, stream: e.stream, data: e.data, at: e.at })}\n\n`,
          );
        } else {
          res.write(
            `event: status\ndata: ${JSON.stringify({ status: e.status, at: e.at, message: e.message })}\n\n`,
          );
          if (isTerminal(e.status)) finish();
        }
      };
      res.write(
        `event: status\ndata: ${JSON.stringify({ status: job.status, at: Date.now(), message: null })}\n\n`,
      );
      for (;;) {
        const chunks = await jobs.jobLogs(ws, params.name, lastSeq, 1000);
        for (const c of chunks) send({ type: 'log', ...c });
        if (chunks.length < 1000) break;
      }
      const now = await jobs.getJob(ws, params.name);
      if (isTerminal(now.status)) {
        for (const e of live) if (e.type === 'log') send(e);
        send({
          type: 'status',
          status: now.status,
          at: now.endedAt ?? Date.now(),
          message: now.errorSummary,
        });
        return reply;
      }
      for (const e of live) send(e);
      deliver = send;
      return reply;
    },
  });

  // ── compute targets ────────────────────────────────────────────────────────────────────────────
  const SpecBody = z.strictObject({
    yaml: z.string().max(1_000_000).optional(),
    spec: SpecObject.optional(),
    message: Message,
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/computes`,
    tag: 'compute',
    summary: 'Register a compute target',
    description:
      'The compute YAML (`name`, `type: local | slurm | ray`, settings) as text in `yaml` or JSON in `spec`.',
    params: WsParams,
    body: SpecBody,
    response: z.object({ compute: ComputeWire }),
    status: 201,
    handler: async ({ body, request }) => {
      const spec = computeSpecSchema.parse(parseComputeSpec(specText(body), 'compute.yml').spec);
      // A wrong partition or an unreachable engine is refused now, in the engine's own words.
      await services.verifyCompute(request.workspaceId, spec);
      const compute = await createComputeTarget(store, trackingContext(request, body.message), spec);
      return { compute: { ...compute, spec: compute.spec as Record<string, unknown> } };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/computes`,
    tag: 'compute',
    summary: 'List compute targets (the built-in `local` first)',
    params: WsParams,
    response: z.object({ computes: z.array(ComputeWire) }),
    handler: async ({ request }) => ({
      computes: (await listComputeTargets(store, request.workspaceId)).map((c) => ({
        ...c,
        spec: c.spec as Record<string, unknown>,
      })),
    }),
  });

  const ComputeParams = z.object({ workspace: WorkspaceParam, name: z.string().min(1).max(64) });
  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/computes/:name`,
    tag: 'compute',
    summary: 'Get a compute target',
    params: ComputeParams,
    response: z.object({ compute: ComputeWire }),
    handler: async ({ params, request }) => {
      const c = await getComputeTarget(store, request.workspaceId, params.name);
      return { compute: { ...c, spec: c.spec as Record<string, unknown> } };
    },
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: `${WS}/computes/:name`,
    tag: 'compute',
    summary: 'Delete a compute target',
    params: ComputeParams,
    response: null,
    handler: async ({ params, request }) => {
      await deleteComputeTarget(store, trackingContext(request), params.name);
      return undefined;
    },
  });

  // ── environments ──────────────────────────────────────────────────────────────────────────────
  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/environments`,
    tag: 'environments',
    summary: 'Register an environment version',
    description:
      'The environment YAML (`name`, `version`, one of `pip`, `conda_file`, `image`, `build`). Without `version`, the next integer.',
    params: WsParams,
    body: SpecBody,
    response: z.object({ environment: EnvironmentWire }),
    status: 201,
    handler: async ({ body, request }) => {
      const spec = parseEnvironmentSpec(specText(body), 'environment.yml').spec;
      const env = await createEnvironment(
        store,
        trackingContext(request, body.message),
        environmentSpecSchema.parse(spec),
      );
      return { environment: { ...env, spec: env.spec as Record<string, unknown> } };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/environments`,
    tag: 'environments',
    summary: 'List environment versions',
    params: WsParams,
    response: z.object({ environments: z.array(EnvironmentWire) }),
    handler: async ({ request }) => ({
      environments: (await listEnvironments(store, request.workspaceId)).map((e) => ({
        ...e,
        spec: e.spec as Record<string, unknown>,
      })),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/environments/:name`,
    tag: 'environments',
    summary: 'Get an environment version (the newest unless `version` is given)',
    params: z.object({ workspace: WorkspaceParam, name: z.string().min(1).max(255) }),
    query: z.object({ version: z.string().max(128).optional() }),
    response: z.object({ environment: EnvironmentWire }),
    handler: async ({ params, query, request }) => {
      const e = await getEnvironment(store, request.workspaceId, params.name, query.version ?? null);
      return { environment: { ...e, spec: e.spec as Record<string, unknown> } };
    },
  });
}

import { join } from 'node:path';
import { CairnError, ErrorCode, invalidArgument, toCairnError } from '@cairn/core';
import type { DataService, DatastoreRegistry } from '@cairn/data';
import { IdentityService, SYSTEM_PRINCIPAL } from '@cairn/identity';
import {
  type ComputeAdapter,
  type ComputeKind,
  type ComputeSpec,
  JobBus,
  JobService,
  LocalCompute,
  RayComputeAdapter,
  Scheduler,
  SlurmComputeAdapter,
  SweepController,
} from '@cairn/jobs';
import {
  type BlobStore,
  LocalBlobStore,
  type MetadataStore,
  openMetadataStore,
  openS3BlobStore,
} from '@cairn/store';
import { ArtifactRepository } from '@cairn/tracking';
import Fastify, { type FastifyInstance } from 'fastify';
import { identityRoutes } from './api/v1/identity-routes.js';
import { registerNativeApi } from './api/v1/index.js';
import { registerAuth } from './auth/index.js';
import { isLoopback, type ServerConfig } from './config.js';
import { buildDataServices } from './data/data-services.js';
import { errorStyleFor, formatError } from './http/error-format.js';
import { parseJsonBody } from './http/json-body.js';
import { registerMlflowRoutes } from './mlflow/index.js';
import { registerStudio, STUDIO_PUBLIC_PATHS } from './studio/index.js';

/** Everything a route handler can reach: the stores and the feature services built on them. */
export interface Services {
  config: ServerConfig;
  store: MetadataStore;
  blobs: BlobStore;
  identity: IdentityService;
  artifacts: ArtifactRepository;
  jobs: JobService;
  jobBus: JobBus;
  scheduler: Scheduler;
  /** Checks a compute target's settings against its engine (partition exists, Ray answers); throws its words. */
  verifyCompute(workspaceId: string, spec: ComputeSpec): Promise<void>;
  sweeps: SweepController;
  data: DataService;
  datastores: DatastoreRegistry;
}

/** The user that owns the scoped tokens jobs get when their submitter is not a stored user (local mode). */
export const JOBS_SERVICE_USER = 'cairn-jobs';

export interface CairnServer {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

export async function openBlobStore(config: ServerConfig): Promise<BlobStore> {
  if (config.blobUri.startsWith('s3://')) {
    const s3 = await openS3BlobStore(config.blobUri, config.s3);
    // Fail at start, naming the setting, rather than on the first upload.
    await s3.verify().catch(async (err: unknown) => {
      await s3.close();
      throw err;
    });
    return s3;
  }
  const local = new LocalBlobStore(config.blobUri);
  await local.sweepTemporaryFiles();
  return local;
}

/** Builds the server (routes registered, stores opened and migrated) without listening. */
export async function buildServer(config: ServerConfig): Promise<CairnServer> {
  if (!isLoopback(config.host) && !config.authRequired && !config.bootstrapAdmin) {
    throw invalidArgument(
      `Refusing to listen on ${config.host} without authentication: bind to 127.0.0.1 for the single-user local mode, or configure users (CAIRN_BOOTSTRAP_ADMIN=name:password) and set CAIRN_AUTH_REQUIRED=1`,
      { field: 'host' },
    );
  }
  const store = await openMetadataStore(config.storeUri);
  const blobs = await openBlobStore(config);
  const identity = new IdentityService({ store });
  await identity.ensureWorkspace(config.defaultWorkspace);
  if (config.bootstrapAdmin) await identity.ensureBootstrapAdmin(config.bootstrapAdmin);
  const artifacts = new ArtifactRepository({ store, blobs });
  const app = Fastify({
    logger: { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
  });
  const dataServices = await buildDataServices({ config, store, blobs, log: app.log });
  const jobBus = new JobBus();
  const jobsConfig = config.jobs;
  const workRoot = jobsConfig.workDir;
  const workDir = (workspaceId: string, jobName: string) => join(workRoot, workspaceId, jobName);
  const adapterFor = (workspaceId: string, spec: ComputeSpec, onChange: (jobId: string) => void) =>
    buildAdapter(spec, { config, blobs, workspaceId, onChange });
  const scheduler = new Scheduler({
    store,
    blobs,
    artifacts,
    bus: jobBus,
    workDir,
    defaultWorkspace: config.defaultWorkspace,
    serverUrl: () => (jobsConfig.publicUrl ? Promise.resolve(jobsConfig.publicUrl) : listeningUrl(app)),
    adapterFor: (workspaceId, target, onChange) => adapterFor(workspaceId, target.spec, onChange),
    environments: { cacheDir: jobsConfig.envCacheDir, path: jobsConfig.baseEnvironment.PATH },
    systemMetricsIntervalMs: jobsConfig.systemMetricsIntervalMs,
    data: dataServices.jobData,
    log: app.log,
    tokens: {
      // Every job gets a token (remote launchers fetch the snapshot and write back with it): its
      // submitter's when a stored user, else the `cairn-jobs` service user's, which keeps local mode on.
      issue: async ({ workspaceId, userName, jobName, expiresAt }) => {
        const submitter = await identity.getUser(userName).catch(() => null);
        const owner = submitter ?? (await identity.ensureServiceUser(JOBS_SERVICE_USER));
        const { token, secret } = await identity.createToken(
          {
            userName: owner.name,
            name: `job ${jobName}`,
            workspaceScope: workspaceId,
            roleScope: 'contributor',
            expiresAt,
          },
          { actor: SYSTEM_PRINCIPAL, message: `token for job ${jobName}` },
        );
        return { id: token.id, secret };
      },
      revoke: async (id) => {
        await identity.revokeToken(id, { actor: SYSTEM_PRINCIPAL, message: 'job ended' });
      },
    },
  });
  const verifyCompute = async (workspaceId: string, spec: ComputeSpec): Promise<void> => {
    const adapter = adapterFor(workspaceId, spec, () => {});
    try {
      await adapter.verify();
    } finally {
      await adapter.close();
    }
  };
  const sweeps = new SweepController({
    store,
    bus: jobBus,
    workDir,
    cancelStarted: (workspaceId, jobName) => scheduler.cancel(workspaceId, jobName),
    isLeader: () => scheduler.leader,
  });
  const jobs = new JobService({
    store,
    blobs,
    bus: jobBus,
    workRoot,
    adapterKinds: ADAPTER_KINDS,
    data: dataServices.jobData,
    cancelStarted: async (workspaceId, jobName) => {
      if (!(await sweeps.cancel(workspaceId, jobName))) await scheduler.cancel(workspaceId, jobName);
    },
  });
  const services: Services = {
    data: dataServices.data,
    datastores: dataServices.datastores,
    config,
    store,
    blobs,
    identity,
    artifacts,
    jobs,
    jobBus,
    scheduler,
    verifyCompute,
    sweeps,
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // Everything else (artifact uploads) arrives as a stream the route reads itself.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err, req, reply) => {
    const cairn = fromFastifyError(err);
    if (cairn.code === ErrorCode.INTERNAL) req.log.error({ err }, 'unhandled error');
    const { status, body } = formatError(cairn, errorStyleFor(req.url));
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new CairnError(
      ErrorCode.ENDPOINT_NOT_FOUND,
      `No route for ${req.method} ${req.url.split('?')[0]}`,
    );
    const { status, body } = formatError(err, errorStyleFor(req.url));
    void reply.status(status).send(body);
  });

  app.get('/health', async () => 'OK');

  registerAuth(app, { identity, config, publicPaths: STUDIO_PUBLIC_PATHS });
  // Before the identity routes: it records every /api/v1 route registered after it for the OpenAPI check.
  registerNativeApi(app, services);
  await app.register(identityRoutes, { prefix: '/api/v1', identity, config });
  await registerMlflowRoutes(app, services);
  await registerStudio(app, { defaultWorkspace: config.defaultWorkspace });
  await scheduler.start();
  sweeps.start();
  dataServices.refresher.start();

  return {
    app,
    services,
    async close() {
      await sweeps.stop();
      await scheduler.stop();
      await dataServices.close();
      await app.close();
      await blobs.close?.();
      await store.close();
    },
  };
}

/** The compute kinds this server runs jobs on (Kubernetes comes later). */
const ADAPTER_KINDS: ReadonlySet<ComputeKind> = new Set(['local', 'slurm', 'ray']);

/** The engine for a compute target: a local process pool, a Slurm cluster, or a Ray cluster. */
function buildAdapter(
  spec: ComputeSpec,
  ctx: { config: ServerConfig; blobs: BlobStore; workspaceId: string; onChange: (jobId: string) => void },
): ComputeAdapter {
  const { jobs } = ctx.config;
  switch (spec.type) {
    case 'local':
      return new LocalCompute({
        cpus: spec.cpus,
        memoryGb: spec.memory_gb,
        gpus: spec.gpus,
        baseEnv: jobs.baseEnvironment,
        onChange: ctx.onChange,
      });
    case 'slurm':
      return new SlurmComputeAdapter({
        target: spec,
        // Job names are unique per workspace, so each workspace has its own folder.
        jobsRoot: join(jobs.slurmJobsDir, ctx.workspaceId),
        envCacheDir: jobs.envCacheDir,
      });
    case 'ray':
      return new RayComputeAdapter({ address: spec.address, blobs: ctx.blobs });
    case 'kubernetes':
      throw invalidArgument(
        'Compute type kubernetes is not supported by this server yet: use a local, slurm or ray target',
        { field: 'type' },
      );
  }
}

/** The server's own URL once it listens (jobs call back to it); waits for `listen` if needed. */
function listeningUrl(app: FastifyInstance): Promise<string> {
  const current = (): string | null => {
    const address = app.server.address();
    if (address === null || typeof address === 'string') return null;
    const host =
      address.address === '0.0.0.0' || address.address === '::'
        ? '127.0.0.1'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
    return `http://${host}:${address.port}`;
  };
  const now = current();
  if (now !== null) return Promise.resolve(now);
  return new Promise((resolve) =>
    app.server.once('listening', () => resolve(current() ?? 'http://127.0.0.1')),
  );
}

/** Maps Fastify's own failures (body too large, bad content type) onto the closed set of codes. */
function fromFastifyError(err: unknown): CairnError {
  if (err instanceof CairnError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new CairnError(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body is too large', { field: 'body' });
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new CairnError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, e.message ?? 'Unsupported content type');
  }
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return invalidArgument('Malformed JSON in request body', { field: 'body' });
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return invalidArgument(e.message ?? 'Bad request');
  }
  return toCairnError(err);
}

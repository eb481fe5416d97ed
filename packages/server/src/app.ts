import { join } from 'node:path';
import { CairnError, ErrorCode, invalidArgument, toCairnError } from '@cairn/core';
import { IdentityService, SYSTEM_PRINCIPAL } from '@cairn/identity';
import { JobBus, JobService, LocalCompute, Scheduler, SweepController } from '@cairn/jobs';
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
import { errorStyleFor, formatError } from './http/error-format.js';
import { parseJsonBody } from './http/json-body.js';
import { registerMlflowRoutes } from './mlflow/index.js';

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
  sweeps: SweepController;
}

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
  const jobBus = new JobBus();
  const workRoot = join(config.dataDir, 'jobs');
  const workDir = (workspaceId: string, jobName: string) => join(workRoot, workspaceId, jobName);
  const scheduler = new Scheduler({
    store,
    blobs,
    artifacts,
    bus: jobBus,
    workDir,
    defaultWorkspace: config.defaultWorkspace,
    serverUrl: () => listeningUrl(app),
    adapterFor: (_workspaceId, target, onChange) => {
      if (target.spec.type !== 'local') throw new Error(`no adapter for ${target.kind} compute yet`);
      // The job inherits the server's environment (PATH, HOME) — never its CAIRN_* settings.
      const baseEnv = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')),
      );
      return new LocalCompute({
        cpus: target.spec.cpus,
        memoryGb: target.spec.memory_gb,
        gpus: target.spec.gpus,
        baseEnv,
        onChange,
      });
    },
    tokens: {
      // Local mode has no stored users, so no token: the loopback server needs none.
      issue: async ({ workspaceId, userName, jobName, expiresAt }) => {
        if (!(await identity.hasUsers())) return null;
        const owner = await identity.getUser(userName).catch(() => null);
        if (!owner) return null;
        const { token, secret } = await identity.createToken(
          {
            userName,
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
    adapterKinds: new Set(['local']),
    cancelStarted: async (workspaceId, jobName) => {
      if (!(await sweeps.cancel(workspaceId, jobName))) await scheduler.cancel(workspaceId, jobName);
    },
  });
  const services: Services = {
    config,
    store,
    blobs,
    identity,
    artifacts,
    jobs,
    jobBus,
    scheduler,
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

  registerAuth(app, { identity, config });
  // Before the identity routes: it records every /api/v1 route registered after it for the OpenAPI check.
  registerNativeApi(app, services);
  await app.register(identityRoutes, { prefix: '/api/v1', identity, config });
  await registerMlflowRoutes(app, services);
  await scheduler.start();
  sweeps.start();

  return {
    app,
    services,
    async close() {
      await sweeps.stop();
      await scheduler.stop();
      await app.close();
      await blobs.close?.();
      await store.close();
    },
  };
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

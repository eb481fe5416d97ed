import { CairnError, ErrorCode, invalidArgument, toCairnError } from '@cairn/core';
import { IdentityService } from '@cairn/identity';
import {
  type BlobStore,
  LocalBlobStore,
  type MetadataStore,
  openMetadataStore,
  S3BlobStore,
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
}

export interface CairnServer {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

export async function openBlobStore(config: ServerConfig): Promise<BlobStore> {
  if (config.blobUri.startsWith('s3://')) {
    const s3 = S3BlobStore.fromUri(config.blobUri, config.s3);
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
  const services: Services = { config, store, blobs, identity, artifacts };

  const app = Fastify({
    logger: { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
  });

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

  return {
    app,
    services,
    async close() {
      await app.close();
      await blobs.close?.();
      await store.close();
    },
  };
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

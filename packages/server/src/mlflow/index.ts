import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app.js';
import { artifactProxyRoutes } from './artifact-routes.js';
import { loggedModelRoutes } from './logged-model-routes.js';
import { trackingRoutes } from './tracking-routes.js';
import { type Fields, requestFields } from './wire.js';

/** Where MLflow clients find the API: the default workspace at the root, any workspace under its prefix. */
export const MLFLOW_PREFIXES = ['', '/workspaces/:workspace'] as const;

const SERVER_INFO = {
  store_type: 'SqlStore',
  workspaces_enabled: false,
  trace_archival_enabled: false,
  multipart_uploads_enabled: true,
  multipart_downloads_enabled: false,
};

/** Registers MLflow's REST API (`/api/2.0/mlflow/...`, also under `/ajax-api/`) for every prefix. */
export async function registerMlflowRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const table = { ...trackingRoutes(services), ...loggedModelRoutes(services) };
  for (const prefix of MLFLOW_PREFIXES) {
    for (const api of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
      for (const [path, methods] of Object.entries(table)) {
        for (const [method, handler] of Object.entries(methods)) {
          app.route({
            method: method as 'GET',
            url: `${prefix}${api}${path}`,
            handler: async (req: FastifyRequest, reply: FastifyReply) => {
              const fields: Fields = { ...requestFields(req), ...((req.params ?? {}) as Fields) };
              const result = await handler(fields, req);
              void reply.header('X-Content-Type-Options', 'nosniff');
              return result ?? {};
            },
          });
        }
      }
    }
    await app.register(artifactProxyRoutes(services, prefix));
    app.get(`${prefix}/api/3.0/mlflow/server-info`, async () => SERVER_INFO);
    app.get(`${prefix}/version`, async () => '3.17.2');
  }
}

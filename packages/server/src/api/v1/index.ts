import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.js';
import { OpenApiRegistry } from '../../openapi/index.js';
import { artifactRoutes } from './artifact-routes.js';
import { blobRoutes } from './blob-routes.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { dataRoutes, dataTableRoutes } from './data-routes.js';
import { datastoreRoutes } from './datastore-routes.js';
import { experimentRoutes } from './experiment-routes.js';
import { describeIdentityOperations } from './identity-operations.js';
import { jobRoutes } from './job-routes.js';
import { metricRoutes } from './metric-routes.js';
import { nativeApi } from './native-api.js';
import { runRoutes } from './run-routes.js';
import { snapshotRoutes } from './snapshot-routes.js';

export const API_VERSION = '0.1.0';

/**
 * Registers the native tracking API under /api/v1/workspaces/:workspace and serves the OpenAPI
 * document of everything under /api/v1 at GET /api/v1/openapi.json (public).
 */
export function registerNativeApi(app: FastifyInstance, services: Services): OpenApiRegistry {
  const registry = new OpenApiRegistry();
  // Every /api/v1 route registered from here on (ours and the identity routes) is recorded, so a route
  // missing from the document shows up in it (and fails the test that checks the document).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (route.url.startsWith('/api/v1/') && method !== 'HEAD' && method !== 'OPTIONS') {
        registry.noteRoute(method, route.url);
      }
    }
  });
  const api = nativeApi(app, registry, services);
  experimentRoutes(api);
  runRoutes(api);
  metricRoutes(api);
  artifactRoutes(api);
  jobRoutes(api);
  snapshotRoutes(api);
  blobRoutes(api);
  datastoreRoutes(api);
  dataRoutes(api);
  dataTableRoutes(api);
  dashboardRoutes(api);
  describeIdentityOperations(registry);

  let document: unknown = null;
  app.get('/api/v1/openapi.json', async () => {
    document ??= registry.document({ title: 'Cairn API', version: API_VERSION });
    return document;
  });
  return registry;
}

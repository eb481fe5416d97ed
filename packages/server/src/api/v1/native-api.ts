import type { ArtifactRepository, RequestContext } from '@cairn/tracking';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../app.js';
import type { OpenApiRegistry } from '../../openapi/index.js';

/** What the native route modules share: where to register, the document to describe them in, services. */
export interface NativeApi {
  app: FastifyInstance;
  registry: OpenApiRegistry;
  services: Services;
  artifacts: ArtifactRepository;
}

export function nativeApi(app: FastifyInstance, registry: OpenApiRegistry, services: Services): NativeApi {
  return {
    app,
    registry,
    services,
    artifacts: services.artifacts,
  };
}

/** Every workspace-scoped route lives under this prefix. */
export const WS = '/api/v1/workspaces/:workspace';

/** The tracking context of a request: workspace (resolved by the auth hook), caller, and the reason given. */
export function trackingContext(request: FastifyRequest, bodyMessage?: string | null): RequestContext {
  const header = request.headers['x-cairn-message'];
  const fromHeader = Array.isArray(header) ? header.join(' ') : header;
  return {
    workspaceId: request.workspaceId,
    actor: request.principal.userName,
    message: bodyMessage ?? fromHeader ?? null,
  };
}

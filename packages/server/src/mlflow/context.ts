import type { RequestContext } from '@cairn/tracking';
import type { FastifyRequest } from 'fastify';

/** The tracking context of a request: its workspace (resolved by the auth hook) and who is calling. */
export function requestContext(request: FastifyRequest): RequestContext {
  const header = request.headers['x-cairn-message'];
  return {
    workspaceId: request.workspaceId,
    actor: request.principal.userName,
    message: (Array.isArray(header) ? header.join(' ') : header) ?? null,
  };
}

import {
  notFound,
  type Principal,
  permissionDenied,
  type Role,
  roleAllows,
  unauthenticated,
} from '@cairn/core';
import { type IdentityService, localPrincipal, type MutationContext, WORKSPACE_NAME } from '@cairn/identity';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback, type ServerConfig } from '../config.js';
import { parseAuthorization } from './credentials.js';
import { roleForRequest, workspaceOfPath } from './workspace-path.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set for every request by the auth hook (anonymous on public paths). */
    principal: Principal;
    /** The workspace the path addresses; '' for paths outside any workspace (`/api/v1/users`). */
    workspaceId: string;
    /** The principal's role in `workspaceId` (null outside a workspace). */
    workspaceRole: Role | null;
  }
}

export interface AuthOptions {
  identity: IdentityService;
  config: ServerConfig;
  /**
   * Paths served without credentials: exact paths, or prefixes ending in '/' ('/' itself is exact).
   * `/health` and the OpenAPI document are always public.
   */
  publicPaths?: readonly string[];
}

const ALWAYS_PUBLIC = ['/health', '/openapi.json', '/api/v1/openapi.json'];
const CHALLENGE = 'Bearer realm="cairn", Basic realm="cairn", charset="UTF-8"';

export const ANONYMOUS: Principal = {
  userId: 'anonymous',
  userName: 'anonymous',
  isAdmin: false,
  workspaceScope: null,
  roleScope: null,
};

/**
 * Adds the hook that authenticates every request and checks its workspace role: sets
 * `request.principal`, `request.workspaceId` and `request.workspaceRole`, or answers UNAUTHENTICATED
 * (401 with a `WWW-Authenticate` challenge), NOT_FOUND (unknown workspace) or PERMISSION_DENIED.
 *
 * Local mode: bound to loopback, `authRequired` off and no user stored yet, every request is the local
 * admin (named after the OS user) without credentials. Creating the first user ends local mode.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const { identity, config } = options;
  const publicPaths = [...ALWAYS_PUBLIC, ...(options.publicPaths ?? [])];
  const isPublic = (path: string) =>
    publicPaths.some((p) => (p.endsWith('/') && p !== '/' ? path.startsWith(p) : path === p));
  const local = localPrincipal(config.localUser);
  const localModePossible = isLoopback(config.host) && !config.authRequired;

  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('workspaceId', '');
  app.decorateRequest('workspaceRole', null);

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    request.workspaceId = '';
    request.workspaceRole = null;
    if (isPublic(path)) {
      request.principal = localModePossible && !(await identity.hasUsers()) ? local : ANONYMOUS;
      return;
    }
    request.principal =
      localModePossible && !(await identity.hasUsers())
        ? local
        : await authenticate(identity, request, reply);

    const workspace = workspaceOfPath(path, config.defaultWorkspace);
    if (workspace === null) return;
    if (!WORKSPACE_NAME.test(workspace) || !(await identity.workspaceExists(workspace))) {
      throw notFound(`Workspace '${workspace}' does not exist: list workspaces with GET /api/v1/workspaces`, {
        field: 'workspace',
      });
    }
    const role = await identity.effectiveRole(request.principal, workspace);
    request.workspaceId = workspace;
    request.workspaceRole = role;
    checkRole(request, roleForRequest(request.method, path));
  });
}

async function authenticate(
  identity: IdentityService,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal> {
  const fail = (message: string) => {
    void reply.header('WWW-Authenticate', CHALLENGE);
    return unauthenticated(message);
  };
  let credentials: ReturnType<typeof parseAuthorization>;
  try {
    credentials = parseAuthorization(request.headers.authorization);
  } catch (err) {
    void reply.header('WWW-Authenticate', CHALLENGE);
    throw err;
  }
  if (credentials === null) {
    throw fail(
      'Authentication required: send Authorization: Bearer <token> (MLFLOW_TRACKING_TOKEN) or Basic user:password (MLFLOW_TRACKING_USERNAME/PASSWORD)',
    );
  }
  const principal =
    credentials.kind === 'bearer'
      ? await identity.authenticateToken(credentials.token)
      : await identity.authenticatePassword(credentials.user, credentials.password);
  if (principal === null) {
    throw fail(
      credentials.kind === 'bearer'
        ? 'Invalid API token: it is unknown, revoked or expired; create a new one with POST /api/v1/tokens'
        : 'Invalid user name or password',
    );
  }
  return principal;
}

function checkRole(request: FastifyRequest, needs: Role): void {
  const has = request.workspaceRole;
  if (has !== null && roleAllows(has, needs)) return;
  const who = request.principal.userName;
  const where = request.workspaceId;
  if (has === null) {
    const scope = request.principal.workspaceScope;
    throw permissionDenied(
      scope !== null && scope !== where
        ? `This token is scoped to workspace '${scope}' and cannot be used in '${where}'`
        : `'${who}' is not a member of workspace '${where}': ask one of its owners to add you`,
    );
  }
  throw permissionDenied(
    `'${who}' has role ${has} in workspace '${where}'; this needs ${needs}: ask one of its owners for the role`,
  );
}

/**
 * For route handlers: throws PERMISSION_DENIED unless the caller holds at least `role` in the request's
 * workspace (the hook has already checked the method's default: reader for reads, contributor for writes).
 */
export function requireRole(request: FastifyRequest, role: Role): void {
  if (request.workspaceId === '') {
    throw new Error(`requireRole('${role}') called on ${request.url}, which addresses no workspace`);
  }
  checkRole(request, role);
}

/** For route handlers: an admin acting with full rights (not through a scoped token). */
export function requireAdmin(request: FastifyRequest, what: string): void {
  const p = request.principal;
  if (p.isAdmin && p.workspaceScope === null && p.roleScope === null) return;
  throw permissionDenied(
    p.isAdmin
      ? `Only an unscoped admin can ${what}: this token is scoped`
      : `Only an admin can ${what}; '${p.userName}' is not one`,
  );
}

/** For route handlers: who is making a change, and the message for its audit event (body or X-Cairn-Message). */
export function mutationContext(request: FastifyRequest, bodyMessage?: string | null): MutationContext {
  const header = request.headers['x-cairn-message'];
  const fromHeader = Array.isArray(header) ? header.join(' ') : header;
  return { actor: request.principal, message: bodyMessage ?? fromHeader ?? null };
}

import { invalidArgument, minRole, permissionDenied, Role } from '@cairn/core';
import type { IdentityService } from '@cairn/identity';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { mutationContext, requireAdmin, requireRole } from '../../auth/index.js';
import type { ServerConfig } from '../../config.js';

export interface IdentityRoutesOptions {
  identity: IdentityService;
  config: ServerConfig;
}

const message = z.string().max(2000).optional();
const roleEnum = z.enum(Role, { error: `must be one of ${Role.join(', ')}` });

export const CreateWorkspaceBody = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  message,
});
export const UpdateWorkspaceBody = z.strictObject({ description: z.string(), message });
export const SetMemberBody = z.strictObject({ role: roleEnum, message });
export const CreateUserBody = z.strictObject({
  name: z.string(),
  displayName: z.string().optional(),
  password: z.string().optional(),
  isAdmin: z.boolean().optional(),
  message,
});
export const CreateTokenBody = z.strictObject({
  name: z.string(),
  user: z.string().optional(),
  workspace: z.string().optional(),
  role: roleEnum.optional(),
  expiresAt: z.number().int().positive().optional(),
  message,
});
export const MutationBody = z.strictObject({ message }).optional();
export const TokenListQuery = z.strictObject({
  user: z.string().optional(),
  all: z.enum(['true', 'false']).optional(),
});
export const AuditQuery = z.strictObject({
  action: z.string().optional(),
  actor: z.string().optional(),
  pageToken: z.string().optional(),
  maxResults: z.coerce.number().int().min(1).max(1000).optional(),
});

/** Parses with a zod schema; the first problem becomes INVALID_ARGUMENT naming the field. */
function parse<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length === 0 ? where : formatPath(issue.path);
  const problem =
    issue.code === 'unrecognized_keys'
      ? `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`
      : issue.message;
  throw invalidArgument(`Invalid ${where}: '${field}' ${problem}`, {
    field: issue.code === 'unrecognized_keys' ? issue.keys[0] : field,
  });
}

const formatPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

type WorkspaceParams = { workspace: string };
type MemberParams = { workspace: string; user: string };

/**
 * Workspaces, members, users, tokens and the audit log under /api/v1. The auth hook has already
 * authenticated the caller and, for workspace paths, checked reader (reads) or contributor (writes);
 * the handlers ask for more where it is needed.
 */
export async function identityRoutes(app: FastifyInstance, options: IdentityRoutesOptions): Promise<void> {
  const { identity, config } = options;

  // ── workspaces ──
  app.get('/workspaces', async (request) => ({
    workspaces: await identity.listWorkspaces(request.principal),
  }));

  app.post('/workspaces', async (request, reply) => {
    const body = parse(CreateWorkspaceBody, request.body, 'body');
    if (request.principal.workspaceScope !== null) {
      throw permissionDenied('A workspace-scoped token cannot create workspaces');
    }
    const workspace = await identity.createWorkspace(body, mutationContext(request, body.message));
    return reply.status(201).send({ workspace: { ...workspace, role: 'owner' } });
  });

  app.get<{ Params: WorkspaceParams }>('/workspaces/:workspace', async (request) => ({
    workspace: { ...(await identity.getWorkspace(request.workspaceId)), role: request.workspaceRole },
  }));

  app.patch<{ Params: WorkspaceParams }>('/workspaces/:workspace', async (request) => {
    requireRole(request, 'owner');
    const body = parse(UpdateWorkspaceBody, request.body, 'body');
    const workspace = await identity.updateWorkspace(
      request.workspaceId,
      body,
      mutationContext(request, body.message),
    );
    return { workspace: { ...workspace, role: request.workspaceRole } };
  });

  app.delete<{ Params: WorkspaceParams }>('/workspaces/:workspace', async (request, reply) => {
    requireRole(request, 'owner');
    const body = parse(MutationBody, request.body, 'body');
    await identity.deleteWorkspace(request.workspaceId, mutationContext(request, body?.message), {
      protect: [config.defaultWorkspace],
    });
    return reply.status(204).send();
  });

  // ── members ──
  app.get<{ Params: WorkspaceParams }>('/workspaces/:workspace/members', async (request) => ({
    members: await identity.listMembers(request.workspaceId),
  }));

  app.put<{ Params: MemberParams }>('/workspaces/:workspace/members/:user', async (request) => {
    requireRole(request, 'owner');
    const body = parse(SetMemberBody, request.body, 'body');
    const member = await identity.setMember(
      request.workspaceId,
      request.params.user,
      body.role,
      mutationContext(request, body.message),
    );
    return { member };
  });

  app.delete<{ Params: MemberParams }>('/workspaces/:workspace/members/:user', async (request, reply) => {
    requireRole(request, 'owner');
    const body = parse(MutationBody, request.body, 'body');
    await identity.removeMember(
      request.workspaceId,
      request.params.user,
      mutationContext(request, body?.message),
    );
    return reply.status(204).send();
  });

  // ── audit ──
  app.get<{ Params: WorkspaceParams }>('/workspaces/:workspace/audit-events', async (request) => {
    const query = parse(AuditQuery, request.query, 'query');
    return identity.listAuditEvents(request.workspaceId, query);
  });

  // ── users ──
  app.get('/users', async () => ({ users: await identity.listUsers() }));

  app.get('/users/me', async (request) => {
    const p = request.principal;
    const stored = await identity.findUserById(p.userId);
    return {
      user: stored ?? {
        id: p.userId,
        name: p.userName,
        displayName: p.userName,
        isAdmin: p.isAdmin,
        createdAt: null,
      },
      local: stored === null && p.userId.startsWith('local:'),
      token: p.tokenId ? { id: p.tokenId, workspaceScope: p.workspaceScope, roleScope: p.roleScope } : null,
      workspaces: await identity.listWorkspaces(p),
    };
  });

  app.post('/users', async (request, reply) => {
    requireAdmin(request, 'create users');
    const body = parse(CreateUserBody, request.body, 'body');
    const user = await identity.createUser(body, mutationContext(request, body.message));
    return reply.status(201).send({ user });
  });

  // ── tokens ──
  app.get('/tokens', async (request) => {
    const query = parse(TokenListQuery, request.query, 'query');
    if (query.all === 'true' || query.user) requireAdmin(request, "list other users' tokens");
    const userId =
      query.all === 'true'
        ? null
        : query.user
          ? (await identity.getUser(query.user)).id
          : request.principal.userId;
    return { tokens: await identity.listTokens(userId) };
  });

  app.post('/tokens', async (request, reply) => {
    const body = parse(CreateTokenBody, request.body, 'body');
    const p = request.principal;
    if (body.user !== undefined && body.user !== p.userName)
      requireAdmin(request, 'create tokens for other users');
    // A token never grants more than the credential that made it: it inherits the caller's scopes.
    if (p.workspaceScope !== null && body.workspace !== undefined && body.workspace !== p.workspaceScope) {
      throw permissionDenied(
        `This token is scoped to workspace '${p.workspaceScope}'; it can only create tokens for it`,
      );
    }
    const workspaceScope = body.workspace ?? p.workspaceScope;
    const roleScope =
      p.roleScope === null ? (body.role ?? null) : minRole(body.role ?? p.roleScope, p.roleScope);
    const created = await identity.createToken(
      { name: body.name, userName: body.user, workspaceScope, roleScope, expiresAt: body.expiresAt },
      mutationContext(request, body.message),
    );
    return reply.status(201).send({ token: created.token, secret: created.secret });
  });

  app.delete<{ Params: { id: string } }>('/tokens/:id', async (request) => {
    const token = await identity.getToken(request.params.id);
    if (token.userId !== request.principal.userId) requireAdmin(request, "revoke other users' tokens");
    const body = parse(MutationBody, request.body, 'body');
    return { token: await identity.revokeToken(token.id, mutationContext(request, body?.message)) };
  });
}

import { Role } from '@cairn/core';
import { z } from 'zod';
import type { OpenApiRegistry, OperationDescription } from '../../openapi/index.js';
import {
  AuditQuery,
  CreateTokenBody,
  CreateUserBody,
  CreateWorkspaceBody,
  MutationBody,
  SetMemberBody,
  TokenListQuery,
  UpdateWorkspaceBody,
} from './identity-routes.js';
import { WorkspaceParam } from './schemas.js';

/**
 * The OpenAPI operations of identity-routes.ts (workspaces, members, users, tokens, audit), which are
 * registered with plain Fastify routes. Request schemas are the ones those routes parse with; the
 * response shapes below mirror what they return. A test checks every /api/v1 route is described.
 */
const Workspace = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: z.number().int(),
    createdBy: z.string(),
    role: z.enum(Role).nullable().describe("The caller's role in it"),
  })
  .meta({ id: 'Workspace' });

const User = z
  .object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    isAdmin: z.boolean(),
    createdAt: z.number().int().nullable(),
  })
  .meta({ id: 'User' });

const Member = z
  .object({
    workspaceId: z.string(),
    userId: z.string(),
    userName: z.string(),
    displayName: z.string(),
    role: z.enum(Role),
    createdAt: z.number().int(),
  })
  .meta({ id: 'Member' });

const ApiToken = z
  .object({
    id: z.string(),
    userId: z.string(),
    userName: z.string(),
    name: z.string(),
    workspaceScope: z.string().nullable(),
    roleScope: z.enum(Role).nullable(),
    createdAt: z.number().int(),
    expiresAt: z.number().int().nullable(),
    revokedAt: z.number().int().nullable(),
  })
  .meta({ id: 'ApiToken' });

const AuditEvent = z
  .object({
    id: z.number().int(),
    workspaceId: z.string().nullable(),
    actor: z.string(),
    at: z.number().int(),
    action: z.string(),
    targetKind: z.string(),
    targetId: z.string(),
    message: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .meta({ id: 'AuditEvent' });

const WsParams = z.object({ workspace: WorkspaceParam });
const MemberParams = z.object({ workspace: WorkspaceParam, user: z.string() });
const WorkspaceResponse = z.object({ workspace: Workspace });

type Op = Omit<OperationDescription, 'status' | 'tag'> & { status?: number; tag?: string };

const OPERATIONS: Op[] = [
  {
    method: 'GET',
    url: '/api/v1/workspaces',
    summary: 'List the workspaces the caller can see',
    response: z.object({ workspaces: z.array(Workspace) }),
  },
  {
    method: 'POST',
    url: '/api/v1/workspaces',
    summary: 'Create a workspace (the caller becomes its owner)',
    body: CreateWorkspaceBody,
    response: WorkspaceResponse,
    status: 201,
  },
  {
    method: 'GET',
    url: '/api/v1/workspaces/:workspace',
    summary: 'Get a workspace',
    params: WsParams,
    response: WorkspaceResponse,
  },
  {
    method: 'PATCH',
    url: '/api/v1/workspaces/:workspace',
    summary: "Update a workspace's description (owner)",
    params: WsParams,
    body: UpdateWorkspaceBody,
    response: WorkspaceResponse,
  },
  {
    method: 'DELETE',
    url: '/api/v1/workspaces/:workspace',
    summary: 'Delete an empty workspace (owner)',
    params: WsParams,
    body: MutationBody,
    response: null,
  },
  {
    method: 'GET',
    url: '/api/v1/workspaces/:workspace/members',
    summary: 'List members',
    tag: 'members',
    params: WsParams,
    response: z.object({ members: z.array(Member) }),
  },
  {
    method: 'PUT',
    url: '/api/v1/workspaces/:workspace/members/:user',
    summary: "Add a member or change a member's role (owner)",
    tag: 'members',
    params: MemberParams,
    body: SetMemberBody,
    response: z.object({ member: Member }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/workspaces/:workspace/members/:user',
    summary: 'Remove a member (owner)',
    tag: 'members',
    params: MemberParams,
    body: MutationBody,
    response: null,
  },
  {
    method: 'GET',
    url: '/api/v1/workspaces/:workspace/audit-events',
    summary: "The workspace's audit log, newest first",
    tag: 'audit',
    params: WsParams,
    query: AuditQuery,
    response: z.object({ events: z.array(AuditEvent), nextPageToken: z.string().nullable() }),
  },
  {
    method: 'GET',
    url: '/api/v1/users',
    summary: 'List users',
    tag: 'users',
    response: z.object({ users: z.array(User) }),
  },
  {
    method: 'GET',
    url: '/api/v1/users/me',
    summary: 'Who the caller is, with the token used and the workspaces visible',
    tag: 'users',
    response: z.object({
      user: User,
      local: z.boolean().describe('True in single-user local mode'),
      token: z
        .object({ id: z.string(), workspaceScope: z.string().nullable(), roleScope: z.enum(Role).nullable() })
        .nullable(),
      workspaces: z.array(Workspace),
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/users',
    summary: 'Create a user (admin)',
    tag: 'users',
    body: CreateUserBody,
    response: z.object({ user: User }),
    status: 201,
  },
  {
    method: 'GET',
    url: '/api/v1/tokens',
    summary: "List the caller's API tokens (admins: anyone's)",
    tag: 'tokens',
    query: TokenListQuery,
    response: z.object({ tokens: z.array(ApiToken) }),
  },
  {
    method: 'POST',
    url: '/api/v1/tokens',
    summary: 'Create an API token; the secret is returned once',
    tag: 'tokens',
    body: CreateTokenBody,
    response: z.object({ token: ApiToken, secret: z.string() }),
    status: 201,
  },
  {
    method: 'DELETE',
    url: '/api/v1/tokens/:id',
    summary: 'Revoke an API token',
    tag: 'tokens',
    params: z.object({ id: z.string() }),
    body: MutationBody,
    response: z.object({ token: ApiToken }),
  },
];

export function describeIdentityOperations(registry: OpenApiRegistry): void {
  for (const op of OPERATIONS) {
    registry.add({
      ...op,
      tag: op.tag ?? 'workspaces',
      status: op.status ?? (op.response === null ? 204 : 200),
    });
  }
  registry.add({
    method: 'GET',
    url: '/api/v1/openapi.json',
    summary: 'This document',
    tag: 'meta',
    response: { mediaType: 'application/json', description: 'The OpenAPI 3.1 document' },
    status: 200,
    public: true,
  });
}

import type { AuditEvent, Role, User, Workspace } from '@cairn/core';
import type { ApiTokenRow, AuditEventRow, UserRow, WorkspaceRow } from '@cairn/store';
import type { Selectable } from 'kysely';

/** An API token as listed: never the secret, never its hash. */
export interface ApiToken {
  id: string;
  userId: string;
  userName: string;
  name: string;
  workspaceScope: string | null;
  roleScope: Role | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface Membership {
  workspaceId: string;
  userId: string;
  userName: string;
  displayName: string;
  role: Role;
  createdAt: number;
}

export const toWorkspace = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

export const toUser = (
  row: Pick<UserRow, 'id' | 'name' | 'display_name' | 'is_admin' | 'created_at'>,
): User => ({
  id: row.id,
  name: row.name,
  displayName: row.display_name,
  isAdmin: row.is_admin === 1,
  createdAt: row.created_at,
});

export const toApiToken = (row: ApiTokenRow & { user_name: string }): ApiToken => ({
  id: row.id,
  userId: row.user_id,
  userName: row.user_name,
  name: row.name,
  workspaceScope: row.workspace_scope,
  roleScope: row.role_scope as Role | null,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
});

export const toAuditEvent = (row: Selectable<AuditEventRow>): AuditEvent => ({
  id: row.id,
  workspaceId: row.workspace_id,
  actor: row.actor,
  at: row.at,
  action: row.action,
  targetKind: row.target_kind,
  targetId: row.target_id,
  message: row.message,
  details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
});

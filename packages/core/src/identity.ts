/** Workspace membership roles, from most to least privileged. */
export const Role = ['owner', 'contributor', 'reader'] as const;
export type Role = (typeof Role)[number];

const RANK: Record<Role, number> = { owner: 3, contributor: 2, reader: 1 };

/** True when `has` grants at least what `needs` requires. */
export const roleAllows = (has: Role, needs: Role): boolean => RANK[has] >= RANK[needs];

/** The less privileged of two roles (a scoped token caps its user's role). */
export const minRole = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (Role as readonly string[]).includes(value);

export interface Workspace {
  id: string;
  name: string;
  description: string;
  createdAt: number;
  createdBy: string;
}

export interface User {
  id: string;
  name: string;
  displayName: string;
  isAdmin: boolean;
  createdAt: number;
}

/** Who is making a request, as resolved by authentication. */
export interface Principal {
  userId: string;
  userName: string;
  isAdmin: boolean;
  /** Set for tokens scoped to one workspace (e.g. a job's token). */
  workspaceScope: string | null;
  roleScope: Role | null;
  /** The API token the request authenticated with, if any (for audit and revocation). */
  tokenId?: string | null;
}

export interface AuditEvent {
  id: number;
  workspaceId: string | null;
  actor: string;
  at: number;
  action: string;
  targetKind: string;
  targetId: string;
  message: string | null;
  /** Action-specific facts (a role before and after, a token's scope). */
  details?: Record<string, unknown> | null;
}

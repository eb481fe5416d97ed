import { minRole, type Principal, type Role } from '@cairn/core';

/**
 * The role a principal holds in a workspace, given its membership there (null if none). Admins are
 * owners everywhere; a token scoped to a workspace grants nothing elsewhere, and a token's role scope
 * caps whatever its user holds.
 */
export function capRole(principal: Principal, workspaceId: string, membership: Role | null): Role | null {
  if (principal.workspaceScope !== null && principal.workspaceScope !== workspaceId) return null;
  const base: Role | null = principal.isAdmin ? 'owner' : membership;
  if (base === null) return null;
  return principal.roleScope === null ? base : minRole(base, principal.roleScope);
}

import type { Principal } from '@cairn/core';
import { minRole, roleAllows } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { capRole } from './effective-role.js';
import { checkRole, checkUserName, checkWorkspaceName } from './names.js';

const user = (over: Partial<Principal> = {}): Principal => ({
  userId: 'u1',
  userName: 'ada',
  isAdmin: false,
  workspaceScope: null,
  roleScope: null,
  ...over,
});

describe('role logic', () => {
  it('orders roles owner > contributor > reader', () => {
    expect(roleAllows('owner', 'contributor')).toBe(true);
    expect(roleAllows('contributor', 'contributor')).toBe(true);
    expect(roleAllows('reader', 'contributor')).toBe(false);
    expect(minRole('owner', 'reader')).toBe('reader');
    expect(minRole('contributor', 'owner')).toBe('contributor');
  });

  it('gives a member their membership role and a stranger nothing', () => {
    expect(capRole(user(), 'team-a', 'contributor')).toBe('contributor');
    expect(capRole(user(), 'team-a', null)).toBeNull();
  });

  it('makes admins owners everywhere', () => {
    expect(capRole(user({ isAdmin: true }), 'anything', null)).toBe('owner');
  });

  it('confines a workspace-scoped token to its workspace, even for an admin', () => {
    const scoped = user({ isAdmin: true, workspaceScope: 'team-a' });
    expect(capRole(scoped, 'team-a', null)).toBe('owner');
    expect(capRole(scoped, 'team-b', null)).toBeNull();
    expect(capRole(user({ workspaceScope: 'team-a' }), 'team-b', 'owner')).toBeNull();
  });

  it('caps a token by its role scope, never raising it', () => {
    expect(capRole(user({ roleScope: 'reader' }), 'team-a', 'owner')).toBe('reader');
    expect(capRole(user({ roleScope: 'owner' }), 'team-a', 'reader')).toBe('reader');
    expect(capRole(user({ roleScope: 'contributor', isAdmin: true }), 'x', null)).toBe('contributor');
    expect(capRole(user({ roleScope: 'owner' }), 'team-a', null)).toBeNull();
  });
});

describe('names', () => {
  it('accepts URL-safe workspace names only', () => {
    for (const ok of ['default', 'team-a', '0', 'a'.repeat(63)]) expect(checkWorkspaceName(ok)).toBe(ok);
    for (const bad of ['', 'Team', '-a', 'a_b', 'a/b', 'a'.repeat(64), 'ü']) {
      expect(() => checkWorkspaceName(bad)).toThrow(/Invalid workspace name/);
    }
  });

  it('names the field in the error', () => {
    try {
      checkWorkspaceName('Bad Name', 'workspace');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'workspace' } });
    }
    expect(() => checkRole('admin')).toThrow(/Unknown role 'admin'.*owner, contributor, reader/);
    expect(() => checkUserName('a:b')).toThrow(/Invalid user name/);
  });
});

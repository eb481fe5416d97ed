import { randomBytes } from 'node:crypto';
import type { Principal } from '@cairn/core';
import { hashTokenSecret, IdentityService, type MutationContext, SYSTEM_PRINCIPAL } from '@cairn/identity';
import type { MetadataStore } from '@cairn/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestMetadataStore } from '../support/metadata-stores.js';

const fresh = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const asSystem = (message?: string): MutationContext => ({ actor: SYSTEM_PRINCIPAL, message });
const principalOf = (user: { id: string; name: string; isAdmin: boolean }): Principal => ({
  userId: user.id,
  userName: user.name,
  isAdmin: user.isAdmin,
  workspaceScope: null,
  roleScope: null,
});

describe.each(DIALECTS)('IdentityService on %s', (dialect) => {
  let store: MetadataStore;
  let dispose: () => Promise<void>;
  let identity: IdentityService;
  let clock: number;

  beforeEach(async () => {
    const opened = await openTestMetadataStore(dialect);
    store = opened.store;
    dispose = opened.dispose;
    clock = 1_735_689_600_000;
    // No caching, and a clock the test moves, so expiry and revocation are seen directly.
    identity = new IdentityService({ store, cacheTtlMs: 0, now: () => clock });
  });
  afterEach(() => dispose());

  it('ensures a workspace once, even when replicas race', async () => {
    const results = await Promise.all([1, 2, 3].map(() => identity.ensureWorkspace('default')));
    expect(results.map((w) => w.id)).toEqual(['default', 'default', 'default']);
    const events = await identity.listAuditEvents('default');
    expect(events.events.map((e) => e.action)).toEqual(['workspace.create']);
    expect(events.events[0]).toMatchObject({ actor: 'system', targetKind: 'workspace', targetId: 'default' });
  });

  it('creates, updates and deletes a workspace, auditing each with its actor and message', async () => {
    const ada = await identity.createUser({ name: fresh('ada'), password: 'long-enough-pw' }, asSystem());
    const actor = principalOf(ada);
    const name = fresh('ws');
    const ws = await identity.createWorkspace(
      { name, description: 'first' },
      { actor, message: 'for team A' },
    );
    expect(ws).toMatchObject({ id: name, name, description: 'first', createdBy: ada.name });
    expect(await identity.effectiveRole(actor, name)).toBe('owner');

    await identity.updateWorkspace(name, { description: 'second' }, { actor, message: 'renamed purpose' });
    expect((await identity.getWorkspace(name)).description).toBe('second');

    await expect(identity.createWorkspace({ name }, { actor })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      details: { field: 'name' },
    });
    await expect(identity.createWorkspace({ name: 'Bad Name' }, { actor })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'name' },
    });

    await identity.deleteWorkspace(name, { actor, message: 'done' });
    await expect(identity.getWorkspace(name)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await identity.workspaceExists(name)).toBe(false);

    const { events } = await identity.listAuditEvents(name);
    expect(events.map((e) => [e.action, e.actor, e.message])).toEqual([
      ['workspace.delete', ada.name, 'done'],
      ['workspace.update', ada.name, 'renamed purpose'],
      ['workspace.create', ada.name, 'for team A'],
    ]);
    expect(events[1]!.details).toEqual({ description: { from: 'first', to: 'second' } });
  });

  it('gives one ALREADY_EXISTS when two requests create the same workspace at once', async () => {
    const name = fresh('race');
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(() => identity.createWorkspace({ name }, asSystem())),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ALREADY_EXISTS' });
    }
  });

  it('refuses to delete a workspace that still has contents', async () => {
    const name = fresh('full');
    await identity.createWorkspace({ name }, asSystem());
    await store.db
      .insertInto('experiments')
      .values({
        workspace_id: name,
        name: 'e',
        artifact_location: 'x',
        lifecycle_stage: 'active',
        creation_time: 1,
        last_update_time: 1,
      })
      .execute();
    await expect(identity.deleteWorkspace(name, asSystem())).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('experiments'),
    });
    await expect(
      identity.deleteWorkspace('default', asSystem(), { protect: ['default'] }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('keeps at least one owner', async () => {
    const ws = fresh('ws');
    await identity.createWorkspace({ name: ws }, asSystem());
    const a = await identity.createUser({ name: fresh('a') }, asSystem());
    const b = await identity.createUser({ name: fresh('b') }, asSystem());
    await identity.setMember(ws, a.name, 'owner', asSystem());
    await expect(identity.removeMember(ws, a.name, asSystem())).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(identity.setMember(ws, a.name, 'reader', asSystem())).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    await identity.setMember(ws, b.name, 'owner', asSystem('co-owner'));
    // Two owners removed at once: exactly one removal may win.
    const both = await Promise.allSettled([
      identity.removeMember(ws, a.name, asSystem()),
      identity.removeMember(ws, b.name, asSystem()),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const members = await identity.listMembers(ws);
    expect(members.map((m) => m.role)).toEqual(['owner']);

    const actions = (await identity.listAuditEvents(ws)).events.map((e) => e.action);
    expect(actions).toEqual(['member.remove', 'member.add', 'member.add', 'workspace.create']);
    await expect(identity.setMember(ws, a.name, 'admin' as never, asSystem())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'role' },
    });
  });

  it('authenticates passwords, and tells unknown users and wrong passwords apart from nothing', async () => {
    const name = fresh('pat');
    const user = await identity.createUser({ name, password: 'correct horse', isAdmin: true }, asSystem());
    const row = await store.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirst();
    expect(row?.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await identity.authenticatePassword(name, 'correct horse')).toMatchObject({
      userId: user.id,
      isAdmin: true,
    });
    expect(await identity.authenticatePassword(name, 'wrong horse')).toBeNull();
    expect(await identity.authenticatePassword(fresh('nobody'), 'correct horse')).toBeNull();
    const tokenOnly = await identity.createUser({ name: fresh('bot') }, asSystem());
    expect(await identity.authenticatePassword(tokenOnly.name, '')).toBeNull();
    await expect(
      identity.createUser({ name: fresh('x'), password: 'short' }, asSystem()),
    ).rejects.toMatchObject({
      details: { field: 'password' },
    });
  });

  it('issues tokens stored only as sha256, honours scope, expiry and revocation', async () => {
    const ws = fresh('ws');
    const other = fresh('other');
    await identity.createWorkspace({ name: ws }, asSystem());
    await identity.createWorkspace({ name: other }, asSystem());
    const user = await identity.createUser({ name: fresh('u') }, asSystem());
    await identity.setMember(ws, user.name, 'owner', asSystem());
    await identity.setMember(other, user.name, 'owner', asSystem());

    const { token, secret } = await identity.createToken(
      {
        userName: user.name,
        name: 'job',
        workspaceScope: ws,
        roleScope: 'contributor',
        expiresAt: clock + 60_000,
      },
      asSystem('for a job'),
    );
    expect(secret).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    const stored = await store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', token.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(hashTokenSecret(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);

    const p = await identity.authenticateToken(secret);
    expect(p).toMatchObject({
      userId: user.id,
      workspaceScope: ws,
      roleScope: 'contributor',
      tokenId: token.id,
    });
    expect(await identity.effectiveRole(p!, ws)).toBe('contributor');
    expect(await identity.effectiveRole(p!, other)).toBeNull();
    expect(await identity.authenticateToken(`${secret.slice(0, -1)}A`)).toBeNull();

    clock += 60_000;
    expect(await identity.authenticateToken(secret)).toBeNull();
    clock -= 30_000;
    expect(await identity.authenticateToken(secret)).not.toBeNull();

    const revoked = await identity.revokeToken(token.id, asSystem('leaked'));
    expect(revoked.revokedAt).toBe(clock);
    expect(await identity.authenticateToken(secret)).toBeNull();

    const actions = (await identity.listAuditEvents(ws)).events.slice(0, 2).map((e) => [e.action, e.message]);
    expect(actions).toEqual([
      ['token.revoke', 'leaked'],
      ['token.create', 'for a job'],
    ]);
    await expect(
      identity.createToken({ userName: user.name, name: 'x', workspaceScope: fresh('missing') }, asSystem()),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', details: { field: 'workspace' } });
    await expect(
      identity.createToken({ userName: user.name, name: 'x', expiresAt: clock - 1 }, asSystem()),
    ).rejects.toMatchObject({ details: { field: 'expiresAt' } });
    await expect(identity.createToken({ name: 'x' }, asSystem())).rejects.toMatchObject({
      details: { field: 'user' },
    });
  });

  it('pages audit events newest first and filters them by action and actor', async () => {
    const ws = fresh('audit');
    await identity.createWorkspace({ name: ws }, asSystem());
    const users = [];
    for (let i = 0; i < 5; i++) {
      const u = await identity.createUser({ name: fresh(`m${i}`) }, asSystem());
      users.push(u);
      await identity.setMember(ws, u.name, 'reader', { actor: principalOf(u), message: `add ${i}` });
    }
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await identity.listAuditEvents(ws, { maxResults: 2, pageToken });
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => e.message ?? e.action));
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    expect(seen).toEqual(['add 4', 'add 3', 'add 2', 'add 1', 'add 0', 'workspace.create']);

    const byAction = await identity.listAuditEvents(ws, { action: 'member.add' });
    expect(byAction.events).toHaveLength(5);
    const byActor = await identity.listAuditEvents(ws, { actor: users[2]!.name });
    expect(byActor.events.map((e) => e.message)).toEqual(['add 2']);
    await expect(identity.listAuditEvents(ws, { pageToken: 'garbage' })).rejects.toMatchObject({
      details: { field: 'pageToken' },
    });
  });

  it('lists only the workspaces a user belongs to; admins see all', async () => {
    const mine = fresh('mine');
    const theirs = fresh('theirs');
    const user = await identity.createUser({ name: fresh('u') }, asSystem());
    const admin = await identity.createUser({ name: fresh('root'), isAdmin: true }, asSystem());
    await identity.createWorkspace({ name: mine }, { actor: principalOf(user) });
    await identity.createWorkspace({ name: theirs }, asSystem());
    const forUser = await identity.listWorkspaces(principalOf(user));
    expect(forUser.map((w) => [w.id, w.role])).toEqual([[mine, 'owner']]);
    const forAdmin = (await identity.listWorkspaces(principalOf(admin))).map((w) => w.id);
    expect(forAdmin).toEqual(expect.arrayContaining([mine, theirs]));
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type CairnServer, resolveConfig, type ServerConfigInput } from '@cairn/server';
import type { Dialect } from '@cairn/store';
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, freshStoreUri } from '../support/metadata-stores.js';

const fresh = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const bearer = (secret: string) => `Bearer ${secret}`;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely and checked with expect
type LooseJson = any;

interface TestServer {
  server: CairnServer;
  call(
    method: InjectOptions['method'],
    url: string,
    auth?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: LooseJson; headers: Record<string, unknown> }>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(dialect: Dialect, input: ServerConfigInput = {}): Promise<TestServer> {
  const target = await freshStoreUri(dialect);
  const dir = await mkdtemp(join(tmpdir(), 'cairn-auth-'));
  cleanups.push(async () => {
    await target.dispose();
    await rm(dir, { recursive: true, force: true });
  });
  const server = await buildServer(
    resolveConfig({
      dataDir: dir,
      storeUri: target.uri,
      logLevel: 'silent',
      localUser: 'laptop-user',
      ...input,
    }),
  );
  cleanups.push(() => server.close());
  // Probe routes standing in for the MLflow API (whoever owns it registers the real ones).
  const whoami = async (request: {
    principal: { userName: string };
    workspaceId: string;
    workspaceRole: unknown;
  }) => ({
    user: request.principal.userName,
    workspace: request.workspaceId,
    role: request.workspaceRole,
  });
  server.app.get('/api/2.0/cairn-probe/whoami', whoami);
  server.app.post('/api/2.0/cairn-probe/write', whoami);
  server.app.post('/api/2.0/cairn-probe/search', whoami);
  server.app.get('/workspaces/:workspace/api/2.0/cairn-probe/whoami', whoami);
  server.app.post('/workspaces/:workspace/api/2.0/cairn-probe/write', whoami);
  return {
    server,
    async call(method, url, auth, body, headers = {}) {
      const res = await server.app.inject({
        method,
        url,
        headers: { ...(auth ? { authorization: auth } : {}), ...headers },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      return {
        status: res.statusCode,
        body: String(res.headers['content-type']).startsWith('application/json') ? res.json() : res.body,
        headers: res.headers,
      };
    },
  };
}

describe.each(DIALECTS)('authentication and identity API on %s', (dialect) => {
  it('local mode: loopback with no users needs no login, and the caller is the local admin', async () => {
    const { call } = await start(dialect);
    const me = await call('GET', '/api/v1/users/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { name: 'laptop-user', isAdmin: true }, local: true });
    expect((await call('GET', '/api/2.0/cairn-probe/whoami')).body).toEqual({
      user: 'laptop-user',
      workspace: 'default',
      role: 'owner',
    });
    const created = await call('POST', '/api/v1/workspaces', undefined, {
      name: 'team-a',
      message: 'new team',
    });
    expect(created.status).toBe(201);
    const events = await call('GET', '/api/v1/workspaces/team-a/audit-events');
    expect(events.body.events[0]).toMatchObject({
      action: 'workspace.create',
      actor: 'laptop-user',
      message: 'new team',
    });
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('local mode ends once a user exists', async () => {
    const { call } = await start(dialect);
    const name = fresh('admin');
    expect(
      (await call('POST', '/api/v1/users', undefined, { name, password: 'pw-123456789', isAdmin: true }))
        .status,
    ).toBe(201);
    expect((await call('GET', '/api/v1/users/me')).status).toBe(401);
    expect((await call('GET', '/api/v1/users/me', basic(name, 'pw-123456789'))).body.user.name).toBe(name);
  });

  it('with users: 401 without or with bad credentials, 403 for a reader writing, /health open', async () => {
    const { call } = await start(dialect, { bootstrapAdmin: 'root:root-password' });
    const admin = basic('root', 'root-password');

    const none = await call('GET', '/api/v1/workspaces');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    expect(none.headers['www-authenticate']).toMatch(/Bearer.*Basic/);
    expect((await call('GET', '/api/v1/workspaces', basic('root', 'wrong'))).status).toBe(401);
    expect((await call('GET', '/api/v1/workspaces', bearer(`cairn_${'A'.repeat(43)}`))).status).toBe(401);
    // MLflow-style error body on MLflow paths.
    const mlflow = await call('GET', '/api/2.0/cairn-probe/whoami');
    expect(mlflow.status).toBe(401);
    expect(mlflow.body).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    expect((await call('GET', '/health')).status).toBe(200);

    const ws = fresh('ws');
    expect((await call('POST', '/api/v1/workspaces', admin, { name: ws })).status).toBe(201);
    const reader = fresh('reader');
    await call('POST', '/api/v1/users', admin, { name: reader, password: 'reader-password' });
    const put = await call('PUT', `/api/v1/workspaces/${ws}/members/${reader}`, admin, { role: 'reader' });
    expect(put.status).toBe(200);
    expect(put.body.member).toMatchObject({ userName: reader, role: 'reader' });

    const asReader = basic(reader, 'reader-password');
    expect((await call('GET', `/workspaces/${ws}/api/2.0/cairn-probe/whoami`, asReader)).body).toEqual({
      user: reader,
      workspace: ws,
      role: 'reader',
    });
    const write = await call('POST', `/workspaces/${ws}/api/2.0/cairn-probe/write`, asReader, {});
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    expect(write.body.message).toMatch(/has role reader.*needs contributor/);
    // Not a member of the default workspace at all.
    expect((await call('GET', '/api/2.0/cairn-probe/whoami', asReader)).status).toBe(403);
    // Membership administration needs owner.
    expect(
      (await call('PUT', `/api/v1/workspaces/${ws}/members/${reader}`, asReader, { role: 'owner' })).status,
    ).toBe(403);
    expect((await call('PATCH', `/api/v1/workspaces/${ws}`, asReader, { description: 'x' })).status).toBe(
      403,
    );
    // Only admins create users.
    expect((await call('POST', '/api/v1/users', asReader, { name: fresh('x') })).status).toBe(403);
    // Unknown workspace.
    const missing = await call('GET', `/workspaces/${fresh('nope')}/api/2.0/cairn-probe/whoami`, admin);
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('tokens: shown once, work as Bearer, stop working when revoked', async () => {
    const { call } = await start(dialect, { bootstrapAdmin: 'root:root-password' });
    const admin = basic('root', 'root-password');
    const created = await call('POST', '/api/v1/tokens', admin, { name: 'ci' });
    expect(created.status).toBe(201);
    const { secret, token } = created.body;
    expect(secret).toMatch(/^cairn_/);
    const listed = await call('GET', '/api/v1/tokens', admin);
    expect(listed.body.tokens.map((t: { id: string }) => t.id)).toEqual([token.id]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    expect((await call('GET', '/api/v1/users/me', bearer(secret))).body).toMatchObject({
      user: { name: 'root' },
      token: { id: token.id },
    });
    const revoke = await call('DELETE', `/api/v1/tokens/${token.id}`, bearer(secret), undefined, {
      'x-cairn-message': 'rotating',
    });
    expect(revoke.status).toBe(200);
    expect(revoke.body.token.revokedAt).toEqual(expect.any(Number));
    expect((await call('GET', '/api/v1/users/me', bearer(secret))).status).toBe(401);
  });

  it('a workspace-scoped token cannot leave its workspace or widen itself', async () => {
    const { call } = await start(dialect, { bootstrapAdmin: 'root:root-password' });
    const admin = basic('root', 'root-password');
    const a = fresh('a');
    const b = fresh('b');
    await call('POST', '/api/v1/workspaces', admin, { name: a });
    await call('POST', '/api/v1/workspaces', admin, { name: b });
    const { secret } = (
      await call('POST', '/api/v1/tokens', admin, { name: 'job', workspace: a, role: 'contributor' })
    ).body;
    const scoped = bearer(secret);

    expect((await call('POST', `/workspaces/${a}/api/2.0/cairn-probe/write`, scoped, {})).body.role).toBe(
      'contributor',
    );
    const outside = await call('GET', `/workspaces/${b}/api/2.0/cairn-probe/whoami`, scoped);
    expect(outside.status).toBe(403);
    expect(outside.body.message).toMatch(/scoped to workspace/);
    expect((await call('GET', '/api/2.0/cairn-probe/whoami', scoped)).status).toBe(403);
    // Capped at contributor though its user is an admin: no member administration, no admin routes.
    expect(
      (await call('PUT', `/api/v1/workspaces/${a}/members/root`, scoped, { role: 'reader' })).status,
    ).toBe(403);
    expect((await call('POST', '/api/v1/users', scoped, { name: fresh('x') })).status).toBe(403);
    expect((await call('POST', '/api/v1/workspaces', scoped, { name: fresh('c') })).status).toBe(403);
    expect((await call('POST', '/api/v1/tokens', scoped, { name: 'escape', workspace: b })).status).toBe(403);
    const child = await call('POST', '/api/v1/tokens', scoped, { name: 'child', role: 'owner' });
    expect(child.body.token).toMatchObject({ workspaceScope: a, roleScope: 'contributor' });
    expect(
      (await call('GET', '/api/v1/workspaces', scoped)).body.workspaces.map((w: { id: string }) => w.id),
    ).toEqual([a]);
  });

  it('MLflow searches are reads: a reader may POST to /search', async () => {
    const { call } = await start(dialect, { bootstrapAdmin: 'root:root-password' });
    const admin = basic('root', 'root-password');
    const { secret } = (await call('POST', '/api/v1/tokens', admin, { name: 'ro', role: 'reader' })).body;
    expect((await call('POST', '/api/2.0/cairn-probe/search', bearer(secret), {})).status).toBe(200);
    expect((await call('POST', '/api/2.0/cairn-probe/write', bearer(secret), {})).status).toBe(403);
  });

  it('records an audit event with actor and message for every mutation', async () => {
    const { call, server } = await start(dialect, { bootstrapAdmin: 'root:root-password' });
    const admin = basic('root', 'root-password');
    const ws = fresh('ws');
    const user = fresh('user');
    await call('POST', '/api/v1/workspaces', admin, { name: ws, message: 'm1' });
    await call('PATCH', `/api/v1/workspaces/${ws}`, admin, { description: 'd' }, { 'x-cairn-message': 'm2' });
    await call('POST', '/api/v1/users', admin, { name: user, message: 'm3' });
    await call('PUT', `/api/v1/workspaces/${ws}/members/${user}`, admin, { role: 'reader', message: 'm4' });
    await call('PUT', `/api/v1/workspaces/${ws}/members/${user}`, admin, {
      role: 'contributor',
      message: 'm5',
    });
    const tok = await call('POST', '/api/v1/tokens', admin, { name: 't', workspace: ws, message: 'm6' });
    await call('DELETE', `/api/v1/tokens/${tok.body.token.id}`, admin, { message: 'm7' });
    await call('DELETE', `/api/v1/workspaces/${ws}/members/${user}`, admin, undefined, {
      'x-cairn-message': 'm8',
    });

    const events = (await call('GET', `/api/v1/workspaces/${ws}/audit-events`, admin)).body.events;
    expect(
      events.map((e: { action: string; actor: string; message: string }) => [e.action, e.actor, e.message]),
    ).toEqual([
      ['member.remove', 'root', 'm8'],
      ['token.revoke', 'root', 'm7'],
      ['token.create', 'root', 'm6'],
      ['member.update', 'root', 'm5'],
      ['member.add', 'root', 'm4'],
      ['workspace.update', 'root', 'm2'],
      ['workspace.create', 'root', 'm1'],
    ]);
    const filtered = await call(
      'GET',
      `/api/v1/workspaces/${ws}/audit-events?action=member.add&maxResults=5`,
      admin,
    );
    expect(filtered.body.events).toHaveLength(1);
    const paged = await call('GET', `/api/v1/workspaces/${ws}/audit-events?maxResults=3`, admin);
    expect(paged.body.events).toHaveLength(3);
    const next = await call(
      'GET',
      `/api/v1/workspaces/${ws}/audit-events?maxResults=3&pageToken=${paged.body.nextPageToken}`,
      admin,
    );
    expect(next.body.events[0].message).toBe('m5');

    const deleted = await call('DELETE', `/api/v1/workspaces/${ws}`, admin, { message: 'm9' });
    expect(deleted.status).toBe(204);
    // The log outlives the workspace; user.create belongs to no workspace but names actor and message.
    const { identity, store } = server.services;
    expect((await identity.listAuditEvents(ws, { maxResults: 1 })).events[0]).toMatchObject({
      action: 'workspace.delete',
      actor: 'root',
      message: 'm9',
    });
    const userCreate = await store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.create')
      .where('target_id', '=', user)
      .executeTakeFirstOrThrow();
    expect(userCreate).toMatchObject({ workspace_id: null, actor: 'root', message: 'm3' });
  });

  it('bad input gives 4xx naming the field', async () => {
    const { call } = await start(dialect, { bootstrapAdmin: 'root:root-password' });
    const admin = basic('root', 'root-password');
    const bad = await call('POST', '/api/v1/workspaces', admin, { name: 'Not Valid' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'name' } });

    const ws = fresh('ws');
    await call('POST', '/api/v1/workspaces', admin, { name: ws });
    const dup = await call('POST', '/api/v1/workspaces', admin, { name: ws });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });

    const role = await call('PUT', `/api/v1/workspaces/${ws}/members/root`, admin, { role: 'admin' });
    expect(role.status).toBe(400);
    expect(role.body.error.details.field).toBe('role');
    expect(role.body.error.message).toMatch(/owner, contributor, reader/);

    const extra = await call('POST', '/api/v1/workspaces', admin, { name: fresh('x'), colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details.field).toBe('colour');
    const type = await call('POST', '/api/v1/users', admin, { name: 42 });
    expect(type.body.error.details.field).toBe('name');
    const noUser = await call('PUT', `/api/v1/workspaces/${ws}/members/${fresh('ghost')}`, admin, {
      role: 'reader',
    });
    expect(noUser.status).toBe(404);
    const lastOwner = await call('POST', '/api/v1/users', admin, { name: fresh('o') });
    expect(lastOwner.status).toBe(201);
    await call('PUT', `/api/v1/workspaces/${ws}/members/${lastOwner.body.user.name}`, admin, {
      role: 'owner',
    });
    await call('DELETE', `/api/v1/workspaces/${ws}/members/root`, admin);
    const last = await call('DELETE', `/api/v1/workspaces/${ws}/members/${lastOwner.body.user.name}`, admin);
    expect(last.status).toBe(409);
    expect(last.body.error.message).toMatch(/last owner/);
    const page = await call('GET', `/api/v1/workspaces/${ws}/audit-events?maxResults=0`, admin);
    expect(page.body.error.details.field).toBe('maxResults');
    const defaultDelete = await call('DELETE', '/api/v1/workspaces/default', admin);
    expect(defaultDelete.status).toBe(409);
  });
});

describe('binding beyond loopback', () => {
  it('refuses to start without authentication configured', async () => {
    await expect(
      buildServer(
        resolveConfig({ host: '0.0.0.0', storeUri: ':memory:', dataDir: join(tmpdir(), fresh('x')) }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'host' } });
  });

  it('has no local mode when auth is required, even on loopback with no users', async () => {
    for (const input of [{ host: '0.0.0.0', authRequired: true }, { authRequired: true }]) {
      const { call } = await start('sqlite', input);
      expect((await call('GET', '/api/v1/users/me')).status).toBe(401);
    }
  });

  it('serves a listening client that sends Basic credentials', async () => {
    const { server } = await start('sqlite', { host: '0.0.0.0', bootstrapAdmin: 'root:root-password' });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `http://127.0.0.1:${port}/api/2.0/cairn-probe/whoami`;
    expect((await fetch(url)).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: basic('root', 'root-password') } });
    expect(await ok.json()).toEqual({ user: 'root', workspace: 'default', role: 'owner' });
  });
});

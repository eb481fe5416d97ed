import { randomBytes } from 'node:crypto';
import { CairnApiError, type CairnClient, type DashboardLayout } from '@cairn/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/metadata-stores.js';
import { type RunningServer, startServer } from './test-server.js';

const fresh = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function apiError(p: Promise<unknown>): Promise<CairnApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CairnApiError)) throw new Error(`expected a CairnApiError, got ${String(err)}`);
  return err;
}

const layout: DashboardLayout = {
  version: 1,
  filter: "params.optimizer = 'adam'",
  charts: [
    { id: 'c1', kind: 'line', metric: 'loss', maxRuns: 5 },
    { id: 'c2', kind: 'scatter', x: 'params.lr', y: 'metrics.accuracy' },
  ],
};

describe.each(DIALECTS)('dashboards API over %s', (dialect) => {
  let running: RunningServer;
  let client: CairnClient;
  let experimentId: string;
  beforeAll(async () => {
    running = await startServer(dialect);
    client = running.client;
    experimentId = (await client.experiments.create({ name: fresh('dash') })).experimentId;
  });
  afterAll(() => running?.dispose());

  it('creates, lists, gets, updates and deletes a dashboard, with audit events', async () => {
    const created = await client.dashboards.create(experimentId, { name: 'Overview', layout });
    expect(created).toMatchObject({ experimentId, name: 'Overview', layout, createdBy: 'tester' });
    expect(created.updatedAt).toBe(created.createdAt);
    expect(await client.dashboards.get(experimentId, created.id)).toEqual(created);
    expect((await client.dashboards.list(experimentId)).map((d) => d.id)).toContain(created.id);

    const moved: DashboardLayout = { ...layout, charts: [layout.charts[1]!, layout.charts[0]!] };
    const updated = await client.dashboards.update(experimentId, created.id, {
      name: 'Overview 2',
      layout: moved,
      updatedAt: created.updatedAt,
    });
    expect(updated.layout.charts.map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(updated.updatedAt).toBeGreaterThan(created.updatedAt);
    expect(await client.dashboards.get(experimentId, created.id)).toEqual(updated);

    await client.dashboards.delete(experimentId, created.id, { message: 'tidy up' });
    const gone = await apiError(client.dashboards.get(experimentId, created.id));
    expect(gone.code).toBe('NOT_FOUND');

    const actions = (await client.audit.list({ maxResults: 100 })).events
      .filter((e) => e.targetId === created.id)
      .map((e) => e.action)
      .sort();
    expect(actions).toEqual(['dashboard.create', 'dashboard.delete', 'dashboard.update']);
  });

  it('rejects a bad layout naming the field', async () => {
    const badKind = await apiError(
      client.dashboards.create(experimentId, {
        name: 'bad',
        layout: { version: 1, filter: '', charts: [{ id: 'x', kind: 'pie', metric: 'loss' }] } as never,
      }),
    );
    expect(badKind.code).toBe('INVALID_ARGUMENT');
    expect(badKind.details.field).toBe('layout.charts[0].kind');

    const badColumn = await apiError(
      client.dashboards.create(experimentId, {
        name: 'bad',
        layout: {
          version: 1,
          filter: '',
          charts: [{ id: 'x', kind: 'scatter', x: 'lr', y: 'metrics.a' }],
        } as never,
      }),
    );
    expect(badColumn.code).toBe('INVALID_ARGUMENT');
    expect(badColumn.details.field).toBe('layout.charts[0].x');
    expect(badColumn.message).toContain('params.<key>');

    const badVersion = await apiError(
      client.dashboards.create(experimentId, {
        name: 'bad',
        layout: { ...layout, version: 2 } as never,
      }),
    );
    expect(badVersion.code).toBe('INVALID_ARGUMENT');
    expect(badVersion.details.field).toBe('layout.version');
  });

  it('answers CONFLICT to an update based on a stale read', async () => {
    const d = await client.dashboards.create(experimentId, { name: fresh('shared'), layout });
    await client.dashboards.update(experimentId, d.id, {
      layout: { ...layout, charts: [] },
      updatedAt: d.updatedAt,
    });
    const stale = await apiError(
      client.dashboards.update(experimentId, d.id, { layout, updatedAt: d.updatedAt }),
    );
    expect(stale.code).toBe('CONFLICT');
    expect(stale.details.field).toBe('updatedAt');
    expect((await client.dashboards.get(experimentId, d.id)).layout.charts).toEqual([]);
  });

  it('describes the routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${running.baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    const base = '/api/v1/workspaces/{workspace}/experiments/{experimentId}/dashboards';
    expect(Object.keys(doc.paths[base] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths[`${base}/{dashboardId}`] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.components.schemas).toHaveProperty('DashboardLayout');
  });

  it('answers NOT_FOUND for a missing experiment', async () => {
    const err = await apiError(client.dashboards.list('987654321'));
    expect(err.code).toBe('NOT_FOUND');
  });
});

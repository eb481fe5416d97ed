import { randomBytes } from 'node:crypto';
import {
  CairnApiError,
  type CairnClient,
  type DashboardChartPosition,
  type DashboardLayout,
} from '@cairn/sdk';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { DashboardLayout as LayoutSchema } from '../../../packages/server/src/api/v1/dashboard-routes.js';
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

// A layout the SDK's type allows is one the server's schema takes (positions included).
expectTypeOf<DashboardLayout>().toExtend<z.input<typeof LayoutSchema>>();
expectTypeOf<z.output<typeof LayoutSchema>['charts'][number]['position']>().toEqualTypeOf<
  DashboardChartPosition | undefined
>();

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

  it('saves chart positions, and refuses a bad one naming the field, saving nothing', async () => {
    const placed: DashboardLayout = {
      ...layout,
      charts: [
        { ...layout.charts[0]!, position: { x: 0, y: 0, w: 12, h: 6 } },
        { ...layout.charts[1]!, position: { x: 4, y: 6, w: 8, h: 10 } },
      ],
    };
    const d = await client.dashboards.create(experimentId, { name: fresh('grid'), layout: placed });
    expect((await client.dashboards.get(experimentId, d.id)).layout).toEqual(placed);

    const withPosition = (position: object) => ({
      ...placed,
      charts: [placed.charts[0]!, { ...placed.charts[1]!, position }],
    });
    const cases: [object, string, string][] = [
      [{ x: 0, y: 0, w: 13, h: 4 }, 'layout.charts[1].position.w', '1 to 12'],
      [{ x: 0, y: 0, w: 2.5, h: 4 }, 'layout.charts[1].position.w', 'whole number'],
      [{ x: 8, y: 0, w: 6, h: 4 }, 'layout.charts[1].position.w', 'x + w is at most 12'],
      [{ x: 0, y: 0, w: 6, h: 41 }, 'layout.charts[1].position.h', '1 to 40'],
      [{ x: -1, y: 0, w: 6, h: 4 }, 'layout.charts[1].position.x', '0 to 11'],
    ];
    for (const [position, field, says] of cases) {
      const err = await apiError(
        client.dashboards.update(experimentId, d.id, {
          layout: withPosition(position) as DashboardLayout,
          updatedAt: d.updatedAt,
        }),
      );
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.details.field).toBe(field);
      expect(err.message).toContain(says);
    }
    expect(await client.dashboards.get(experimentId, d.id)).toEqual(d);

    const name = fresh('bad-grid');
    const refused = await apiError(
      client.dashboards.create(experimentId, {
        name,
        layout: withPosition({ x: 0, y: 0, w: 0, h: 4 }) as DashboardLayout,
      }),
    );
    expect(refused.details.field).toBe('layout.charts[1].position.w');
    expect((await client.dashboards.list(experimentId)).map((x) => x.name)).not.toContain(name);
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
    expect(doc.components.schemas).toHaveProperty('DashboardChartPosition');
  });

  it('answers NOT_FOUND for a missing experiment', async () => {
    const err = await apiError(client.dashboards.list('987654321'));
    expect(err.code).toBe('NOT_FOUND');
  });
});

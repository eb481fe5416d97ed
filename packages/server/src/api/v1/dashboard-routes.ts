import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '@cairn/core';
import type { DashboardRow } from '@cairn/store';
import { audit, getExperimentRow } from '@cairn/tracking';
import { z } from 'zod';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import { ExperimentId, Message, WorkspaceParam } from './schemas.js';

/**
 * Studio dashboards: charts arranged on an experiment's page, saved in the workspace and shared with
 * its members. The layout is validated here (its `version` says which shape it has); an update names
 * the `updatedAt` it read, and a dashboard changed since answers CONFLICT instead of losing that change.
 */

/** A column of a run: `params.<key>` or `metrics.<key>` (the metric's latest value). */
const ColumnRef = z
  .string()
  .max(300)
  .regex(/^(params|metrics)\..+$/, "must be 'params.<key>' or 'metrics.<key>'");
const MetricKey = z.string().min(1).max(250);
const ChartId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _');

/** The studio's grid has this many columns; a chart's `x + w` stays within them. */
export const GRID_COLUMNS = 12;
const gridInt = (what: string, min: number, max: number) =>
  z
    .number({ error: `must be a number: ${what}` })
    .int({ error: `must be a whole number: ${what}` })
    .min(min, { error: `must be ${min} to ${max}: ${what}` })
    .max(max, { error: `must be ${min} to ${max}: ${what}` });

/**
 * Where a chart sits on the dashboard's grid, in grid units (12 columns; rows of the studio's row
 * height). Optional: a layout saved without positions is placed by the studio, in display order.
 */
const ChartPosition = z
  .strictObject({
    x: gridInt('the column the chart starts at, from 0', 0, GRID_COLUMNS - 1),
    y: gridInt('the row the chart starts at, from 0', 0, 10_000),
    w: gridInt(`the chart's width in columns`, 1, GRID_COLUMNS),
    h: gridInt(`the chart's height in rows`, 1, 40),
  })
  .refine((p) => p.x + p.w <= GRID_COLUMNS, {
    path: ['w'],
    error: `must fit the grid: x + w is at most ${GRID_COLUMNS} columns; make the chart narrower or move it left`,
  })
  .meta({ id: 'DashboardChartPosition' });

const chartFields = { id: ChartId, position: ChartPosition.optional() };

const ChartV1 = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      ...chartFields,
      kind: z.literal('line'),
      metric: MetricKey,
      maxRuns: z.number().int().min(1).max(50).optional(),
    }),
    z.strictObject({ ...chartFields, kind: z.literal('bar'), metric: MetricKey }),
    z.strictObject({
      ...chartFields,
      kind: z.literal('parallel'),
      columns: z.array(ColumnRef).min(1).max(20),
      metric: MetricKey,
    }),
    z.strictObject({ ...chartFields, kind: z.literal('scatter'), x: ColumnRef, y: ColumnRef }),
  ],
  { error: "must be a chart whose kind is 'line', 'bar', 'parallel' or 'scatter'" },
);

export const DashboardLayout = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1 (the only layout version this server knows)' }),
    filter: z.string().max(10_000).default(''),
    charts: z.array(ChartV1).max(48),
  })
  .meta({ id: 'DashboardLayout' });

const DashboardWire = z
  .object({
    id: z.string(),
    experimentId: z.string(),
    name: z.string(),
    layout: DashboardLayout,
    createdBy: z.string(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Dashboard' });

const DashboardName = z.string().trim().min(1).max(200);
const ExperimentParams = z.object({ workspace: WorkspaceParam, experimentId: ExperimentId });
const DashboardParams = ExperimentParams.extend({ dashboardId: z.string().min(1).max(64) });

const wire = (row: DashboardRow): z.input<typeof DashboardWire> => ({
  id: row.id,
  experimentId: String(row.experiment_id),
  name: row.name,
  layout: JSON.parse(row.layout) as z.input<typeof DashboardLayout>,
  createdBy: row.created_by,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  updatedBy: row.updated_by,
});

export function dashboardRoutes(api: NativeApi): void {
  const { app, registry } = api;
  const { store } = api.services;
  const tag = 'dashboards';
  const base = `${WS}/experiments/:experimentId/dashboards`;

  const load = async (workspaceId: string, experimentId: number, id: string): Promise<DashboardRow> => {
    const row = await store.db
      .selectFrom('dashboards')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('experiment_id', '=', experimentId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) {
      throw notFound(
        `No dashboard '${id}' on experiment ${experimentId}: it may have been deleted; list the experiment's dashboards for their ids`,
        { field: 'dashboardId' },
      );
    }
    return row;
  };

  defineRoute(app, registry, {
    method: 'GET',
    url: base,
    tag,
    summary: "An experiment's dashboards, by name",
    params: ExperimentParams,
    response: z.object({ dashboards: z.array(DashboardWire) }),
    handler: async ({ params, request }) => {
      await getExperimentRow(store, trackingContext(request), params.experimentId);
      const rows = await store.db
        .selectFrom('dashboards')
        .selectAll()
        .where('workspace_id', '=', request.workspaceId)
        .where('experiment_id', '=', params.experimentId)
        .orderBy('name')
        .orderBy('id')
        .limit(1000)
        .execute();
      return { dashboards: rows.map(wire) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${base}/:dashboardId`,
    tag,
    summary: 'One dashboard',
    params: DashboardParams,
    response: z.object({ dashboard: DashboardWire }),
    handler: async ({ params, request }) => ({
      dashboard: wire(await load(request.workspaceId, params.experimentId, params.dashboardId)),
    }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: base,
    tag,
    summary: 'Create a dashboard on an experiment',
    description: 'The layout is versioned (`version: 1`): a filter over the runs and a list of charts.',
    params: ExperimentParams,
    body: z.strictObject({ name: DashboardName, layout: DashboardLayout, message: Message }),
    response: z.object({ dashboard: DashboardWire }),
    status: 201,
    handler: async ({ params, body, request }) => {
      const ctx = trackingContext(request, body.message);
      await getExperimentRow(store, ctx, params.experimentId);
      const now = Date.now();
      const row: DashboardRow = {
        workspace_id: ctx.workspaceId,
        experiment_id: params.experimentId,
        id: randomUUID().replaceAll('-', ''),
        name: body.name,
        layout: JSON.stringify(body.layout),
        created_by: ctx.actor,
        created_at: now,
        updated_at: now,
        updated_by: ctx.actor,
      };
      await store.db.transaction().execute(async (trx) => {
        await trx.insertInto('dashboards').values(row).execute();
        await audit(trx, ctx, 'dashboard.create', 'dashboard', row.id, {
          experimentId: String(params.experimentId),
          name: row.name,
        });
      });
      return { dashboard: wire(row) };
    },
  });

  defineRoute(app, registry, {
    method: 'PUT',
    url: `${base}/:dashboardId`,
    tag,
    summary: 'Replace a dashboard’s name and layout',
    description:
      '`updatedAt` is the value the caller read: when the dashboard changed since, the answer is CONFLICT (reload it and apply the edit again).',
    params: DashboardParams,
    body: z.strictObject({
      name: DashboardName.optional(),
      layout: DashboardLayout,
      updatedAt: z.number().int(),
      message: Message,
    }),
    response: z.object({ dashboard: DashboardWire }),
    handler: async ({ params, body, request }) => {
      const ctx = trackingContext(request, body.message);
      const current = await load(ctx.workspaceId, params.experimentId, params.dashboardId);
      const stale = () =>
        conflict(
          `Dashboard '${current.name}' was changed by ${current.updated_by} since it was read (updatedAt ${body.updatedAt}, now ${Number(current.updated_at)}): reload it and apply the edit again`,
          { field: 'updatedAt' },
        );
      if (Number(current.updated_at) !== body.updatedAt) throw stale();
      // Strictly increasing, so two saves within one millisecond still tell apart.
      const updatedAt = Math.max(Date.now(), body.updatedAt + 1);
      const next: DashboardRow = {
        ...current,
        name: body.name ?? current.name,
        layout: JSON.stringify(body.layout),
        updated_at: updatedAt,
        updated_by: ctx.actor,
      };
      await store.db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('dashboards')
          .set({ name: next.name, layout: next.layout, updated_at: updatedAt, updated_by: ctx.actor })
          .where('workspace_id', '=', ctx.workspaceId)
          .where('id', '=', current.id)
          .where('updated_at', '=', body.updatedAt)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) throw stale();
        await audit(trx, ctx, 'dashboard.update', 'dashboard', current.id, {
          experimentId: String(params.experimentId),
          name: next.name,
          charts: body.layout.charts.length,
        });
      });
      return { dashboard: wire(next) };
    },
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: `${base}/:dashboardId`,
    tag,
    summary: 'Delete a dashboard',
    params: DashboardParams,
    body: z.strictObject({ message: Message }).optional(),
    response: z.object({}),
    handler: async ({ params, body, request }) => {
      const ctx = trackingContext(request, body?.message);
      const current = await load(ctx.workspaceId, params.experimentId, params.dashboardId);
      await store.db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('dashboards')
          .where('workspace_id', '=', ctx.workspaceId)
          .where('id', '=', current.id)
          .execute();
        await audit(trx, ctx, 'dashboard.delete', 'dashboard', current.id, {
          experimentId: String(params.experimentId),
          name: current.name,
        });
      });
      return {};
    },
  });
}

import { Limits, RunStatus } from '@cairn/core';
import {
  createRun,
  deleteRunTag,
  getRun,
  loadRuns,
  logBatch,
  searchRunIds,
  setRunLifecycle,
  updateRun,
} from '@cairn/tracking';
import { z } from 'zod';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import {
  fromWireNumber,
  Message,
  MetricValue,
  PageToken,
  Run,
  RunId,
  StringMap,
  StringPatch,
  ViewTypeParam,
  WorkspaceParam,
} from './schemas.js';
import { wireRun } from './wire.js';

export const RunParams = z.object({ workspace: WorkspaceParam, runId: RunId });
const RunResponse = z.object({ run: Run });
const ExperimentIdString = z.string().regex(/^\d+$/, 'must be a decimal experiment id such as 12');
const RunSection = z.enum(['params', 'metrics', 'tags']);
/** Params are strings; numbers and booleans are accepted and written as MLflow clients write them. */
const ParamValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export function runRoutes(api: NativeApi): void {
  const { app, registry } = api;
  const { store } = api.services;
  const tag = 'runs';

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/runs`,
    tag,
    summary: 'Create a run',
    params: z.object({ workspace: WorkspaceParam }),
    body: z.strictObject({
      experimentId: ExperimentIdString,
      runName: z.string().max(500).optional(),
      startTime: z.number().int().nonnegative().optional().describe('ms since the epoch; default now'),
      status: z.enum(RunStatus).optional(),
      tags: StringMap.optional(),
      message: Message,
    }),
    response: RunResponse,
    status: 201,
    handler: async ({ body, request }) => {
      const run = await createRun(store, trackingContext(request, body.message), {
        experimentId: Number(body.experimentId),
        userId: request.principal.userName,
        runName: body.runName ?? null,
        startTime: body.startTime ?? null,
        status: body.status,
        tags: Object.entries(body.tags ?? {}).map(([key, value]) => ({ key, value })),
      });
      return { run: wireRun(run) };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/runs/search`,
    tag,
    summary: 'Search runs',
    description:
      "`filter` uses MLflow's run search grammar (`metrics.loss < 0.1 AND params.lr = '0.01'`). Only the sections named in `include` are returned, so large tables stay light.",
    params: z.object({ workspace: WorkspaceParam }),
    body: z.strictObject({
      experimentIds: z.array(ExperimentIdString).min(1).max(1000),
      filter: z.string().max(10_000).default(''),
      orderBy: z.array(z.string().max(1000)).max(20).default([]),
      viewType: ViewTypeParam,
      maxResults: z.number().int().min(1).max(Limits.maxSearchResults).default(1000),
      pageToken: PageToken,
      include: z.array(RunSection).default([]).describe('Sections of each run to return'),
    }),
    response: z.object({ runs: z.array(Run), nextPageToken: z.string().nullable() }),
    handler: async ({ body, request }) => {
      const page = await searchRunIds(store, {
        workspaceId: request.workspaceId,
        experimentIds: body.experimentIds.map(Number),
        filter: body.filter,
        orderBy: body.orderBy,
        viewType: body.viewType,
        maxResults: body.maxResults,
        pageToken: body.pageToken ?? null,
      });
      const runs = await loadRuns(store, page.runIds);
      return { runs: runs.map((r) => wireRun(r, body.include)), nextPageToken: page.nextPageToken };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/runs/:runId`,
    tag,
    summary: 'Get a run with its params, latest metrics and tags',
    params: RunParams,
    response: RunResponse,
    handler: async ({ params, request }) => ({
      run: wireRun(await getRun(store, trackingContext(request), params.runId)),
    }),
  });

  defineRoute(app, registry, {
    method: 'PATCH',
    url: `${WS}/runs/:runId`,
    tag,
    summary: 'Update a run: status, end time, name, tags',
    description: 'Tags given a string are set; tags given null are deleted.',
    params: RunParams,
    body: z.strictObject({
      status: z.enum(RunStatus).optional(),
      endTime: z.number().int().nonnegative().optional(),
      runName: z.string().min(1).max(500).optional(),
      tags: StringPatch.optional(),
      message: Message,
    }),
    response: RunResponse,
    handler: async ({ params, body, request }) => {
      const ctx = trackingContext(request, body.message);
      const set = Object.entries(body.tags ?? {}).flatMap(([key, value]) =>
        value === null ? [] : [{ key, value }],
      );
      if (body.status || body.endTime !== undefined || body.runName) {
        await updateRun(store, ctx, {
          runId: params.runId,
          status: body.status ?? null,
          endTime: body.endTime ?? null,
          runName: body.runName ?? null,
        });
      }
      if (set.length) await logBatch(store, ctx, params.runId, { tags: set });
      for (const [key, value] of Object.entries(body.tags ?? {})) {
        if (value === null) await deleteRunTag(store, ctx, params.runId, key);
      }
      return { run: wireRun(await getRun(store, ctx, params.runId)) };
    },
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: `${WS}/runs/:runId`,
    tag,
    summary: 'Delete a run (it can be restored); the reason may come in X-Cairn-Message',
    params: RunParams,
    response: RunResponse,
    handler: async ({ params, request }) => {
      const ctx = trackingContext(request);
      await setRunLifecycle(store, ctx, params.runId, 'deleted');
      return { run: wireRun(await getRun(store, ctx, params.runId)) };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/runs/:runId/restore`,
    tag,
    summary: 'Restore a deleted run',
    params: RunParams,
    body: z.strictObject({ message: Message }).optional(),
    response: RunResponse,
    handler: async ({ params, body, request }) => {
      const ctx = trackingContext(request, body?.message);
      await setRunLifecycle(store, ctx, params.runId, 'active');
      return { run: wireRun(await getRun(store, ctx, params.runId)) };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/runs/:runId/log-batch`,
    tag,
    summary: 'Log metrics, params and tags to a run in one request',
    description: `At most ${Limits.maxMetricsPerBatch} metrics and ${Limits.maxParamsTagsPerBatch} params and tags together. Metric values may be "NaN", "Infinity", "-Infinity" (or the bare JSON tokens Python writes).`,
    params: RunParams,
    body: z.strictObject({
      metrics: z
        .array(
          z.strictObject({
            key: z.string().min(1).max(250),
            value: MetricValue,
            timestamp: z.number().int().nonnegative().optional().describe('ms since the epoch; default now'),
            step: z.number().int().default(0),
          }),
        )
        .default([]),
      params: z.record(z.string(), ParamValue).default({}),
      tags: StringMap.default({}),
      message: Message,
    }),
    response: null,
    handler: async ({ params, body, request }) => {
      const now = Date.now();
      await logBatch(store, trackingContext(request, body.message), params.runId, {
        metrics: body.metrics.map((m) => ({
          key: m.key,
          value: fromWireNumber(m.value),
          timestamp: m.timestamp ?? now,
          step: m.step,
        })),
        params: Object.entries(body.params).map(([key, value]) => ({ key, value })),
        tags: Object.entries(body.tags).map(([key, value]) => ({ key, value })),
      });
      return undefined;
    },
  });
}

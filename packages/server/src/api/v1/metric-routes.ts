import { getRunRow, readChartSeries, readHistoryPage } from '@cairn/tracking';
import { z } from 'zod';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import {
  MetricBucket,
  MetricPoint,
  PageToken,
  queryInt,
  RunId,
  WorkspaceParam,
  wireNumber,
} from './schemas.js';

const MetricParams = z.object({
  workspace: WorkspaceParam,
  runId: RunId,
  key: z.string().min(1).max(250).describe("Metric key (URL-encode '/' as %2F)"),
});
const Step = z.coerce
  .number()
  .int()
  .min(-(2 ** 53 - 1))
  .max(2 ** 53 - 1);

export function metricRoutes(api: NativeApi): void {
  const { app, registry } = api;
  const { store } = api.services;
  const tag = 'metrics';

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/runs/:runId/metrics/:key/history`,
    tag,
    summary: "A page of a metric's full history, in step order",
    params: MetricParams,
    query: z.strictObject({ pageToken: PageToken, maxResults: queryInt(1, 25_000).default(10_000) }),
    response: z.object({
      key: z.string(),
      metrics: z.array(MetricPoint),
      nextPageToken: z.string().nullable(),
    }),
    handler: async ({ params, query, request }) => {
      await getRunRow(store, trackingContext(request), params.runId);
      const page = await readHistoryPage(store, params.runId, params.key, {
        pageToken: query.pageToken ?? null,
        maxResults: query.maxResults,
      });
      return {
        key: params.key,
        metrics: page.metrics.map((m) => ({
          value: wireNumber(m.value),
          step: m.step,
          timestamp: m.timestamp,
        })),
        nextPageToken: page.nextPageToken,
      };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/runs/:runId/metrics/:key/chart`,
    tag,
    summary: 'A metric downsampled for a chart: buckets of steps keeping min, max (and their steps) and last',
    description:
      'The cost depends on `buckets`, not on the length of the history; spikes survive as the min or max of their bucket, at their true step.',
    params: MetricParams,
    query: z.strictObject({
      buckets: queryInt(1, 10_000).default(1000),
      startStep: Step.optional(),
      endStep: Step.optional(),
    }),
    response: z.object({
      key: z.string(),
      totalCount: z.number().int().describe('Points in the whole history'),
      level: z.number().int().describe('Rollup level read; -1 for raw points'),
      buckets: z.array(MetricBucket),
    }),
    handler: async ({ params, query, request }) => {
      await getRunRow(store, trackingContext(request), params.runId);
      const series = await readChartSeries(store, params.runId, params.key, {
        buckets: query.buckets,
        startStep: query.startStep ?? null,
        endStep: query.endStep ?? null,
      });
      return {
        key: series.key,
        totalCount: series.totalCount,
        level: series.level,
        buckets: series.buckets.map((b) => ({
          ...b,
          min: wireNumber(b.min),
          max: wireNumber(b.max),
          last: wireNumber(b.last),
        })),
      };
    },
  });
}

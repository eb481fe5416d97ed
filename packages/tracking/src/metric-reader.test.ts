import type { MetadataStore } from '@cairn/store';
import { openMetadataStore } from '@cairn/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChartSeries, readHistoryPage, readSampledHistory } from './metric-reader.js';
import { createRun, logBatch } from './runs.js';

// Unit-level: an in-memory SQLite store, no services.
let store: MetadataStore;
const ctx = { workspaceId: 'ws', actor: 'tester' };

beforeAll(async () => {
  store = await openMetadataStore(':memory:');
  await store.db
    .insertInto('workspaces')
    .values({ id: 'ws', name: 'ws', description: '', created_at: 0, created_by: 'tester' })
    .execute();
});
afterAll(() => store.close());

async function seriesRun(points: { step: number; value: number }[], batch = 1000): Promise<string> {
  const run = await createRun(store, ctx, { experimentId: 0 });
  for (let i = 0; i < points.length; i += batch) {
    await logBatch(store, ctx, run.info.runId, {
      metrics: points
        .slice(i, i + batch)
        .map((p) => ({ key: 'm', value: p.value, timestamp: 1000 + p.step, step: p.step })),
    });
  }
  return run.info.runId;
}

describe('metric history', () => {
  it('pages the full history in step order, across out-of-order batches, keeping NaN and infinities', async () => {
    const points = [
      { step: 5, value: 0.5 },
      { step: 1, value: Number.NaN },
      { step: 3, value: Number.POSITIVE_INFINITY },
      { step: 2, value: Number.NEGATIVE_INFINITY },
      { step: 4, value: 4 },
    ];
    const runId = await seriesRun(points, 2);
    const first = await readHistoryPage(store, runId, 'm', { maxResults: 3 });
    expect(first.metrics.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(first.metrics[0]!.value).toBeNaN();
    expect(first.metrics[1]!.value).toBe(Number.NEGATIVE_INFINITY);
    const second = await readHistoryPage(store, runId, 'm', {
      maxResults: 3,
      pageToken: first.nextPageToken,
    });
    expect(second.metrics.map((m) => [m.step, m.value])).toEqual([
      [4, 4],
      [5, 0.5],
    ]);
    expect(second.nextPageToken).toBeNull();
  });

  it('pages an in-order history by reading only the chunks a page covers', async () => {
    const points = Array.from({ length: 1000 }, (_, step) => ({ step, value: step / 10 }));
    const runId = await seriesRun(points, 100);
    const steps: number[] = [];
    let token: string | null = null;
    do {
      const page = await readHistoryPage(store, runId, 'm', { maxResults: 150, pageToken: token });
      steps.push(...page.metrics.map((m) => m.step));
      token = page.nextPageToken;
    } while (token);
    expect(steps).toEqual(points.map((p) => p.step));
  });

  it('downsamples a long series to the buckets asked for and keeps a one-point spike at its step', async () => {
    const n = 200_000;
    const points = Array.from({ length: n }, (_, step) => ({
      step,
      value: step === 123_457 ? 50 : Math.sin(step / 1000),
    }));
    const runId = await seriesRun(points);
    const series = await readChartSeries(store, runId, 'm', { buckets: 100 });
    expect(series.totalCount).toBe(n);
    expect(series.buckets.length).toBeLessThanOrEqual(100);
    expect(series.buckets.length).toBeGreaterThan(10);
    const top = series.buckets.reduce((a, b) => (b.max > a.max ? b : a));
    expect(top.max).toBe(50);
    expect(top.maxStep).toBe(123_457);
    expect(series.buckets.reduce((s, b) => s + b.count, 0)).toBe(n);

    const zoomed = await readChartSeries(store, runId, 'm', {
      buckets: 50,
      startStep: 123_400,
      endStep: 123_500,
    });
    expect(zoomed.level).toBe(-1);
    expect(Math.max(...zoomed.buckets.map((b) => b.max))).toBe(50);

    const sampled = await readSampledHistory(store, runId, 'm', { maxResults: 500 });
    expect(sampled.length).toBeLessThanOrEqual(500);
    expect(sampled[0]!.step).toBe(0);
    expect(sampled.at(-1)!.step).toBe(n - 1);
  });
});

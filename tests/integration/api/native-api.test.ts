import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_STATUS } from '@cairn/core';
import type { Experiment as SdkExperiment } from '@cairn/sdk';
import { CairnApiError, type CairnClient, type WireMetricBucket, type WireRun } from '@cairn/sdk';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  Experiment as ExperimentSchema,
  MetricBucket as MetricBucketSchema,
  Run as RunSchema,
} from '../../../packages/server/src/api/v1/schemas.js';
import { DIALECTS } from '../support/metadata-stores.js';
import { type RunningServer, startServer } from './test-server.js';

const fresh = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Rejects with the CairnApiError a call fails with. */
async function apiError(p: Promise<unknown>): Promise<CairnApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CairnApiError)) throw new Error(`expected a CairnApiError, got ${String(err)}`);
  return err;
}

// The SDK's wire types and the server's schemas describe the same shapes (checked by tsc).
expectTypeOf<z.input<typeof RunSchema>>().toEqualTypeOf<WireRun>();
expectTypeOf<z.input<typeof ExperimentSchema>>().toEqualTypeOf<SdkExperiment>();
expectTypeOf<z.input<typeof MetricBucketSchema>>().toEqualTypeOf<WireMetricBucket>();

describe.each(DIALECTS)('native API over %s', (dialect) => {
  let running: RunningServer;
  let client: CairnClient;
  beforeAll(async () => {
    running = await startServer(dialect);
    client = running.client;
  });
  afterAll(() => running?.dispose());

  const raw = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    });

  it('creates, reads, renames, tags, deletes and restores experiments', async () => {
    const name = fresh('exp');
    const created = await client.experiments.create({ name, tags: { team: 'vision' } });
    expect(created).toMatchObject({ name, lifecycleStage: 'active', tags: { team: 'vision' } });
    expect(await client.experiments.get(created.experimentId)).toEqual(created);
    expect((await client.experiments.getByName(name)).experimentId).toBe(created.experimentId);

    const renamed = await client.experiments.update(created.experimentId, {
      name: `${name}-b`,
      tags: { team: null, owner: 'ada' },
    });
    expect(renamed).toMatchObject({ name: `${name}-b`, tags: { owner: 'ada' } });

    expect((await client.experiments.delete(created.experimentId)).lifecycleStage).toBe('deleted');
    const active = await client.experiments.search({ filter: `name = '${name}-b'` });
    expect(active.experiments).toEqual([]);
    const deleted = await client.experiments.search({
      filter: `name = '${name}-b'`,
      viewType: 'DELETED_ONLY',
    });
    expect(deleted.experiments.map((e) => e.experimentId)).toEqual([created.experimentId]);
    expect((await client.experiments.restore(created.experimentId)).lifecycleStage).toBe('active');

    const dup = await apiError(client.experiments.create({ name: `${name}-b` }));
    expect(dup.status).toBe(ERROR_STATUS[dup.code]);
    expect(dup.code).toBe('ALREADY_EXISTS');
  });

  it('searches experiments with filter, order and paging', async () => {
    const prefix = fresh('page');
    for (const n of ['c', 'a', 'b', 'e', 'd']) await client.experiments.create({ name: `${prefix}-${n}` });
    const first = await client.experiments.search({
      filter: `name LIKE '${prefix}-%'`,
      orderBy: ['name DESC'],
      maxResults: 2,
    });
    expect(first.experiments.map((e) => e.name.slice(-1))).toEqual(['e', 'd']);
    expect(first.nextPageToken).toBeTruthy();
    const all: string[] = [];
    for await (const e of client.experiments.iterate({
      filter: `name LIKE '${prefix}-%'`,
      orderBy: ['name ASC'],
      maxResults: 2,
    })) {
      all.push(e.name.slice(-1));
    }
    expect(all).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('logs a batch with NaN and ±Infinity and reads it back as numbers', async () => {
    const exp = await client.experiments.create({ name: fresh('nan') });
    const run = await client.runs.create({ experimentId: exp.experimentId, runName: 'r', tags: { a: 'b' } });
    await client.runs.logBatch(run.runId, {
      metrics: [
        { key: 'loss', value: Number.NaN, step: 0 },
        { key: 'loss', value: Infinity, step: 1 },
        { key: 'loss', value: -Infinity, step: 2 },
        { key: 'acc', value: 0.5, step: 3 },
      ],
      params: { lr: 0.01, arch: 'resnet', pretrained: true },
      tags: { stage: 'dev' },
    });
    const got = await client.runs.get(run.runId);
    expect(got.params).toEqual({ lr: '0.01', arch: 'resnet', pretrained: 'true' });
    expect(got.tags).toMatchObject({ a: 'b', stage: 'dev' });
    expect(got.metrics?.loss?.value).toBe(-Infinity);
    expect(got.metrics?.acc?.value).toBe(0.5);
    const history = await client.runs.metricHistory(run.runId, 'loss');
    expect(history.metrics.map((m) => m.value)).toEqual([Number.NaN, Infinity, -Infinity]);

    // Python clients send bare NaN tokens; they are accepted too.
    const res = await raw(
      'POST',
      `/api/v1/workspaces/default/runs/${run.runId}/log-batch`,
      '{"metrics":[{"key":"py","value":NaN,"step":7},{"key":"py","value":-Infinity,"step":8}]}',
    );
    expect(res.status).toBe(204);
    const py = await client.runs.metricHistory(run.runId, 'py');
    expect(py.metrics.map((m) => [m.step, m.value])).toEqual([
      [7, Number.NaN],
      [8, -Infinity],
    ]);

    const updated = await client.runs.update(run.runId, {
      status: 'FINISHED',
      endTime: Date.now(),
      tags: { a: null },
    });
    expect(updated.status).toBe('FINISHED');
    expect(updated.tags?.a).toBeUndefined();
    expect((await client.runs.delete(run.runId)).lifecycleStage).toBe('deleted');
    expect((await client.runs.restore(run.runId)).lifecycleStage).toBe('active');
  });

  it('searches runs with filter, order, paging and only the sections asked for', async () => {
    const exp = await client.experiments.create({ name: fresh('search') });
    for (let i = 0; i < 7; i++) {
      const run = await client.runs.create({ experimentId: exp.experimentId, runName: `r${i}` });
      await client.runs.logBatch(run.runId, {
        metrics: [{ key: 'loss', value: i / 10, step: 0 }],
        params: { i },
        tags: { parity: i % 2 ? 'odd' : 'even' },
      });
    }
    const query = {
      experimentIds: [exp.experimentId],
      filter: "metrics.loss > 0.15 AND tags.parity = 'odd'",
      orderBy: ['metrics.loss DESC'],
    };
    const light = await client.runs.search({ ...query, maxResults: 1 });
    expect(light.runs.map((r) => r.runName)).toEqual(['r5']);
    expect(light.runs[0]).not.toHaveProperty('params');
    expect(light.runs[0]).not.toHaveProperty('metrics');
    expect(light.nextPageToken).toBeTruthy();

    const names: string[] = [];
    for await (const r of client.runs.iterate({ ...query, maxResults: 1, include: ['metrics'] })) {
      expect(Object.keys(r.metrics ?? {})).toEqual(['loss']);
      expect(r).not.toHaveProperty('tags');
      names.push(r.runName);
    }
    expect(names).toEqual(['r5', 'r3']);
  });

  it('pages through a metric history', async () => {
    const exp = await client.experiments.create({ name: fresh('hist') });
    const run = await client.runs.create({ experimentId: exp.experimentId });
    const metrics = Array.from({ length: 250 }, (_, step) => ({ key: 'train/loss', value: step * 2, step }));
    await client.runs.logBatch(run.runId, { metrics });
    const page = await client.runs.metricHistory(run.runId, 'train/loss', { maxResults: 100 });
    expect(page.metrics).toHaveLength(100);
    expect(page.nextPageToken).toBeTruthy();
    const steps: number[] = [];
    for await (const p of client.runs.iterateMetricHistory(run.runId, 'train/loss', { maxResults: 100 })) {
      steps.push(p.step);
    }
    expect(steps).toEqual(metrics.map((m) => m.step));
  });

  it('downsamples 100k points to 100 buckets and keeps a spike at its step', async () => {
    const exp = await client.experiments.create({ name: fresh('chart') });
    const run = await client.runs.create({ experimentId: exp.experimentId });
    const total = 100_000;
    const spikeStep = 63_217;
    for (let start = 0; start < total; start += 1000) {
      const metrics = Array.from({ length: 1000 }, (_, i) => {
        const step = start + i;
        return { key: 'loss', value: step === spikeStep ? 1e6 : Math.sin(step / 1000), step, timestamp: 1 };
      });
      await client.runs.logBatch(run.runId, { metrics });
    }
    const chart = await client.runs.metricChart(run.runId, 'loss', { buckets: 100 });
    expect(chart.totalCount).toBe(total);
    expect(chart.buckets.length).toBeGreaterThan(0);
    expect(chart.buckets.length).toBeLessThanOrEqual(100);
    expect(chart.buckets.reduce((n, b) => n + b.count, 0)).toBe(total);
    const spike = chart.buckets.find((b) => b.stepStart <= spikeStep && spikeStep <= b.stepEnd);
    expect(spike).toMatchObject({ max: 1e6, maxStep: spikeStep });
    expect(Math.max(...chart.buckets.map((b) => b.max))).toBe(1e6);

    const zoomed = await client.runs.metricChart(run.runId, 'loss', {
      buckets: 10,
      startStep: spikeStep - 50,
      endStep: spikeStep + 50,
    });
    expect(zoomed.buckets.some((b) => b.max === 1e6 && b.maxStep === spikeStep)).toBe(true);
  });

  it('uploads, lists and downloads artifacts, whole, by range and to a file', async () => {
    const exp = await client.experiments.create({ name: fresh('art') });
    const run = await client.runs.create({ experimentId: exp.experimentId });
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const stored = await client.runs.uploadArtifact(run.runId, 'model/weights.bin', big);
    expect(stored).toMatchObject({ path: 'model/weights.bin', size: big.length });
    async function* chunks() {
      yield new TextEncoder().encode('hello ');
      yield new TextEncoder().encode('world');
    }
    await client.runs.uploadArtifact(run.runId, 'notes.txt', chunks());

    expect(await client.runs.listArtifacts(run.runId)).toEqual([
      { path: 'model', isDir: true, fileSize: null },
      { path: 'notes.txt', isDir: false, fileSize: 11 },
    ]);
    expect(await client.runs.listArtifacts(run.runId, 'model')).toEqual([
      { path: 'model/weights.bin', isDir: false, fileSize: big.length },
    ]);
    const walked: string[] = [];
    for await (const f of client.runs.walkArtifacts(run.runId)) walked.push(f.path);
    expect(walked).toEqual(['model/weights.bin', 'notes.txt']);

    expect(new TextDecoder().decode(await client.runs.readArtifact(run.runId, 'notes.txt'))).toBe(
      'hello world',
    );
    const part = await client.runs.downloadArtifact(run.runId, 'model/weights.bin', {
      range: { start: 1000, end: 1999 },
    });
    expect(part.status).toBe(206);
    expect(part.contentLength).toBe(1000);
    expect(part.size).toBe(big.length);
    expect(Buffer.from(await new Response(part.body).arrayBuffer())).toEqual(big.subarray(1000, 2000));

    const dest = join(running.dataDir, 'downloads', 'weights.bin');
    let lastProgress = 0;
    const written = await client.runs.downloadArtifactToFile(run.runId, 'model/weights.bin', dest, {
      onProgress: (p) => {
        lastProgress = p.received;
      },
    });
    expect(written.bytes).toBe(big.length);
    expect(lastProgress).toBe(big.length);
    expect((await readFile(dest)).equals(big)).toBe(true);

    const res = await fetch(
      `${running.baseUrl}/api/v1/workspaces/default/runs/${run.runId}/artifacts/content?path=notes.txt`,
      { headers: { range: 'bytes=-5' } },
    );
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 6-10/11');
    expect(await res.text()).toBe('world');
  });

  it('answers bad input with 400 naming the field', async () => {
    const exp = await client.experiments.create({ name: fresh('bad') });
    const run = await client.runs.create({ experimentId: exp.experimentId });
    const base = '/api/v1/workspaces/default';

    const malformed = await raw('POST', `${base}/runs/${run.runId}/log-batch`, '{"metrics": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { field: 'body' } },
    });

    const unknown = await raw('POST', `${base}/experiments`, JSON.stringify({ name: 'x', colour: 'red' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { details: { field: 'colour' } } });

    const wrongType = await raw(
      'POST',
      `${base}/runs/${run.runId}/log-batch`,
      JSON.stringify({
        metrics: [
          { key: 'a', value: 1, step: 0 },
          { key: 'b', value: 'high', step: 0 },
        ],
      }),
    );
    expect(wrongType.status).toBe(400);
    const body = (await wrongType.json()) as { error: { message: string; details: { field: string } } };
    expect(body.error.details.field).toBe('metrics[1].value');
    expect(body.error.message).toMatch(/metrics\[1\]\.value/);

    const badQuery = await apiError(client.experiments.search({ maxResults: 0 }));
    expect(badQuery).toMatchObject({ status: 400, details: { field: 'maxResults' } });

    const filter = await apiError(
      client.runs.search({ experimentIds: [exp.experimentId], filter: 'metrics.loss >> 1' }),
    );
    expect(filter.code).toBe('INVALID_ARGUMENT');
    expect(filter.details).toMatchObject({ field: 'filter', position: expect.any(Number) });
    expect(filter.message).toMatch(/position \d+/);

    const traversal = await apiError(client.runs.uploadArtifact(run.runId, '../../etc/passwd', 'x'));
    expect(traversal).toMatchObject({ status: 400, details: { field: 'path' } });
    expect(traversal.message).toMatch(/'\.\.'/);
    const escapeList = await apiError(client.runs.listArtifacts(run.runId, 'a/../..'));
    expect(escapeList.status).toBe(400);

    const badRange = await apiError(
      client.runs
        .uploadArtifact(run.runId, 'f.txt', 'abc')
        .then(() => client.runs.downloadArtifact(run.runId, 'f.txt', { range: { start: 10 } })),
    );
    expect(badRange).toMatchObject({ status: 400, details: { field: 'range' } });

    const badToken = await apiError(client.runs.metricHistory(run.runId, 'loss', { pageToken: 'nope' }));
    expect(badToken).toMatchObject({ status: 400, details: { field: 'pageToken' } });
  });

  it('answers unknown ids with 404', async () => {
    const missingRun = randomBytes(16).toString('hex');
    for (const call of [
      () => client.runs.get(missingRun),
      () => client.runs.metricHistory(missingRun, 'loss'),
      () => client.runs.metricChart(missingRun, 'loss'),
      () => client.runs.listArtifacts(missingRun),
      () => client.runs.logBatch(missingRun, { params: { a: 1 } }),
      () => client.experiments.get('987654321'),
      () => client.experiments.getByName(fresh('nope')),
      () => client.withWorkspace(fresh('ws')).experiments.search(),
    ]) {
      const err = await apiError(call());
      expect(err.status).toBe(404);
      expect(err.code).toBe('NOT_FOUND');
    }
    const missingRunErr = await apiError(client.runs.get(missingRun));
    expect(missingRunErr.message).toBe(`Run with id=${missingRun} not found`);
    const exp = await client.experiments.create({ name: fresh('nf') });
    const run = await client.runs.create({ experimentId: exp.experimentId });
    expect((await apiError(client.runs.readArtifact(run.runId, 'nope.bin'))).status).toBe(404);
    const route = await fetch(`${running.baseUrl}/api/v1/workspaces/default/nothing-here`);
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ error: { code: 'ENDPOINT_NOT_FOUND' } });
  });

  it('works against workspaces, users and tokens', async () => {
    const name = fresh('ws');
    const ws = await client.workspaces.create({ name, description: 'for tests' });
    expect(ws).toMatchObject({ name, role: 'owner' });
    expect((await client.workspaces.list()).map((w) => w.name)).toContain(name);
    expect((await client.workspaces.get(name)).description).toBe('for tests');
    const me = await client.users.me();
    expect(me.user.name).toBe('tester');
    const scoped = client.withWorkspace(name);
    const exp = await scoped.experiments.create({ name: 'only-here' });
    expect((await client.experiments.search({ filter: "name = 'only-here'" })).experiments).toEqual([]);
    expect((await scoped.experiments.get(exp.experimentId)).name).toBe('only-here');
    const events = [];
    for await (const e of scoped.audit.iterate({ maxResults: 2 })) events.push(e);
    expect(events.length).toBeGreaterThan(0);
  });

  it('serves an OpenAPI 3.1 document describing every /api/v1 route', async () => {
    const res = await fetch(`${running.baseUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { summary: string; 'x-undescribed'?: boolean; operationId?: string }>
      >;
      components: { schemas: Record<string, { enum?: string[] }> };
      'x-error-statuses': Record<string, number>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(operations.filter((o) => o.op['x-undescribed']).map((o) => o.key)).toEqual([]);
    const keys = operations.map((o) => o.key);
    const W = '/api/v1/workspaces/{workspace}';
    for (const expected of [
      `GET ${W}/experiments`,
      `POST ${W}/experiments`,
      `GET ${W}/experiments/{experimentId}`,
      `PATCH ${W}/experiments/{experimentId}`,
      `DELETE ${W}/experiments/{experimentId}`,
      `POST ${W}/experiments/{experimentId}/restore`,
      `POST ${W}/runs`,
      `POST ${W}/runs/search`,
      `GET ${W}/runs/{runId}`,
      `PATCH ${W}/runs/{runId}`,
      `DELETE ${W}/runs/{runId}`,
      `POST ${W}/runs/{runId}/restore`,
      `POST ${W}/runs/{runId}/log-batch`,
      `GET ${W}/runs/{runId}/metrics/{key}/history`,
      `GET ${W}/runs/{runId}/metrics/{key}/chart`,
      `GET ${W}/runs/{runId}/artifacts`,
      `GET ${W}/runs/{runId}/artifacts/content`,
      `PUT ${W}/runs/{runId}/artifacts/content`,
      `GET ${W}/audit-events`,
      'GET /api/v1/workspaces',
      'POST /api/v1/workspaces',
      'GET /api/v1/users/me',
      'POST /api/v1/tokens',
      'GET /api/v1/openapi.json',
    ]) {
      expect(keys).toContain(expected);
    }
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc['x-error-statuses']).toEqual(ERROR_STATUS);
    expect(doc.components.schemas.ErrorCode?.enum).toEqual(Object.keys(ERROR_STATUS));
    for (const name of ['Error', 'Run', 'Experiment', 'MetricBucket', 'Workspace']) {
      expect(doc.components.schemas).toHaveProperty(name);
    }
    // Every $ref points at a component that exists.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const target = ref.slice(8, -1);
      const [, kind, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(target) ?? [];
      expect(kind, target).toBeDefined();
      expect((doc.components as Record<string, Record<string, unknown>>)[kind!]).toHaveProperty(name!);
    }
  });
});

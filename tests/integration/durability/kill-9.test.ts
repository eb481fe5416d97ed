import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '@cairn/store';
import { afterEach, describe, expect, it } from 'vitest';
import { freshPostgresUri } from '../support/env.js';
import { DIALECTS } from '../support/metadata-stores.js';
import { type CairnProcess, startCairn } from './cairn-process.js';

/**
 * kill -9 while clients log: every log-batch the server acknowledged (200) is there after a restart on
 * the same data folder and store, and every batch is there entirely or not at all. Each batch owns a
 * unique step range, its own param keys and its own tag, so its presence can be checked piece by piece.
 */

const A = '/api/2.0/mlflow';
const CLIENTS = 4;
const RUNS = 2; // clients share runs, so concurrent writers contend on the same run
const STEPS_PER_BATCH = 100;
const METRIC_KEYS = ['loss', 'acc'] as const;
const PARAMS_PER_BATCH = 3;
/** The kill comes once this many batches were acknowledged, with every client mid-request. */
const KILL_AFTER_ACKS = 240;
/** Each test starts the server twice (about 3 s each here, much longer on a loaded machine). */
const TEST_TIMEOUT_MS = 240_000;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely and checked with expect
type LooseJson = any;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function json(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<LooseJson> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A server on fresh storage of `dialect`; returns how to (re)start it on that same storage. */
async function freshStorage(dialect: Dialect): Promise<{ dataDir: string; start(): Promise<CairnProcess> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-kill9-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  let storeUri: string | undefined;
  if (dialect === 'postgres') {
    const pg = await freshPostgresUri();
    cleanups.push(() => pg.dispose());
    storeUri = pg.uri;
  }
  return {
    dataDir,
    async start() {
      const server = await startCairn({ dataDir, storeUri });
      cleanups.push(() => server.stop());
      return server;
    },
  };
}

interface Batch {
  id: number;
  runId: string;
  body: { run_id: string; metrics: LooseJson[]; params: LooseJson[]; tags: LooseJson[] };
  /** 'acked': 200 received; 'unknown': in flight when the server died; 'rejected': a non-200 answer. */
  outcome: 'acked' | 'unknown' | 'rejected' | 'unsent';
}

const pointValue = (id: number, key: string, i: number) => id * 1000 + i + (key === 'loss' ? 0.25 : 0.5);

function makeBatch(id: number, runId: string): Batch {
  const base = id * STEPS_PER_BATCH;
  const metrics = METRIC_KEYS.flatMap((key) =>
    Array.from({ length: STEPS_PER_BATCH }, (_, i) => ({
      key,
      value: pointValue(id, key, i),
      timestamp: 1_700_000_000_000 + base + i,
      step: base + i,
    })),
  );
  const params = Array.from({ length: PARAMS_PER_BATCH }, (_, j) => ({
    key: `b${id}.p${j}`,
    value: `${id}:${j}`,
  }));
  const tags = [{ key: `b${id}.tag`, value: `batch-${id}` }];
  return { id, runId, body: { run_id: runId, metrics, params, tags }, outcome: 'unsent' };
}

async function fullHistory(base: string, runId: string, key: string): Promise<LooseJson[]> {
  const points: LooseJson[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ run_id: runId, metric_key: key, max_results: '25000' });
    if (token) query.set('page_token', token);
    const page = await json(base, 'GET', `${A}/metrics/get-history?${query}`);
    points.push(...(page.metrics ?? []));
    token = page.next_page_token;
  } while (token);
  return points;
}

/** How much of `batch` the restarted server holds: 0 (none) … 1 (all), checked piece by piece. */
function presence(
  batch: Batch,
  run: { params: Map<string, string>; tags: Map<string, string>; history: Map<string, Map<number, number>> },
): number {
  let found = 0;
  let total = 0;
  for (const p of batch.body.params) {
    total++;
    if (run.params.has(p.key)) {
      expect(run.params.get(p.key)).toBe(p.value);
      found++;
    }
  }
  for (const t of batch.body.tags) {
    total++;
    if (run.tags.has(t.key)) {
      expect(run.tags.get(t.key)).toBe(t.value);
      found++;
    }
  }
  for (const m of batch.body.metrics) {
    total++;
    const value = run.history.get(m.key)?.get(m.step);
    if (value !== undefined) {
      expect(value).toBe(m.value);
      found++;
    }
  }
  return found / total;
}

describe.each(DIALECTS)('kill -9 durability (%s)', (dialect: Dialect) => {
  it(
    'every acknowledged log-batch survives a SIGKILL mid-stream, and no batch is half-applied',
    async () => {
      const storage = await freshStorage(dialect);
      const first = await storage.start();
      const exp = await json(first.url, 'POST', `${A}/experiments/create`, {
        name: `kill9-${randomBytes(4).toString('hex')}`,
      });
      const runIds: string[] = [];
      for (let r = 0; r < RUNS; r++) {
        const created = await json(first.url, 'POST', `${A}/runs/create`, {
          experiment_id: exp.experiment_id,
          start_time: Date.now(),
        });
        runIds.push(created.run.info.run_id);
      }

      const batches: Batch[] = [];
      let acks = 0;
      let killed = false;
      let reachedThreshold!: () => void;
      const threshold = new Promise<void>((resolve) => {
        reachedThreshold = resolve;
      });
      const client = async (c: number) => {
        for (let b = 0; !killed; b++) {
          const batch = makeBatch(c * 100_000 + b, runIds[c % RUNS]!);
          batches.push(batch);
          batch.outcome = 'unknown';
          try {
            const res = await fetch(`${first.url}${A}/runs/log-batch`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(batch.body),
            });
            await res.arrayBuffer();
            batch.outcome = res.status === 200 ? 'acked' : 'rejected';
            if (res.status !== 200) return;
            if (++acks === KILL_AFTER_ACKS) reachedThreshold();
          } catch {
            return; // the connection died with the server: the outcome stays 'unknown'
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
      await threshold;
      killed = true;
      await first.kill9();
      await Promise.all(clients);

      expect(batches.filter((b) => b.outcome === 'rejected')).toEqual([]);
      const acked = batches.filter((b) => b.outcome === 'acked');
      expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
      // The kill really came mid-stream: some requests were still in flight.
      expect(batches.length - acked.length).toBeGreaterThanOrEqual(1);

      const second = await storage.start();
      const holdings = new Map<
        string,
        { params: Map<string, string>; tags: Map<string, string>; history: Map<string, Map<number, number>> }
      >();
      for (const runId of runIds) {
        const run = (await json(second.url, 'GET', `${A}/runs/get?run_id=${runId}`)).run;
        const history = new Map<string, Map<number, number>>();
        for (const key of METRIC_KEYS) {
          const points = await fullHistory(second.url, runId, key);
          const bySteps = new Map(points.map((p) => [p.step as number, p.value as number]));
          expect(bySteps.size, `duplicate steps in ${key} of ${runId}`).toBe(points.length);
          history.set(key, bySteps);
          // The latest value shown on the run agrees with the history that survived.
          const last = points.reduce<LooseJson>((a, p) => (a === null || p.step > a.step ? p : a), null);
          const latest = (run.data.metrics ?? []).find((m: LooseJson) => m.key === key);
          expect(latest?.value).toBe(last?.value);
        }
        holdings.set(runId, {
          params: new Map((run.data.params ?? []).map((p: LooseJson) => [p.key, p.value])),
          tags: new Map((run.data.tags ?? []).map((t: LooseJson) => [t.key, t.value])),
          history,
        });
      }

      let unknownPresent = 0;
      for (const batch of batches) {
        const share = presence(batch, holdings.get(batch.runId)!);
        if (batch.outcome === 'acked') expect(share, `acknowledged batch ${batch.id}`).toBe(1);
        else expect([0, 1], `in-flight batch ${batch.id} is half-applied (${share})`).toContain(share);
        if (batch.outcome === 'unknown' && share === 1) unknownPresent++;
      }
      // Nothing appears that no batch sent.
      const sentPoints = batches.length * STEPS_PER_BATCH * METRIC_KEYS.length;
      let storedPoints = 0;
      for (const h of holdings.values()) for (const steps of h.history.values()) storedPoints += steps.size;
      expect(storedPoints).toBeLessThanOrEqual(sentPoints);
      expect(storedPoints).toBe((acked.length + unknownPresent) * STEPS_PER_BATCH * METRIC_KEYS.length);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'an artifact upload killed mid-stream leaves no listed file; an acknowledged one survives',
    async () => {
      const storage = await freshStorage(dialect);
      const first = await storage.start();
      const exp = await json(first.url, 'POST', `${A}/experiments/create`, {
        name: `kill9-art-${randomBytes(4).toString('hex')}`,
      });
      const run = (await json(first.url, 'POST', `${A}/runs/create`, { experiment_id: exp.experiment_id }))
        .run.info;
      const dir = `${exp.experiment_id}/${run.run_id}/artifacts`;
      const artifacts = `${first.url}/api/2.0/mlflow-artifacts/artifacts`;

      const done = Buffer.from(`acknowledged ${randomBytes(8).toString('hex')}`);
      const put = await fetch(`${artifacts}/${dir}/done.txt`, { method: 'PUT', body: done });
      expect(put.status).toBe(200);

      // A 64 MiB upload of which 8 MiB is sent; the kill comes once the server is writing it.
      const declared = 64 * 1024 * 1024;
      const url = new URL(`${artifacts}/${dir}/partial.bin`);
      const upload = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': declared },
      });
      const answered = new Promise<string>((resolve) => {
        upload.on('response', (res) => resolve(`answered ${res.statusCode}`));
        upload.on('error', (err) => resolve(`failed: ${err.message}`));
      });
      const chunk = randomBytes(1024 * 1024);
      for (let i = 0; i < 8; i++) upload.write(chunk);
      await receivedBytes(join(storage.dataDir, 'blobs', 'tmp'));
      await first.kill9();
      expect(await answered).toMatch(/^failed/);

      const second = await storage.start();
      const listing = await json(second.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts?path=${dir}`);
      expect(listing.files).toEqual([{ path: 'done.txt', is_dir: false, file_size: done.length }]);
      const partial = await fetch(`${second.url}/api/2.0/mlflow-artifacts/artifacts/${dir}/partial.bin`);
      expect(partial.status).toBe(404);
      const back = await fetch(`${second.url}/api/2.0/mlflow-artifacts/artifacts/${dir}/done.txt`);
      expect(Buffer.from(await back.arrayBuffer())).toEqual(done);
    },
    TEST_TIMEOUT_MS,
  );
});

/** Resolves once the blob store's temp folder holds a file with bytes in it (the upload is being written). */
async function receivedBytes(tmpDir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const names = await readdir(tmpDir).catch(() => [] as string[]);
    for (const name of names) {
      const size = await stat(join(tmpDir, name)).then(
        (s) => s.size,
        () => 0,
      );
      if (size > 0) return;
    }
    if (Date.now() > deadline) throw new Error(`no upload bytes reached ${tmpDir} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Manual measurement (not a test): seeds N runs into a fresh SQLite file and/or PostgreSQL database and
 * times searchRunIds with a metric filter and a metric order_by.
 *   CAIRN_TEST_PG_URI=postgresql://… npx tsx tests/integration/tracking-search/measure-search.ts 100000
 */
import type { Dialect, LatestMetricRow, MetadataStore, ParamRow, RunRow, RunTagRow } from '@cairn/store';
import { openMetadataStore } from '@cairn/store';
import { searchRunIds } from '@cairn/tracking';
import { type Insertable, sql } from 'kysely';
import { freshStoreUri } from '../support/metadata-stores.js';
import { freshId, seedExperiment, seedWorkspace } from './seed.js';

const N = Number(process.argv[2] ?? 100_000);
const dialects = (process.argv[3]?.split(',') ?? ['sqlite', 'postgres']) as Dialect[];

async function seedBulk(store: MetadataStore, ws: string, exp: number): Promise<void> {
  const chunk = 1000;
  for (let i = 0; i < N; i += chunk) {
    const runs: Insertable<RunRow>[] = [];
    const metrics: Insertable<LatestMetricRow>[] = [];
    const params: Insertable<ParamRow>[] = [];
    const tags: Insertable<RunTagRow>[] = [];
    for (let j = i; j < Math.min(N, i + chunk); j++) {
      const id = freshId();
      runs.push({
        id,
        experiment_id: exp,
        workspace_id: ws,
        name: `run-${j}`,
        user_id: 'u',
        status: 'FINISHED',
        start_time: 1_700_000_000_000 + j,
        end_time: null,
        lifecycle_stage: 'active',
        artifact_uri: `x/${id}`,
        parent_run_id: null,
        deleted_time: null,
      });
      const acc = Math.random();
      metrics.push({ run_id: id, key: 'acc', step: 0, timestamp: 0, value: acc, is_nan: 0 });
      metrics.push({ run_id: id, key: 'loss', step: 0, timestamp: 0, value: 1 - acc, is_nan: 0 });
      metrics.push({ run_id: id, key: 'f1', step: 0, timestamp: 0, value: Math.random(), is_nan: 0 });
      params.push(
        { run_id: id, key: 'lr', value: String(j % 10) },
        { run_id: id, key: 'model', value: `m${j % 7}` },
      );
      tags.push({ run_id: id, key: 'mlflow.runName', value: `run-${j}` });
    }
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('runs').values(runs).execute();
      await trx.insertInto('latest_metrics').values(metrics).execute();
      await trx.insertInto('params').values(params).execute();
      await trx.insertInto('run_tags').values(tags).execute();
    });
  }
  await sql`ANALYZE`.execute(store.db);
}

async function time(label: string, fn: () => Promise<unknown>, reps = 7): Promise<void> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(70)} median ${ms[reps >> 1]!.toFixed(1)} ms  min ${ms[0]!.toFixed(1)} ms`);
}

for (const dialect of dialects) {
  const target = await freshStoreUri(dialect);
  const store = await openMetadataStore(target.uri);
  try {
    const ws = await seedWorkspace(store);
    const exp = await seedExperiment(store, ws);
    const t0 = performance.now();
    await seedBulk(store, ws, exp);
    console.log(`${dialect}: seeded ${N} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const q = { workspaceId: ws, experimentIds: [exp], viewType: 'ACTIVE_ONLY' as const, maxResults: 1000 };
    const cases: [string, string, string[]][] = [
      ['filter acc > 0.5, order acc DESC', 'metrics.acc > 0.5', ['metrics.acc DESC']],
      ['filter acc > 0.5, order loss ASC', 'metrics.acc > 0.5', ['metrics.loss ASC']],
      ['filter acc > 0.99, order acc DESC', 'metrics.acc > 0.99', ['metrics.acc DESC']],
      [
        'filter acc > 0.5 AND params.model = m3, order f1',
        "metrics.acc > 0.5 AND params.model = 'm3'",
        ['metrics.f1'],
      ],
      ['no filter, order acc DESC', '', ['metrics.acc DESC']],
      ['no filter, default order', '', []],
      ['filter acc != 0.5, order acc DESC', 'metrics.acc != 0.5', ['metrics.acc DESC']],
    ];
    for (const [label, filter, orderBy] of cases) {
      for (const maxResults of [100, 1000]) {
        await time(`${dialect} ${label} (max ${maxResults})`, () =>
          searchRunIds(store, { ...q, filter, orderBy, maxResults }),
        );
      }
    }
  } finally {
    await store.close();
    await target.dispose();
  }
}

// scratch profiling harness (not committed)
import { existsSync } from 'node:fs';
import { openMetadataStore } from '@cairn/store';
import { loadRuns, searchRunIds } from '@cairn/tracking';
import { wireRun } from '../../packages/server/src/mlflow/wire.js';
import { expectedSearch, generateRuns, SEARCH } from './dataset.js';
import { CairnSink } from './populate.js';

const N = Number(process.argv[2] ?? 10000);
const path = `/tmp/cairn-prof-${N}.db`;
const BASE = Date.UTC(2025, 0, 1);
const fresh = !existsSync(path);
const store = await openMetadataStore(path);
let exp: number;
if (fresh) {
  await store.db.insertInto('workspaces').values({ id: 'default', name: 'default', description: '', created_at: 0, created_by: 't' }).onConflict((c) => c.doNothing()).execute();
  const r = await store.db.insertInto('experiments').values({ workspace_id: 'default', name: 'bench', artifact_location: 'x', lifecycle_stage: 'active', creation_time: 0, last_update_time: 0 }).returning('id').executeTakeFirstOrThrow();
  exp = Number(r.id);
  const sink = new CairnSink(path);
  sink.insertRuns(String(exp), generateRuns(0, N, BASE));
  sink.close();
} else {
  exp = Number((await store.db.selectFrom('experiments').select('id').where('name', '=', 'bench').executeTakeFirstOrThrow()).id);
}
const q = { workspaceId: 'default', experimentIds: [exp], filter: SEARCH.filter, viewType: 'ACTIVE_ONLY' as const, maxResults: 100, orderBy: [...SEARCH.orderBy] };
const expected = expectedSearch(N, BASE);
const reps = Number(process.argv[3] ?? 30);
const t = { search: [] as number[], load: [] as number[], json: [] as number[], total: [] as number[] };
for (let i = 0; i < reps; i++) {
  const a = performance.now();
  const page = await searchRunIds(store, q);
  const b = performance.now();
  const runs = await loadRuns(store, page.runIds);
  const c = performance.now();
  const s = JSON.stringify({ runs: runs.map(wireRun), next_page_token: page.nextPageToken ?? undefined });
  const d = performance.now();
  t.search.push(b - a); t.load.push(c - b); t.json.push(d - c); t.total.push(d - a);
  if (i === 0) {
    const ok = JSON.stringify(page.runIds) === JSON.stringify(expected);
    console.log('correct:', ok, 'bytes', s.length);
  }
}
const med = (x: number[]) => { const s = [...x].sort((p, q) => p - q); return `${s[0]!.toFixed(1)}/${s[Math.floor(x.length / 2)]!.toFixed(1)}`; };
console.log(`N=${N} median ms: search ${med(t.search)} load ${med(t.load)} json ${med(t.json)} total ${med(t.total)}`);
await store.close();

import { openMetadataStore } from '@cairn/store';
import { loadRuns, searchRunIds } from '@cairn/tracking';
import { SEARCH } from './dataset.js';

const store = await openMetadataStore('/tmp/cairn-prof-10000.db');
const exp = Number((await store.db.selectFrom('experiments').select('id').where('name', '=', 'bench').executeTakeFirstOrThrow()).id);
const q = { workspaceId: 'default', experimentIds: [exp], filter: SEARCH.filter, viewType: 'ACTIVE_ONLY' as const, maxResults: 100, orderBy: [...SEARCH.orderBy] };
const { runIds } = await searchRunIds(store, q);
const db = store.db;
async function old(ids: string[]) {
  return Promise.all([
    db.selectFrom('runs').selectAll().where('id', 'in', ids).execute(),
    db.selectFrom('params').selectAll().where('run_id', 'in', ids).orderBy('key').execute(),
    db.selectFrom('run_tags').selectAll().where('run_id', 'in', ids).orderBy('key').execute(),
    db.selectFrom('latest_metrics').selectAll().where('run_id', 'in', ids).orderBy('key').execute(),
    db.selectFrom('run_inputs').selectAll().where('run_id', 'in', ids).orderBy('id').execute(),
  ]);
}
const a: number[] = [], b: number[] = [];
for (let i = 0; i < 100; i++) {
  let t = performance.now(); await old(runIds); a.push(performance.now() - t);
  t = performance.now(); await loadRuns(store, runIds); b.push(performance.now() - t);
}
const st = (x: number[]) => { const s = [...x].sort((p, q) => p - q); return `min ${s[0]!.toFixed(2)} p25 ${s[25]!.toFixed(2)} med ${s[50]!.toFixed(2)}`; };
console.log('kysely (rows only)', st(a)); console.log('raw loadRuns', st(b));
await store.close();

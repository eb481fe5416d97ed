import { openMetadataStore } from '@cairn/store';
import { searchRunIds } from '@cairn/tracking';
import { searchRunIds as oldSearch } from '../../packages/tracking/src/search/zz-old-run-search.js';
import { SEARCH } from './dataset.js';

const path = process.argv[2] ?? '/tmp/cairn-prof-10000.db';
const store = await openMetadataStore(path);
const exp = Number((await store.db.selectFrom('experiments').select('id').where('name', '=', 'bench').executeTakeFirstOrThrow()).id);
const filter = process.argv[3] ?? SEARCH.filter;
const orderBy = process.argv[4] ? process.argv[4].split('|') : [...SEARCH.orderBy];
const q = { workspaceId: 'default', experimentIds: [exp], filter, viewType: 'ACTIVE_ONLY' as const, maxResults: 100, orderBy };
const x = await oldSearch(store, q), y = await searchRunIds(store, q);
console.log('same:', JSON.stringify(x) === JSON.stringify(y), x.runIds.length);
const a: number[] = [], b: number[] = [];
for (let i = 0; i < 40; i++) {
  let t = performance.now(); await oldSearch(store, q); a.push(performance.now() - t);
  t = performance.now(); await searchRunIds(store, q); b.push(performance.now() - t);
}
const st = (x: number[]) => { const s = [...x].sort((p, q) => p - q); return `min ${s[0]!.toFixed(2)} p25 ${s[10]!.toFixed(2)} med ${s[20]!.toFixed(2)}`; };
console.log('old', st(a)); console.log('new', st(b));
await store.close();

import { openMetadataStore } from '@cairn/store';
import { searchRunIds } from '@cairn/tracking';
import { SEARCH } from './dataset.js';
const store = await openMetadataStore('/tmp/cairn-prof-10000.db');
const s = store.sqlite!;
const orig = s.prepare.bind(s);
(s as unknown as { prepare: typeof orig }).prepare = ((text: string) => { if (text.includes('SELECT r.id')) { console.log(text); console.log(orig('EXPLAIN QUERY PLAN ' + text).all(...Array(30).fill(0)).length); } return orig(text); }) as typeof orig;
await searchRunIds(store, { workspaceId: 'default', experimentIds: [1], filter: SEARCH.filter, viewType: 'ACTIVE_ONLY', maxResults: 100, orderBy: [...SEARCH.orderBy] });
await store.close();

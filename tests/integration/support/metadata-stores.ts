import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dialect, type MetadataStore, openMetadataStore } from '@cairn/store';
import { type Disposable, freshPostgresUri } from './env.js';

/** Every metadata backend; suites loop over this with `describe.each(DIALECTS)`. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** A store URI on a fresh, empty database of `dialect`; `dispose` removes the database. */
export async function freshStoreUri(dialect: Dialect): Promise<{ uri: string } & Disposable> {
  if (dialect === 'postgres') return freshPostgresUri();
  const dir = await mkdtemp(join(tmpdir(), 'cairn-test-sqlite-'));
  return { uri: join(dir, 'cairn.db'), dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** An open, migrated metadata store on a fresh database; `dispose` closes it and removes the database. */
export async function openTestMetadataStore(
  dialect: Dialect,
): Promise<{ store: MetadataStore } & Disposable> {
  const target = await freshStoreUri(dialect);
  const store = await openMetadataStore(target.uri);
  return {
    store,
    async dispose() {
      await store.close();
      await target.dispose();
    },
  };
}

import { openMetadataStore } from '@cairn/store';
import { describe, expect, it } from 'vitest';
import { DIALECTS, freshStoreUri } from '../support/metadata-stores.js';

describe.each(DIALECTS)('metadata store on %s', (dialect) => {
  it('migrates a fresh database and reopens it without migrating again', async () => {
    const target = await freshStoreUri(dialect);
    try {
      const first = await openMetadataStore(target.uri);
      await first.db
        .insertInto('workspaces')
        .values({ id: 'ws-1', name: 'one', description: '', created_at: 1, created_by: 'u' })
        .execute();
      await first.close();

      const second = await openMetadataStore(target.uri);
      try {
        const migrations = await second.db
          .selectFrom('kysely_migration' as never)
          .select('name' as never)
          .execute();
        expect(migrations.length).toBeGreaterThan(0);
        const names = migrations.map((m) => (m as { name: string }).name);
        expect(new Set(names).size).toBe(names.length);
        const rows = await second.db.selectFrom('workspaces').selectAll().execute();
        expect(rows.map((r) => r.id)).toEqual(['ws-1']);
      } finally {
        await second.close();
      }
    } finally {
      await target.dispose();
    }
  });

  it('stores NaN as is_nan with a NULL value and reads bigint times back as numbers', async () => {
    const target = await freshStoreUri(dialect);
    const store = await openMetadataStore(target.uri);
    try {
      const { db } = store;
      const now = 1_735_689_600_123; // beyond 2^32: a bigint column on PostgreSQL
      await db
        .insertInto('workspaces')
        .values({ id: 'ws', name: 'ws', description: '', created_at: now, created_by: 'u' })
        .execute();
      const exp = await db
        .insertInto('experiments')
        .values({
          workspace_id: 'ws',
          name: 'e',
          artifact_location: 'x',
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('runs')
        .values({
          id: 'r1',
          experiment_id: Number(exp.id),
          workspace_id: 'ws',
          name: 'run',
          user_id: 'u',
          status: 'RUNNING',
          start_time: now,
          end_time: null,
          lifecycle_stage: 'active',
          artifact_uri: 'a',
          parent_run_id: null,
          deleted_time: null,
        })
        .execute();
      const step = 2 ** 40;
      await db
        .insertInto('latest_metrics')
        .values([
          { run_id: 'r1', key: 'acc', step: 0, timestamp: now, value: null, is_nan: 1 },
          { run_id: 'r1', key: 'loss', step, timestamp: now + 1, value: 0.25, is_nan: 0 },
        ])
        .execute();

      const points = await db
        .selectFrom('latest_metrics')
        .selectAll()
        .where('run_id', '=', 'r1')
        .orderBy('step')
        .execute();
      expect(points).toEqual([
        { run_id: 'r1', key: 'acc', step: 0, timestamp: now, value: null, is_nan: 1 },
        { run_id: 'r1', key: 'loss', step, timestamp: now + 1, value: 0.25, is_nan: 0 },
      ]);
      expect(typeof points[0]!.timestamp).toBe('number');
      const run = await db
        .selectFrom('runs')
        .select(['start_time', 'experiment_id'])
        .executeTakeFirstOrThrow();
      expect(run.start_time).toBe(now);
      expect(typeof run.experiment_id).toBe('number');
    } finally {
      await store.close();
      await target.dispose();
    }
  });

  it('keeps artifact sizes above 4 GiB exact', async () => {
    const target = await freshStoreUri(dialect);
    const store = await openMetadataStore(target.uri);
    try {
      const size = 6 * 1024 ** 3 + 7;
      await store.db
        .insertInto('artifact_files')
        .values({
          workspace_id: 'ws',
          path: '1/r/artifacts/big.bin',
          sha256: 'a'.repeat(64),
          size,
          created_at: 1,
        })
        .execute();
      const row = await store.db.selectFrom('artifact_files').select('size').executeTakeFirstOrThrow();
      expect(row.size).toBe(size);
    } finally {
      await store.close();
      await target.dispose();
    }
  });
});

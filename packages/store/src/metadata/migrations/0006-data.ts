import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Data (issue 4) and client uploads:
 * - `workspace_blobs`: which content-addressed blobs a workspace has uploaded (or the server stored for
 *   it). A client-written manifest may only name blobs its workspace holds, so knowing a sha256 is not
 *   enough to read another workspace's content.
 * - `datastores`: where data lives (local folder, S3 prefix, HTTP); `secrets` is encrypted at rest.
 * - `data_assets` / `data_versions`: versioned, immutable data assets; a version pins a manifest blob.
 * - `data_lineage`: which runs consumed (`input`) and produced (`output`) which versions.
 * - `data_events`: an append-only log of new versions (refreshes) that pipelines can trigger on.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const bigint = 'bigint';
  const workspace = (c: import('kysely').ColumnDefinitionBuilder) =>
    c.notNull().references('workspaces.id').onDelete('cascade');

  await db.schema
    .createTable('workspace_blobs')
    .addColumn('workspace_id', 'text', workspace)
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', bigint, (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_blobs_pk', ['workspace_id', 'sha256'])
    .execute();

  await db.schema
    .createTable('datastores')
    .addColumn('workspace_id', 'text', workspace)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('datastores_pk', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('data_assets')
    .addColumn('workspace_id', 'text', workspace)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('watch_source', 'text')
    .addColumn('watch_interval_seconds', 'integer')
    .addColumn('next_refresh_at', bigint)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('updated_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('data_assets_pk', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('data_versions')
    .addColumn('workspace_id', 'text', workspace)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('storage', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('manifest_id', 'text', (c) => c.notNull())
    .addColumn('file_count', bigint, (c) => c.notNull())
    .addColumn('total_bytes', bigint, (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('diff', 'text')
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('data_versions_pk', ['workspace_id', 'name', 'version'])
    .execute();
  await db.schema
    .createIndex('data_versions_by_seq')
    .on('data_versions')
    .columns(['workspace_id', 'name', 'seq'])
    .execute();

  await db.schema
    .createTable('data_lineage')
    .addColumn('workspace_id', 'text', workspace)
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('job_name', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('port', 'text', (c) => c.notNull())
    .addColumn('asset_name', 'text', (c) => c.notNull())
    .addColumn('asset_version', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('data_lineage_pk', ['workspace_id', 'run_id', 'direction', 'port'])
    .execute();
  await db.schema
    .createIndex('data_lineage_by_version')
    .on('data_lineage')
    .columns(['workspace_id', 'asset_name', 'asset_version'])
    .execute();

  await db.schema
    .createTable('data_events')
    .addColumn('id', ctx.dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      ctx.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('workspace_id', 'text', workspace)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('asset_name', 'text', (c) => c.notNull())
    .addColumn('asset_version', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .execute();
}

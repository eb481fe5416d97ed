import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Parts of in-flight multipart artifact uploads (each part's bytes are a blob), and, on PostgreSQL, an
 * index that serves artifact listings as byte-ordered range scans whatever the database's collation:
 * listings compare `path COLLATE "C"` so that everything under `dir/` is one contiguous range.
 * (SQLite compares text bytewise already, so its primary key serves.)
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('multipart_upload_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('multipart_uploads.id').onDelete('cascade'))
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('multipart_upload_parts_pk', ['upload_id', 'part_number'])
    .execute();

  if (ctx.dialect === 'postgres') {
    await sql`CREATE INDEX artifact_files_ws_path_bytes ON artifact_files (workspace_id, path COLLATE "C")`.execute(
      db,
    );
  }
}

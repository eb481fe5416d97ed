import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Multi-resolution summaries of every metric series, maintained on ingestion, so a chart of a
 * million-point history reads a few thousand rows instead of a million. Level L groups steps into
 * buckets of width ROLLUP_WIDTHS[L] (bucket = floor(step / width)) and keeps the extremes (with the
 * steps where they occurred) and the last value, so downsampling never hides a spike.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  // On SQLite the rows are stored in primary-key order (WITHOUT ROWID), so a chart reads one contiguous
  // range of the table instead of an index plus a row lookup per bucket.
  await db.schema
    .createTable('metric_rollups')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('nan_count', 'bigint', (c) => c.notNull())
    .addColumn('min_value', 'double precision')
    .addColumn('min_step', 'bigint')
    .addColumn('max_value', 'double precision')
    .addColumn('max_step', 'bigint')
    .addColumn('first_step', 'bigint', (c) => c.notNull())
    .addColumn('last_step', 'bigint', (c) => c.notNull())
    .addColumn('last_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('last_value', 'double precision')
    .addColumn('last_is_nan', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_rollups_pk', ['run_id', 'key', 'level', 'bucket'])
    .$call((b) => (ctx.dialect === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b))
    .execute();
}

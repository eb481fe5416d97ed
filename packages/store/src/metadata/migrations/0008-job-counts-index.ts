import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * `GET jobs/counts` (the studio's home and compute pages) groups a workspace's jobs by compute, type
 * and status: with this index the database answers it from the index alone, without reading the jobs.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createIndex('jobs_ws_counts')
    .on('jobs')
    .columns(['workspace_id', 'compute', 'type', 'status'])
    .execute();
}

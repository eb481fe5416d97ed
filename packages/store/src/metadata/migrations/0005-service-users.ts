import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Service users (`cairn-jobs`, which owns the scoped tokens jobs get): users the server creates for
 * itself. They do not count as users for local mode, which ends only with the first human user.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('is_service', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

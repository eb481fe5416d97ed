import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Studio dashboards (issue 5): charts arranged on an experiment's page, saved in the workspace and
 * shared with its members. `layout` is JSON validated by the API (it carries its own `version`);
 * `updated_at` doubles as the optimistic-concurrency token an update must name.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('dashboards')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('experiment_id', 'bigint', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('layout', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dashboards_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema
    .createIndex('dashboards_by_experiment')
    .on('dashboards')
    .columns(['workspace_id', 'experiment_id', 'name'])
    .execute();
}

import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Jobs (issue 3): registered compute targets and environments, the durable job queue with its status
 * history, and the live log chunks that the scheduler appends as a job prints. The built-in `local`
 * compute target is not a row: it always exists.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const bigint = 'bigint';
  const autoId = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', ctx.dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        ctx.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      );

  await db.schema
    .createTable('compute_targets')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('compute_targets_pk', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('environments')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('environments_pk', ['workspace_id', 'name', 'version'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('seq', bigint, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('parent_job_id', 'text')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('compute', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('experiment_id', bigint)
    .addColumn('snapshot_id', 'text')
    .addColumn('environment_hash', 'text')
    .addColumn('handle', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('error_summary', 'text')
    .addColumn('timeout_seconds', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('started_at', bigint)
    .addColumn('ended_at', bigint)
    .addPrimaryKeyConstraint('jobs_pk', ['workspace_id', 'id'])
    .execute();
  // The scheduler's queue scan (status, FIFO) and the listing (newest first).
  await db.schema.createIndex('jobs_status_seq').on('jobs').columns(['status', 'seq']).execute();
  await db.schema.createIndex('jobs_ws_seq').on('jobs').columns(['workspace_id', 'seq']).execute();

  await autoId('job_events')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .addColumn('message', 'text')
    .execute();
  await db.schema
    .createIndex('job_events_job')
    .on('job_events')
    .columns(['workspace_id', 'job_id', 'id'])
    .execute();

  await db.schema
    .createTable('job_log_chunks')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('job_log_chunks_pk', ['workspace_id', 'job_id', 'seq'])
    .execute();
}

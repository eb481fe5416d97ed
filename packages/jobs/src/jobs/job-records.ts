import type { Database, JobRow } from '@cairn/store';
import type { Kysely } from 'kysely';
import type { ComputeHandle } from '../compute/compute-adapter.js';
import type { JobSpec } from '../spec/index.js';
import type { JobBus } from './job-bus.js';
import type { JobStatus } from './job-status.js';

/** A job as the service and the API show it. */
export interface Job {
  name: string;
  workspaceId: string;
  type: 'command' | 'sweep';
  parentJobName: string | null;
  status: JobStatus;
  compute: string;
  command: string;
  spec: JobSpec;
  runId: string | null;
  experimentId: string | null;
  snapshotId: string | null;
  environmentHash: string | null;
  exitCode: number | null;
  /** The last lines of stderr (or the reason) when the job failed. */
  errorSummary: string | null;
  timeoutSeconds: number | null;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export interface JobEventRecord {
  status: JobStatus;
  at: number;
  message: string | null;
}

export function toJob(row: JobRow): Job {
  return {
    name: row.id,
    workspaceId: row.workspace_id,
    type: row.type === 'sweep' ? 'sweep' : 'command',
    parentJobName: row.parent_job_id,
    status: row.status as JobStatus,
    compute: row.compute,
    command: row.command,
    spec: JSON.parse(row.spec) as JobSpec,
    runId: row.run_id,
    experimentId: row.experiment_id === null ? null : String(row.experiment_id),
    snapshotId: row.snapshot_id,
    environmentHash: row.environment_hash,
    exitCode: row.exit_code,
    errorSummary: row.error_summary,
    timeoutSeconds: row.timeout_seconds,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
  };
}

export const parseHandle = (row: Pick<JobRow, 'handle'>): ComputeHandle | null =>
  row.handle === null ? null : (JSON.parse(row.handle) as ComputeHandle);

export interface TransitionInput {
  status: JobStatus;
  message?: string | null;
  /** Only move the job when it is in one of these statuses (guards races with cancel). */
  from?: readonly JobStatus[];
  set?: Partial<Pick<JobRow, 'handle' | 'exit_code' | 'error_summary' | 'started_at' | 'ended_at'>>;
}

/**
 * Moves a job to `status`, recording the event in the same transaction and publishing it to live
 * streams. Returns false (and changes nothing) when the job is not in one of `from`.
 */
export async function transitionJob(
  db: Kysely<Database>,
  bus: JobBus,
  workspaceId: string,
  jobId: string,
  input: TransitionInput,
): Promise<boolean> {
  const at = Date.now();
  const message = input.message ?? null;
  const changed = await db.transaction().execute(async (trx) => {
    let query = trx
      .updateTable('jobs')
      .set({ status: input.status, ...input.set })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', jobId);
    if (input.from) query = query.where('status', 'in', [...input.from]);
    const result = await query.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await trx
      .insertInto('job_events')
      .values({ workspace_id: workspaceId, job_id: jobId, status: input.status, at, message })
      .execute();
    return true;
  });
  if (changed) bus.publish(workspaceId, jobId, { type: 'status', status: input.status, at, message });
  return changed;
}

export async function loadJobEvents(
  db: Kysely<Database>,
  workspaceId: string,
  jobId: string,
): Promise<JobEventRecord[]> {
  const rows = await db
    .selectFrom('job_events')
    .select(['status', 'at', 'message'])
    .where('workspace_id', '=', workspaceId)
    .where('job_id', '=', jobId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ status: r.status as JobStatus, at: Number(r.at), message: r.message }));
}

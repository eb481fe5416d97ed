import { join } from 'node:path';
import { SystemTag } from '@cairn/core';
import type { JobRow, MetadataStore } from '@cairn/store';
import { audit, createRun, logBatch, type RequestContext } from '@cairn/tracking';
import type { JobBus } from '../jobs/job-bus.js';
import { nextJobSeq } from '../jobs/job-service.js';
import { type CommandJobSpec, resolveCommand, type SweepJobSpec } from '../spec/index.js';
import { flattenParams, type Params } from '../sweep/index.js';
import type { SweepState, TrialSpecExtras } from './sweep-state.js';

export interface TrialJobDeps {
  store: MetadataStore;
  bus: JobBus;
  workDir: (workspaceId: string, jobName: string) => string;
}

export const trialJobName = (sweepName: string, index: number): string => `${sweepName}_${index}`;

/**
 * Queues trial `index` of a sweep as a command job (parent_job_id = the sweep) whose run is a child of
 * the sweep's run, with the sampled values substituted into `trial.command` and logged as params.
 * The run is created before the job row: a crash between them leaves a stray run, never a duplicate trial.
 */
export async function createTrialJob(
  deps: TrialJobDeps,
  sweep: JobRow,
  spec: SweepJobSpec,
  state: SweepState,
  params: Params,
  index: number,
): Promise<string> {
  const { store, bus } = deps;
  const ws = sweep.workspace_id;
  const name = trialJobName(sweep.id, index);
  const outputs = Object.fromEntries(
    Object.keys(spec.outputs ?? {}).map((o) => [o, join(deps.workDir(ws, name), 'outputs', o)]),
  );
  const flat = flattenParams(params);
  const command = resolveCommand(
    { type: 'sweep', trial: spec.trial, inputs: spec.inputs },
    { inputs: state.inputs, outputs, searchSpace: flat },
  );
  const trialSpec: CommandJobSpec & TrialSpecExtras = {
    ...spec.trial,
    type: 'command',
    name,
    display_name: name,
    ...(spec.experiment_name === undefined ? {} : { experiment_name: spec.experiment_name }),
    ...(spec.inputs === undefined ? {} : { inputs: spec.inputs }),
    ...(spec.outputs === undefined ? {} : { outputs: spec.outputs }),
    ...(spec.tags === undefined ? {} : { tags: spec.tags }),
    ...(spec.limits.trial_timeout === undefined ? {} : { limits: { timeout: spec.limits.trial_timeout } }),
    trial_params: params,
    trial_index: index,
  };
  const ctx: RequestContext = {
    workspaceId: ws,
    actor: sweep.created_by,
    message: `trial ${index} of sweep ${sweep.id}`,
  };
  const run = await createRun(store, ctx, {
    experimentId: Number(sweep.experiment_id),
    runName: name,
    status: 'SCHEDULED',
    tags: [
      ...Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value: String(value) })),
      ...(sweep.run_id === null ? [] : [{ key: SystemTag.parentRunId, value: sweep.run_id }]),
      { key: SystemTag.source, value: spec.trial.code ?? sweep.id },
      { key: 'cairn.job', value: name },
      { key: 'cairn.sweep', value: sweep.id },
    ],
  });
  const entries = Object.entries(flat);
  if (entries.length > 0) {
    await logBatch(store, ctx, run.info.runId, {
      params: entries.map(([key, value]) => ({ key, value: String(value) })),
    });
  }
  const now = Date.now();
  const row: JobRow = {
    workspace_id: ws,
    id: name,
    seq: nextJobSeq(),
    type: 'command',
    parent_job_id: sweep.id,
    spec: JSON.stringify(trialSpec),
    command,
    status: 'queued',
    compute: sweep.compute,
    run_id: run.info.runId,
    experiment_id: sweep.experiment_id,
    snapshot_id: sweep.snapshot_id,
    environment_hash: sweep.environment_hash,
    handle: null,
    exit_code: null,
    error_summary: null,
    timeout_seconds: spec.limits.trial_timeout ?? null,
    created_by: sweep.created_by,
    created_at: now,
    started_at: null,
    ended_at: null,
  };
  await store.db.transaction().execute(async (trx) => {
    await trx.insertInto('jobs').values(row).execute();
    await trx
      .insertInto('job_events')
      .values({ workspace_id: ws, job_id: name, status: 'queued', at: now, message: `trial ${index}` })
      .execute();
    await audit(trx, ctx, 'job.create', 'job', name, {
      sweep: sweep.id,
      runId: run.info.runId,
      params: flat,
    });
  });
  bus.notifyWork();
  return name;
}

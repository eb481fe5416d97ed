import type { RunStatus } from '@cairn/core';
import type { JobRow, MetadataStore } from '@cairn/store';
import { loadRuns, logBatch, type RequestContext, updateRun } from '@cairn/tracking';
import type { JobBus } from '../jobs/job-bus.js';
import { transitionJob } from '../jobs/job-records.js';
import { isTerminal, type JobStatus, runStatusFor } from '../jobs/job-status.js';
import type { CommandJobSpec, SweepJobSpec } from '../spec/index.js';
import {
  bestTrial,
  bestUpTo,
  type Params,
  type TrialProgress,
  type TrialResult,
  type TrialStatus,
  trialsToStop,
} from '../sweep/index.js';
import {
  parseSweepState,
  type SweepEnding,
  type SweepState,
  sweepSampler,
  type TrialSpecExtras,
} from './sweep-state.js';
import { createTrialJob } from './trial-jobs.js';
import { metricValues } from './trial-metrics.js';

export const EARLY_TERMINATED_TAG = 'cairn.early_terminated';
export const EARLY_TERMINATED_REASON_TAG = 'cairn.early_terminated_reason';
export const BEST_TRIAL_TAG = 'cairn.best_trial';
export const BEST_VALUE_TAG = 'cairn.best_value';

export interface SweepControllerOptions {
  store: MetadataStore;
  bus: JobBus;
  /** The job work folder (trial output paths are resolved in it, as the scheduler does). */
  workDir: (workspaceId: string, jobName: string) => string;
  /** Stops a trial that left the queue: the scheduler's cancel (its process tree really ends). */
  cancelStarted: (workspaceId: string, jobName: string) => Promise<void>;
  /** Only the scheduling replica drives sweeps (the scheduler's advisory-lock leadership). */
  isLeader?: () => boolean;
  /** How often running trials' metrics are read and the policy applied. Default 1 s. */
  evaluateMs?: number;
}

/** A trial as the controller and the API see it. */
export interface SweepTrial {
  name: string;
  index: number;
  status: JobStatus;
  params: Params;
  runId: string | null;
  /** The primary metric's values so far, in logging order. */
  metrics: number[];
  /** Best primary-metric value under the goal; null when none was logged. */
  bestValue: number | null;
  earlyTerminated: string | null;
  earlyTerminatedReason: string | null;
  startedAt: number | null;
  endedAt: number | null;
}

export interface SweepDetails {
  primaryMetric: string;
  goal: 'maximize' | 'minimize';
  seed: number;
  trials: SweepTrial[];
  bestTrial: { name: string; value: number; runId: string | null } | null;
}

const ACTOR = 'cairn-sweep-controller';
const key = (ws: string, id: string) => `${ws}\u0000${id}`;

function trialStatus(status: string): TrialStatus {
  switch (status) {
    case 'queued':
    case 'preparing':
      return 'queued';
    case 'running':
      return 'running';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    default:
      return 'completed';
  }
}

/**
 * Drives sweep jobs: draws trial params from the sampler (seeded from the stored state, so a restart
 * continues the sequence), queues trials as child command jobs for the scheduler, keeps at most
 * `max_concurrent_trials` of them unfinished, applies the early-termination policy to running trials'
 * primary-metric histories (canceling the ones it stops through the scheduler), enforces the sweep's
 * timeout, and records the best trial when the sweep ends. Everything it needs is in the jobs table,
 * so it resumes after a restart from the stored trials.
 */
export class SweepController {
  readonly #o: SweepControllerOptions;
  /** Metrics of ended trials do not change: read once. */
  readonly #endedMetrics = new Map<string, number[]>();
  /** Trials whose cancel was asked for by the policy. */
  readonly #stopping = new Set<string>();
  readonly #watched = new Map<string, () => void>();
  #chain: Promise<void> = Promise.resolve();
  #pending = false;
  #stopped = false;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(options: SweepControllerOptions) {
    this.#o = options;
  }

  start(): void {
    this.#unsubscribe = this.#o.bus.onWork(() => this.#kick());
    this.#timer = setInterval(() => this.#kick(), this.#o.evaluateMs ?? 500);
    this.#timer.unref();
    this.#kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    for (const off of this.#watched.values()) off();
    this.#watched.clear();
    await this.#chain;
  }

  /**
   * Cancels a sweep: it ends at once (no more trials) and its unfinished trials are canceled.
   * False when `name` is not a sweep (the caller cancels it as a command job).
   */
  async cancel(workspaceId: string, name: string): Promise<boolean> {
    const row = await this.#row(workspaceId, name);
    if (row?.type !== 'sweep') return false;
    await this.#serial(async () => {
      const now = await this.#row(workspaceId, name);
      if (!now || isTerminal(now.status)) return;
      await this.#endSweep(now, 'canceled', 'canceled', null);
    });
    return true;
  }

  /** A sweep's trials (issue order) with their params, primary-metric best values and the best trial. */
  async describe(workspaceId: string, name: string): Promise<SweepDetails | null> {
    const row = await this.#row(workspaceId, name);
    if (row?.type !== 'sweep') return null;
    const spec = JSON.parse(row.spec) as SweepJobSpec;
    const state = parseSweepState(row);
    const trials = await this.#trials(row, spec);
    return {
      primaryMetric: spec.objective.primary_metric,
      goal: spec.objective.goal,
      seed: state.seed,
      trials,
      bestTrial: this.#best(trials, spec, state),
    };
  }

  #kick(): void {
    if (this.#stopped || this.#pending) return;
    this.#pending = true;
    void this.#serial(async () => {
      this.#pending = false;
      await this.#tick();
    });
  }

  #serial(work: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(work);
    this.#chain = next.catch(() => {});
    return next;
  }

  async #tick(): Promise<void> {
    if (this.#stopped || !(this.#o.isLeader?.() ?? true)) return;
    const sweeps = await this.#o.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('type', '=', 'sweep')
      .where('status', 'in', ['queued', 'preparing', 'running', 'finalizing'])
      .orderBy('seq')
      .execute();
    for (const sweep of sweeps) {
      if (this.#stopped) return;
      try {
        // Ending runs to its end inside one serial step: one seen here was left by a server that died.
        if (sweep.status === 'finalizing') await this.#resumeEnd(sweep);
        else await this.#advance(sweep);
      } catch (err) {
        const reason = `the sweep controller failed: ${(err as Error).message}`;
        await this.#endSweep(sweep, 'failed', reason, reason).catch(() => {});
      }
    }
  }

  async #advance(sweep: JobRow): Promise<void> {
    const { store, bus } = this.#o;
    const ws = sweep.workspace_id;
    const spec = JSON.parse(sweep.spec) as SweepJobSpec;
    const state = parseSweepState(sweep);
    if (sweep.status !== 'running') {
      const startedAt = Date.now();
      const moved = await transitionJob(store.db, bus, ws, sweep.id, {
        status: 'running',
        from: ['queued', 'preparing'],
        message: `sampling ${spec.sampling_algorithm.type} with seed ${state.seed}`,
        set: { started_at: startedAt },
      });
      if (!moved) return;
      sweep.status = 'running';
      sweep.started_at = startedAt;
      await this.#mirrorRun(sweep, 'RUNNING', null);
    }

    const trials = await this.#trials(sweep, spec);
    for (const t of trials) if (!isTerminal(t.status)) this.#watch(ws, t.name);
    const unfinished = trials.filter((t) => !isTerminal(t.status));

    const elapsedMs = Date.now() - Number(sweep.started_at ?? sweep.created_at);
    if (elapsedMs > spec.limits.timeout * 1000) {
      await this.#endSweep(
        sweep,
        'canceled',
        `limits.timeout of ${spec.limits.timeout} s reached: unfinished trials canceled`,
        null,
      );
      return;
    }

    if (spec.early_termination && unfinished.some((t) => t.status === 'running')) {
      const progress: TrialProgress[] = trials
        .filter((t) => !this.#stopping.has(key(ws, t.name)) && t.earlyTerminated === null)
        .map((t) => ({ id: t.name, status: trialStatus(t.status), metrics: t.metrics }));
      for (const stop of trialsToStop(spec.early_termination, progress, spec.objective.goal)) {
        const trial = trials.find((t) => t.name === stop.id)!;
        await this.#earlyTerminate(sweep, trial, spec.early_termination.type, stop.reason);
      }
    }

    const maxTotal = spec.limits.max_total_trials;
    const maxConcurrent = spec.limits.max_concurrent_trials ?? maxTotal;
    const history: TrialResult[] = trials.map((t) => ({
      params: t.params,
      status: trialStatus(t.status),
      ...(t.bestValue === null ? {} : { value: t.bestValue }),
    }));
    const sampler = sweepSampler(spec, state.seed);
    let active = unfinished.length;
    let exhausted = false;
    while (active < maxConcurrent && history.length < maxTotal) {
      const params = sampler.next(history);
      if (params === null) {
        exhausted = true;
        break;
      }
      const name = await createTrialJob(
        { store, bus, workDir: this.#o.workDir },
        sweep,
        spec,
        state,
        params,
        history.length + 1,
      );
      this.#watch(ws, name);
      history.push({ params, status: 'queued' });
      active++;
    }
    if (active === 0 && (exhausted || history.length >= maxTotal || sampler.next(history) === null)) {
      const completed = trials.some((t) => t.status === 'completed');
      const summary = completed
        ? null
        : trials.length === 0
          ? 'the search space yielded no trials'
          : `no trial completed (${trials.map((t) => `${t.name}: ${t.status}`).join(', ')})`;
      await this.#endSweep(
        sweep,
        completed ? 'completed' : 'failed',
        `${trials.length} trials ended`,
        summary,
        trials,
      );
    }
  }

  /** Tags the trial run and records an event with the reason, then cancels it through the scheduler. */
  async #earlyTerminate(sweep: JobRow, trial: SweepTrial, policy: string, reason: string): Promise<void> {
    const ws = sweep.workspace_id;
    this.#stopping.add(key(ws, trial.name));
    const ctx = this.#ctx(ws, `early termination by ${policy}`);
    if (trial.runId !== null) {
      await logBatch(this.#o.store, ctx, trial.runId, {
        tags: [
          { key: EARLY_TERMINATED_TAG, value: policy },
          { key: EARLY_TERMINATED_REASON_TAG, value: reason.slice(0, 5000) },
        ],
      }).catch(() => {});
    }
    const at = Date.now();
    const message = `early termination (${policy}): ${reason}`;
    await this.#o.store.db
      .insertInto('job_events')
      .values({ workspace_id: ws, job_id: trial.name, status: trial.status, at, message })
      .execute();
    this.#o.bus.publish(ws, trial.name, { type: 'status', status: trial.status, at, message });
    await this.#cancelTrial(ws, trial.name, message);
  }

  async #cancelTrial(ws: string, name: string, message: string): Promise<void> {
    const canceled = await transitionJob(this.#o.store.db, this.#o.bus, ws, name, {
      status: 'canceled',
      from: ['queued'],
      message,
      set: { ended_at: Date.now() },
    });
    if (canceled) {
      const row = await this.#row(ws, name);
      if (row) await this.#mirrorRun(row, 'KILLED', Date.now());
      return;
    }
    await this.#o.cancelStarted(ws, name);
  }

  /**
   * Ends the sweep: unfinished trials canceled, the best trial recorded on the run and the job row. How
   * it ends is saved with `finalizing`, so a restart finishes an interrupted end the same way.
   */
  async #endSweep(
    sweep: JobRow,
    status: 'completed' | 'failed' | 'canceled',
    message: string,
    errorSummary: string | null,
    known?: SweepTrial[],
  ): Promise<void> {
    const ending: SweepEnding = { status, message, errorSummary };
    const moved = await transitionJob(this.#o.store.db, this.#o.bus, sweep.workspace_id, sweep.id, {
      status: 'finalizing',
      from: ['queued', 'preparing', 'running'],
      message,
      set: { handle: JSON.stringify({ ...parseSweepState(sweep), ending }) },
    });
    if (moved) await this.#completeEnd(sweep, ending, known);
  }

  /** A sweep a dead server left in `finalizing`: ends it as that server meant to (or by its trials). */
  async #resumeEnd(sweep: JobRow): Promise<void> {
    const state = parseSweepState(sweep);
    if (state.ending) return this.#completeEnd(sweep, state.ending);
    const trials = await this.#trials(sweep, JSON.parse(sweep.spec) as SweepJobSpec);
    const completed = trials.some((t) => t.status === 'completed');
    const message = 'the server restarted while the sweep was ending';
    await this.#completeEnd(
      sweep,
      { status: completed ? 'completed' : 'failed', message, errorSummary: completed ? null : message },
      trials,
    );
  }

  async #completeEnd(sweep: JobRow, ending: SweepEnding, known?: SweepTrial[]): Promise<void> {
    const { store, bus } = this.#o;
    const { status, message, errorSummary } = ending;
    const ws = sweep.workspace_id;
    const spec = JSON.parse(sweep.spec) as SweepJobSpec;
    const state = parseSweepState(sweep);
    const trials = known ?? (await this.#trials(sweep, spec));
    for (const t of trials) {
      if (!isTerminal(t.status)) await this.#cancelTrial(ws, t.name, `the sweep ended: ${message}`);
    }
    const best = this.#best(trials, spec, state);
    const ended: SweepState = {
      ...state,
      ending,
      bestTrial: best?.name ?? null,
      bestValue: best?.value ?? null,
    };
    if (best && sweep.run_id !== null) {
      await logBatch(store, this.#ctx(ws, `sweep ${sweep.id} ended`), sweep.run_id, {
        tags: [
          { key: BEST_TRIAL_TAG, value: best.name },
          { key: BEST_VALUE_TAG, value: String(best.value) },
          ...(best.runId === null ? [] : [{ key: 'cairn.best_run_id', value: best.runId }]),
        ],
      }).catch(() => {});
    }
    const endedAt = Date.now();
    await transitionJob(store.db, bus, ws, sweep.id, {
      status,
      from: ['finalizing'],
      message: best ? `best trial ${best.name}: ${spec.objective.primary_metric} = ${best.value}` : message,
      set: { ended_at: endedAt, error_summary: errorSummary, handle: JSON.stringify(ended) },
    });
    await this.#mirrorRun(sweep, runStatusFor(status), endedAt);
  }

  #best(trials: SweepTrial[], spec: SweepJobSpec, state: SweepState): SweepDetails['bestTrial'] {
    const best = bestTrial(
      trials.map((t) => ({ ...t, value: t.bestValue ?? undefined })),
      spec.objective.goal,
    );
    if (best) return { name: best.name, value: best.value as number, runId: best.runId };
    if (state.bestTrial !== null && state.bestValue !== null) {
      return { name: state.bestTrial, value: state.bestValue, runId: null };
    }
    return null;
  }

  /** The sweep's trials in issue order, with their primary-metric values and early-termination tags. */
  async #trials(sweep: JobRow, spec: SweepJobSpec): Promise<SweepTrial[]> {
    const { store } = this.#o;
    const ws = sweep.workspace_id;
    const rows = await store.db
      .selectFrom('jobs')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('parent_job_id', '=', sweep.id)
      .orderBy('seq')
      .execute();
    const runIds = rows.flatMap((r) => (r.run_id === null ? [] : [r.run_id]));
    const runs = new Map((await loadRuns(store, runIds)).map((r) => [r.info.runId, r]));
    const metric = spec.objective.primary_metric;
    const trials: SweepTrial[] = [];
    for (const row of rows) {
      const trialSpec = JSON.parse(row.spec) as CommandJobSpec & TrialSpecExtras;
      const k = key(ws, row.id);
      let metrics = this.#endedMetrics.get(k);
      if (!metrics) {
        metrics =
          row.run_id === null || row.status === 'queued' ? [] : await metricValues(store, row.run_id, metric);
        if (isTerminal(row.status)) this.#endedMetrics.set(k, metrics);
      }
      const tags = row.run_id === null ? [] : (runs.get(row.run_id)?.data.tags ?? []);
      const tag = (name: string) => tags.find((t) => t.key === name)?.value ?? null;
      const best = bestUpTo(metrics, metrics.length, spec.objective.goal);
      trials.push({
        name: row.id,
        index: trialSpec.trial_index,
        status: row.status as JobStatus,
        params: trialSpec.trial_params,
        runId: row.run_id,
        metrics,
        bestValue: Number.isFinite(best) ? best : null,
        earlyTerminated: tag(EARLY_TERMINATED_TAG),
        earlyTerminatedReason: tag(EARLY_TERMINATED_REASON_TAG),
        startedAt: row.started_at === null ? null : Number(row.started_at),
        endedAt: row.ended_at === null ? null : Number(row.ended_at),
      });
    }
    return trials;
  }

  /** Wakes the controller when a trial ends, so the next one starts without waiting for the timer. */
  #watch(ws: string, name: string): void {
    const k = key(ws, name);
    if (this.#watched.has(k) || this.#stopped) return;
    const off = this.#o.bus.subscribe(ws, name, (event) => {
      if (event.type !== 'status' || !isTerminal(event.status)) return;
      off();
      this.#watched.delete(k);
      this.#kick();
    });
    this.#watched.set(k, off);
  }

  async #row(ws: string, name: string): Promise<JobRow | undefined> {
    return this.#o.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('id', '=', name)
      .executeTakeFirst();
  }

  #ctx(workspaceId: string, message: string): RequestContext {
    return { workspaceId, actor: ACTOR, message };
  }

  async #mirrorRun(row: JobRow, status: RunStatus, endTime: number | null): Promise<void> {
    if (row.run_id === null) return;
    await updateRun(this.#o.store, this.#ctx(row.workspace_id, `job ${row.id}`), {
      runId: row.run_id,
      status,
      endTime,
    }).catch(() => {
      // The run was deleted meanwhile: the sweep still ends.
    });
  }
}

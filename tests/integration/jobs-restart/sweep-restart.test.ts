import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSampler, type SearchSpace, type TrialResult } from '@cairn/jobs';
import { openMetadataStore } from '@cairn/store';
import { afterEach, describe, expect, it } from 'vitest';
import { followJob, startJobServer, submitJob, tempDir } from '../jobs/job-client.js';
import { testPython } from '../support/env.js';
import { DIALECTS, freshStoreUri } from '../support/metadata-stores.js';
import { api, eventually, processAlive, restartableServer, WS } from './restart-support.js';

/**
 * A server killed (SIGKILL, as in a crash) in the middle of a sweep on local compute and started again
 * on the same storage. What Cairn promises, following Azure ML's sweep semantics:
 * - trials that were running died with the server: they end `failed` with that reason, their processes
 *   are stopped (an orphan must not keep logging into a run that is already failed), and they count
 *   toward `max_total_trials` like any failed trial (Azure ML does not re-run failed trials);
 * - the sweep goes on drawing the seeded sequence where it stopped, up to `max_total_trials`;
 * - it ends `completed` when a trial completed (else `failed`), with the best trial by the primary
 *   metric over every trial that logged one (failed ones included, as Azure ML's best run does).
 */

/** Writes its pid where the test finds it, then logs `score` = x + 0.01·step once a second. */
const TRIAL_PY = `
import os, sys, time, mlflow
x, pid_dir, steps = float(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with open(os.path.join(pid_dir, os.environ["CAIRN_JOB_NAME"]), "w") as f:
    f.write(str(os.getpid()))
for step in range(steps):
    mlflow.log_metric("score", x + 0.01 * step, step=step)
    time.sleep(1)
print("done", x, flush=True)
`;

const SEARCH_SPACE = { x: { type: 'uniform', min_value: 1, max_value: 10 } } as const;
const SEED = 11;
const MAX_TOTAL = 5;
const RESTARTED = 'the server restarted while the job was running';

interface Trial {
  name: string;
  index: number;
  status: string;
  params: Record<string, number>;
  runId: string | null;
  bestValue: number | null;
  metricCount: number;
}
interface SweepShow {
  job: { name: string; status: string; runId: string | null; errorSummary: string | null };
  sweep: { trials: Trial[]; bestTrial: { name: string; value: number; runId: string | null } | null };
}
interface JobShow {
  job: { status: string; errorSummary: string | null };
  events: { status: string; message: string | null }[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(DIALECTS)('a sweep across a server crash (%s)', (dialect) => {
  it('fails the trials that died with the server, samples on to max_total_trials and reports the best', async () => {
    const storage = await restartableServer(dialect);
    cleanups.push(() => storage.dispose());
    const project = join(storage.dataDir, 'project');
    const pidDir = join(storage.dataDir, 'pids');
    await mkdir(project, { recursive: true });
    await mkdir(pidDir, { recursive: true });
    await writeFile(join(project, 'trial.py'), TRIAL_PY);

    const first = await storage.start();
    const sweepName = await submitJob(first.url, {
      codeRoot: project,
      yaml: `
type: sweep
experiment_name: sweep-restart-${randomBytes(4).toString('hex')}
trial:
  command: ${testPython()} trial.py \${{search_space.x}} ${pidDir} 4
  code: .
search_space:
  x: { type: uniform, min_value: 1, max_value: 10 }
sampling_algorithm: { type: random, seed: ${SEED} }
objective: { primary_metric: score, goal: maximize }
limits: { max_total_trials: ${MAX_TOTAL}, max_concurrent_trials: 2 }
`,
    }).then((j) => j.name);
    const show = (baseUrl: string) => api<SweepShow>(baseUrl, 'GET', `${WS}/jobs/${sweepName}`);

    // The crash comes while two trials run (each has logged a value) and three are still to be drawn.
    const running = await eventually('two trials running and logging', async () => {
      const { sweep } = await show(first.url);
      const live = sweep.trials.filter((t) => t.status === 'running' && t.metricCount > 0);
      return live.length === 2 ? live : undefined;
    });
    await first.kill9();
    const pids = await Promise.all(
      running.map(async (t) => Number(await readFile(join(pidDir, t.name), 'utf8'))),
    );
    // The trials' processes outlive a SIGKILLed server (their own process groups) until it comes back.
    expect(await Promise.all(pids.map(processAlive))).toEqual([true, true]);

    const second = await storage.start();
    await followJob(second.url, sweepName);
    const { job, sweep } = await show(second.url);

    expect(job.status, job.errorSummary ?? '').toBe('completed');
    expect(sweep.trials).toHaveLength(MAX_TOTAL);
    const byName = new Map(sweep.trials.map((t) => [t.name, t]));
    for (const t of running) {
      expect(byName.get(t.name)?.status).toBe('failed');
      const trial = await api<JobShow>(second.url, 'GET', `${WS}/jobs/${t.name}`);
      expect(trial.job.errorSummary).toContain(RESTARTED);
      expect(trial.events.at(-1)?.status).toBe('failed');
      expect(trial.events.at(-1)?.message).toContain(RESTARTED);
      expect(trial.job.errorSummary).toContain('its leftover processes were killed');
    }
    expect(await Promise.all(pids.map(processAlive))).toEqual([false, false]);
    const others = sweep.trials.filter((t) => !running.some((r) => r.name === t.name));
    expect(others.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    for (const t of others) expect(t.metricCount).toBe(4);

    // The seeded sequence went on where it stopped: trial i has the params a crash-free sweep draws.
    const sampler = createSampler({
      searchSpace: SEARCH_SPACE as unknown as SearchSpace,
      algorithm: { type: 'random', seed: SEED },
      goal: 'maximize',
    });
    const history: TrialResult[] = [];
    for (const t of [...sweep.trials].sort((a, b) => a.index - b.index)) {
      const expected = sampler.next(history)!;
      expect(t.params.x).toBeCloseTo(expected.x as number, 12);
      history.push({ params: expected, status: 'completed' });
    }

    const withValues = sweep.trials.filter((t) => t.bestValue !== null);
    const best = withValues.reduce((a, b) => (b.bestValue! > a.bestValue! ? b : a));
    expect(sweep.bestTrial).toEqual({ name: best.name, value: best.bestValue, runId: best.runId });
    const run = await api<{
      run: { info: { status: string }; data: { tags?: { key: string; value: string }[] } };
    }>(second.url, 'GET', `/api/2.0/mlflow/runs/get?run_id=${job.runId}`);
    expect(run.run.info.status).toBe('FINISHED');
    expect(run.run.data.tags).toEqual(
      expect.arrayContaining([{ key: 'cairn.best_trial', value: best.name }]),
    );
  }, 240_000);

  it('finishes, as it was meant to end, a sweep the server died while ending', async () => {
    const dir = await tempDir('cairn-sweep-ending-');
    cleanups.push(() => dir.dispose());
    const target = await freshStoreUri(dialect);
    cleanups.push(() => target.dispose());
    const dataDir = join(dir.path, 'data');
    const first = await startJobServer(target.uri, dataDir);
    let sweepName: string;
    try {
      sweepName = (
        await submitJob(first.baseUrl, {
          yaml: `
type: sweep
experiment_name: sweep-ending-${randomBytes(4).toString('hex')}
trial:
  command: ${testPython()} -c "import mlflow, sys; mlflow.log_metric('score', float(sys.argv[1]))" \${{search_space.x}}
search_space:
  x: { type: choice, values: [1, 2] }
sampling_algorithm: grid
objective: { primary_metric: score, goal: maximize }
limits: { max_total_trials: 2 }
`,
        })
      ).name;
      await followJob(first.baseUrl, sweepName);
    } finally {
      await first.close();
    }

    // As if the server had died in the middle of ending it: `finalizing`, with the end it had chosen
    // (cancel, say) saved, and no best trial recorded yet.
    const store = await openMetadataStore(target.uri);
    try {
      const row = await store.db
        .selectFrom('jobs')
        .select('handle')
        .where('id', '=', sweepName)
        .executeTakeFirstOrThrow();
      const state = JSON.parse(row.handle!) as Record<string, unknown>;
      expect(state.bestTrial).toBe(`${sweepName}_2`);
      const ending = { status: 'canceled', message: 'canceled by the user', errorSummary: null };
      await store.db
        .updateTable('jobs')
        .set({
          status: 'finalizing',
          ended_at: null,
          handle: JSON.stringify({ ...state, bestTrial: null, bestValue: null, ending }),
        })
        .where('id', '=', sweepName)
        .execute();
    } finally {
      await store.close();
    }

    const second = await startJobServer(target.uri, dataDir);
    cleanups.push(() => second.close());
    await followJob(second.baseUrl, sweepName);
    const shown = await api<SweepShow & JobShow>(second.baseUrl, 'GET', `${WS}/jobs/${sweepName}`);
    expect(shown.job.status).toBe('canceled');
    expect(shown.sweep.bestTrial).toMatchObject({ name: `${sweepName}_2`, value: 2 });
    expect(shown.events.at(-1)).toMatchObject({
      status: 'canceled',
      message: `best trial ${sweepName}_2: score = 2`,
    });
  });
});

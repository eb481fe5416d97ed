import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apiCall,
  followJob,
  type JobServer,
  startJobServer,
  submitJob,
  tempDir,
  type WireJob,
} from '../jobs/job-client.js';
import { testPython } from '../support/env.js';
import { freshStoreUri } from '../support/metadata-stores.js';

/**
 * The trial: logs `score` = the product of its factors (plus a small rise per step) once per step
 * through the real mlflow client. Trials whose score is under --slow-below start late: the policies
 * compare trials at equal numbers of logged values, so a bad trial that lags is judged against good
 * ones at its first evaluation rather than only against itself.
 */
const SCORE_PY = `
import argparse, time, mlflow
p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=1)
p.add_argument("--delay", type=float, default=0)
p.add_argument("--slow-below", type=float, default=None)
p.add_argument("factors", type=float, nargs="+")
a = p.parse_args()
score = 1.0
for f in a.factors:
    score *= f
if a.slow_below is not None and score < a.slow_below:
    time.sleep(2)
for step in range(a.steps):
    mlflow.log_metric("score", score + 0.001 * step, step=step)
    if step < a.steps - 1:
        time.sleep(a.delay)
print("done", score, flush=True)
`;

interface SweepTrial {
  name: string;
  index: number;
  status: string;
  params: Record<string, unknown>;
  runId: string | null;
  bestValue: number | null;
  metricCount: number;
  earlyTerminated: string | null;
  earlyTerminatedReason: string | null;
  startedAt: number | null;
  endedAt: number | null;
}
interface SweepShow {
  job: WireJob & { type: string };
  events: { status: string; message: string | null }[];
  sweep?: {
    primaryMetric: string;
    seed: number;
    trials: SweepTrial[];
    bestTrial: { name: string; value: number; runId: string | null } | null;
  };
}
interface RunGet {
  run: {
    info: { status: string };
    data: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
  };
}

const WS = '/api/v1/workspaces/default';

describe('sweep jobs (real server, local compute, python trials logging through mlflow)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let target: Awaited<ReturnType<typeof freshStoreUri>>;
  let server: JobServer;
  let project: string;

  beforeEach(async () => {
    dir = await tempDir('cairn-sweeps-');
    target = await freshStoreUri('sqlite');
    server = await startJobServer(target.uri, join(dir.path, 'data'));
    project = join(dir.path, 'project');
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'src', 'score.py'), SCORE_PY);
  });
  afterEach(async () => {
    await server.close();
    await target.dispose();
    await dir.dispose();
  });

  /** Submits the sweep and waits (on its event stream) until it ends; returns `show` of it. */
  async function runSweep(yaml: string): Promise<SweepShow> {
    const job = await submitJob(server.baseUrl, { yaml, codeRoot: project });
    await followJob(server.baseUrl, job.name);
    return apiCall<SweepShow>(server.baseUrl, 'GET', `${WS}/jobs/${job.name}`);
  }

  const getRun = (runId: string) =>
    apiCall<RunGet>(server.baseUrl, 'GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`);
  const tag = (run: RunGet, key: string) => run.run.data.tags?.find((t) => t.key === key)?.value;

  it('a grid sweep over 2×2 choices runs 4 child trials with the right params and reports the best', async () => {
    const shown = await runSweep(`
type: sweep
experiment_name: sweep-grid
trial:
  command: ${testPython()} score.py \${{search_space.a}} \${{search_space.b}}
  code: src
  resources:
    properties: { cpus: 0.5 }
search_space:
  a: { type: choice, values: [1, 2] }
  b: { type: choice, values: [10, 20] }
sampling_algorithm: grid
objective: { primary_metric: score, goal: maximize }
limits: { max_total_trials: 10, max_concurrent_trials: 4 }
`);
    expect(shown.job.status, shown.job.errorSummary ?? '').toBe('completed');
    const sweep = shown.sweep!;
    expect(sweep.trials).toHaveLength(4);
    expect(sweep.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(sweep.trials.map((t) => `${t.params.a}x${t.params.b}`).sort()).toEqual([
      '1x10',
      '1x20',
      '2x10',
      '2x20',
    ]);
    for (const t of sweep.trials) expect(t.bestValue).toBeCloseTo(Number(t.params.a) * Number(t.params.b));
    const best = sweep.trials.find((t) => t.params.a === 2 && t.params.b === 20)!;
    expect(sweep.bestTrial).toMatchObject({ name: best.name, value: 40 });

    const sweepRun = await getRun(shown.job.runId!);
    expect(sweepRun.run.info.status).toBe('FINISHED');
    expect(tag(sweepRun, 'cairn.best_trial')).toBe(best.name);
    expect(Number(tag(sweepRun, 'cairn.best_value'))).toBe(40);
    const trialRun = await getRun(best.runId!);
    expect(tag(trialRun, 'mlflow.parentRunId')).toBe(shown.job.runId);
    expect(trialRun.run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'a', value: '2' },
        { key: 'b', value: '20' },
      ]),
    );
  });

  it('a random sweep with max_total_trials 6 and max_concurrent_trials 2 never runs more than 2 at once', async () => {
    const shown = await runSweep(`
type: sweep
trial:
  command: ${testPython()} score.py \${{search_space.x}}
  code: src
  resources:
    properties: { cpus: 0.5 }
search_space:
  x: { type: uniform, min_value: 0, max_value: 1 }
sampling_algorithm: { type: random, seed: 7 }
objective: { primary_metric: score, goal: minimize }
limits: { max_total_trials: 6, max_concurrent_trials: 2 }
`);
    expect(shown.job.status, shown.job.errorSummary ?? '').toBe('completed');
    const trials = shown.sweep!.trials;
    expect(trials).toHaveLength(6);
    expect(new Set(trials.map((t) => t.params.x)).size).toBe(6);
    // The most trials alive at once: at every trial's start, count those started and not yet ended.
    const started = trials.filter((t) => t.startedAt !== null);
    expect(started).toHaveLength(6);
    const overlap = Math.max(
      ...started.map(
        (t) =>
          started.filter((o) => o.startedAt! <= t.startedAt! && (o.endedAt ?? Infinity) > t.startedAt!)
            .length,
      ),
    );
    expect(overlap).toBeLessThanOrEqual(2);
    const listed = await apiCall<{ jobs: { name: string; parentJobName: string | null }[] }>(
      server.baseUrl,
      'GET',
      `${WS}/jobs?parent=${shown.job.name}`,
    );
    expect(listed.jobs.map((j) => j.name).sort()).toEqual(trials.map((t) => t.name).sort());
    const best = [...trials].sort((p, q) => p.bestValue! - q.bestValue!)[0]!;
    expect(shown.sweep!.bestTrial?.name).toBe(best.name);
  });

  it('a bandit policy cancels the bad trials before they finish (their processes end, fewer steps logged)', async () => {
    const shown = await runSweep(`
type: sweep
trial:
  command: ${testPython()} score.py --steps 10 --delay 1 --slow-below 0.5 \${{search_space.quality}} \${{search_space.replica}}
  code: src
  resources:
    properties: { cpus: 0.5 }
search_space:
  quality: { type: choice, values: [0.9, 0.2] }
  replica: { type: choice, values: [1, 1.0001] }
sampling_algorithm: grid
objective: { primary_metric: score, goal: maximize }
early_termination: { type: bandit, slack_factor: 0.1, evaluation_interval: 1, delay_evaluation: 2 }
limits: { max_total_trials: 4, max_concurrent_trials: 4 }
`);
    expect(shown.job.status, shown.job.errorSummary ?? '').toBe('completed');
    const trials = shown.sweep!.trials;
    const good = trials.filter((t) => t.params.quality === 0.9);
    const bad = trials.filter((t) => t.params.quality === 0.2);
    expect(good).toHaveLength(2);
    expect(bad).toHaveLength(2);
    for (const t of good) {
      expect(t.status).toBe('completed');
      expect(t.metricCount).toBe(10);
      expect(t.earlyTerminated).toBeNull();
    }
    for (const t of bad) {
      expect(t.status).toBe('canceled');
      expect(t.earlyTerminated).toBe('bandit');
      expect(t.earlyTerminatedReason).toMatch(/outside slack_factor/);
      expect(t.metricCount).toBeLessThan(good[0]!.metricCount);
      const run = await getRun(t.runId!);
      expect(run.run.info.status).toBe('KILLED');
      expect(tag(run, 'cairn.early_terminated')).toBe('bandit');
      const events = await apiCall<SweepShow>(server.baseUrl, 'GET', `${WS}/jobs/${t.name}`);
      expect(events.events.map((e) => e.message ?? '')).toEqual(
        expect.arrayContaining([expect.stringMatching(/^early termination \(bandit\)/)]),
      );
    }
    expect(good.map((t) => t.name)).toContain(shown.sweep!.bestTrial?.name);
  });
});

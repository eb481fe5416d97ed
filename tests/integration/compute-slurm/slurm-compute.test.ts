import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CairnError, ErrorCode } from '@cairn/core';
import {
  type ComputeHandle,
  type JobLaunch,
  LAUNCHER_SCRIPT_PATH,
  SlurmComputeAdapter,
  type SlurmTarget,
} from '@cairn/jobs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testSlurmEnabled } from '../support/env.js';
import { CollectingSink, isFinished, pollUntil, processAlive, serveSnapshot } from './support.js';

const run = promisify(execFile);

const TRAIN_PY = `import os, sys
print("training with C =", sys.argv[1], flush=True)
print("greeting:", os.environ["GREETING"], flush=True)
print("files:", sorted(f for f in os.listdir(".") if not f.startswith(".")), flush=True)
`;

// Without CAIRN_TEST_SLURM=1 (set by scripts/test.sh once scripts/services/slurm.sh is up) there is no cluster.
describe.runIf(testSlurmEnabled())('Slurm compute adapter on a real single-node cluster', () => {
  let jobsRoot: string;
  const adapters: SlurmComputeAdapter[] = [];
  const submitted: Array<{ adapter: SlurmComputeAdapter; handle: ComputeHandle }> = [];

  beforeAll(async () => {
    // CAIRN_TEST_SLURM=1 promises a cluster: a missing or silent one fails the suite loudly.
    const { stdout } = await run('sinfo', ['-h', '-o', '%R %T'], { timeout: 15_000 }).catch((err: Error) => {
      throw new Error(`CAIRN_TEST_SLURM=1 but sinfo failed (run scripts/services/slurm.sh): ${err.message}`);
    });
    expect(stdout).toMatch(/^debug (idle|mixed|allocated)/m);
    jobsRoot = await mkdtemp(join(tmpdir(), 'cairn-slurm-jobs-'));
  });

  afterEach(async () => {
    for (const { adapter, handle } of submitted.splice(0))
      await adapter.cancel(handle).catch(() => undefined);
    for (const adapter of adapters.splice(0)) await adapter.close();
  });

  afterAll(async () => {
    if (jobsRoot) await rm(jobsRoot, { recursive: true, force: true });
  });

  function adapter(target: SlurmTarget = { partition: 'debug' }): SlurmComputeAdapter {
    const created = new SlurmComputeAdapter({ target, jobsRoot, logIntervalMs: 100 });
    adapters.push(created);
    return created;
  }

  function launch(command: string, overrides: Partial<JobLaunch> = {}): JobLaunch {
    return {
      jobId: `job-${randomBytes(6).toString('hex')}`,
      workspaceId: 'ws-test',
      command,
      env: {},
      snapshotId: null,
      snapshotUrl: null,
      environment: null,
      resources: { instanceCount: 1, cpus: 1, memoryGb: 0.25 },
      timeoutSeconds: null,
      workDir: null,
      ...overrides,
    };
  }

  async function submit(
    slurm: SlurmComputeAdapter,
    job: JobLaunch,
    sink: CollectingSink,
  ): Promise<ComputeHandle> {
    const handle = await slurm.submit(job, sink);
    submitted.push({ adapter: slurm, handle });
    return handle;
  }

  it('verify() accepts the real partition and names a wrong one with what sinfo lists', async () => {
    await expect(adapter().verify()).resolves.toBeUndefined();
    const err = await adapter({ partition: 'gpu-nope' })
      .verify()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((err as CairnError).message).toContain(
      "Slurm partition 'gpu-nope' does not exist (sinfo lists: debug)",
    );
  });

  it('runs a Python script from a downloaded snapshot: stdout reaches the sink, exit 0 is completed', async () => {
    const token = randomBytes(16).toString('hex');
    const snapshot = await serveSnapshot({ 'train.py': TRAIN_PY, 'data.csv': 'x\n1\n' }, token);
    try {
      const slurm = adapter();
      const sink = new CollectingSink();
      const job = launch('python3 train.py 0.5', {
        env: { GREETING: 'it\'s "quoted" $HOME', CAIRN_TOKEN: token },
        snapshotUrl: snapshot.url,
        timeoutSeconds: 600,
      });
      const handle = await submit(slurm, job, sink);
      expect(handle).toMatchObject({ kind: 'slurm', id: expect.stringMatching(/^\d+$/) });

      const { stdout: name } = await run('squeue', ['-h', '-j', handle.id, '-o', '%j']);
      expect([`cairn-${job.jobId}`, '']).toContain(name.trim()); // '' when it already finished

      const state = await pollUntil(slurm, handle, isFinished);
      expect(state).toEqual({ state: 'completed' });
      expect(sink.text('stdout')).toContain('training with C = 0.5\n');
      expect(sink.text('stdout')).toContain(`greeting: it's "quoted" $HOME\n`);
      expect(sink.text('stdout')).toContain("files: ['data.csv', 'train.py']");
      expect(snapshot.requests()).toBe(1);
      // The batch script's last act: the launcher's exit status in the job folder.
      expect(await readFile(join(jobsRoot, job.jobId, 'exit_code'), 'utf8')).toBe('0\n');
    } finally {
      await snapshot.close();
    }
  });

  it('reports a failing command as failed with its exit code, and its stderr arrives', async () => {
    const slurm = adapter();
    const sink = new CollectingSink();
    const handle = await submit(
      slurm,
      launch(`python3 -c "import sys; sys.stderr.write('ValueError: C must be positive\\n'); sys.exit(3)"`),
      sink,
    );
    const state = await pollUntil(slurm, handle, isFinished);
    expect(state).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(state.state === 'failed' && state.reason).toMatch(/exited with code 3/);
    expect(sink.text('stderr')).toContain('ValueError: C must be positive\n');
  });

  it('names a snapshot download that fails in the job stderr', async () => {
    const snapshot = await serveSnapshot({ 'train.py': TRAIN_PY }, 'right-token');
    try {
      const slurm = adapter();
      const sink = new CollectingSink();
      const handle = await submit(
        slurm,
        launch('python3 train.py 1', { env: { CAIRN_TOKEN: 'wrong-token' }, snapshotUrl: snapshot.url }),
        sink,
      );
      const state = await pollUntil(slurm, handle, isFinished);
      expect(state).toMatchObject({ state: 'failed', exitCode: 1 });
      expect(sink.text('stderr')).toContain('cairn-launch: could not download the code snapshot');
    } finally {
      await snapshot.close();
    }
  });

  it('cancel() ends the Slurm job as canceled and the process is gone', async () => {
    const slurm = adapter();
    const sink = new CollectingSink();
    const handle = await submit(
      slurm,
      launch(`python3 -c "import os, time; print('pid', os.getpid(), flush=True); time.sleep(600)"`),
      sink,
    );
    await sink.waitFor('stdout', '\n');
    const pid = Number(/pid (\d+)/.exec(sink.text('stdout'))?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(await processAlive(pid)).toBe(true);
    expect(await slurm.poll(handle)).toEqual({ state: 'running' });

    await slurm.cancel(handle);
    await slurm.cancel(handle); // idempotent
    const state = await pollUntil(slurm, handle, isFinished);
    expect(state).toMatchObject({ state: 'canceled' });
    const deadline = Date.now() + 20_000;
    while ((await processAlive(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await processAlive(pid)).toBe(false);
  });

  it('a new adapter (a restarted server) reattaches to a running job and resumes its logs where they stopped', async () => {
    const before = adapter();
    const firstSink = new CollectingSink();
    const job = launch(
      `echo before; while [ ! -e release ]; do sleep 0.1; done; echo after; echo late-error >&2`,
    );
    const handle = await submit(before, job, firstSink);
    await firstSink.waitFor('stdout', 'before\n');
    await before.close(); // the server dies; the job keeps running in Slurm

    const persisted: ComputeHandle = JSON.parse(JSON.stringify(handle));
    const after = adapter();
    const secondSink = new CollectingSink();
    expect(await after.reattach(persisted, secondSink)).toEqual({ state: 'running' });

    await writeFile(join(jobsRoot, job.jobId, 'work', 'release'), '');
    expect(await pollUntil(after, persisted, isFinished)).toEqual({ state: 'completed' });
    expect(secondSink.text('stdout')).toBe('after\n');
    expect(secondSink.text('stderr')).toBe('late-error\n');
    expect(firstSink.text('stdout')).toBe('before\n');
  });

  it('passes the time limit to Slurm as --time (TIMEOUT itself is covered by the state-mapper unit test)', async () => {
    const slurm = adapter({ partition: 'debug', time_limit: 3600 });
    const handle = await submit(slurm, launch('sleep 600', { timeoutSeconds: 90 }), new CollectingSink());
    const { stdout } = await run('squeue', ['-h', '-j', handle.id, '-o', '%l']);
    expect(stdout.trim()).toBe('2:00'); // limits.timeout wins over the target's time_limit; Slurm rounds up to minutes
  });

  it('sbatch refusing a job is an error in words', async () => {
    const slurm = adapter({ sbatch_args: ['--partition=nope-partition'] });
    const err = await slurm.submit(launch('true'), new CollectingSink()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).message).toMatch(/^sbatch failed: .*invalid partition/i);
  });

  it('a job Slurm has forgotten is judged by the exit_code it left, else lost', async () => {
    const slurm = adapter();
    const unknownId = '987654321';
    const dir = join(jobsRoot, `forgotten-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    const handle: ComputeHandle = { kind: 'slurm', id: unknownId, data: { jobDir: dir } };

    const lost = await slurm.poll(handle);
    expect(lost).toMatchObject({ state: 'lost' });
    expect(lost.state === 'lost' && lost.reason).toContain(`Slurm no longer knows job ${unknownId}`);

    await writeFile(join(dir, 'exit_code'), '0\n');
    expect(await slurm.poll(handle)).toEqual({ state: 'completed' });
    await writeFile(join(dir, 'exit_code'), '5\n');
    expect(await slurm.poll(handle)).toEqual({ state: 'failed', exitCode: 5, reason: 'exited with code 5' });
    await expect(slurm.cancel(handle)).resolves.toBeUndefined();
  });

  it('the launcher script is shellcheck-clean as POSIX sh', async () => {
    // scripts/services/slurm.sh installs shellcheck alongside the cluster.
    const result = await run('shellcheck', ['-s', 'sh', LAUNCHER_SCRIPT_PATH]).catch(
      (err: { stdout?: string; message: string }) => ({ stdout: err.stdout ?? err.message }),
    );
    expect(result.stdout).toBe('');
  });
});

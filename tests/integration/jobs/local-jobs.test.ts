import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testPython } from '../support/env.js';
import { freshStoreUri } from '../support/metadata-stores.js';
import {
  apiCall,
  cancelJob,
  createCompute,
  followJob,
  getJob,
  type JobServer,
  startJobServer,
  statuses,
  submitJob,
  tempDir,
} from './job-client.js';

const TRAIN_PY = `
import os, sys, mlflow
run_id = os.environ["MLFLOW_RUN_ID"]
print("training starts", flush=True)
for step in range(3):
    mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
mlflow.log_param("C", sys.argv[1])
with open(os.path.join(os.environ["CAIRN_OUTPUTS_MODEL"], "model.txt"), "w") as f:
    f.write("weights")
print("run", run_id, flush=True)
`;

/** A zombie (dead, not yet reaped by its new parent) counts as gone. */
const isAlive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('local command jobs (real processes, real server)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let target: Awaited<ReturnType<typeof freshStoreUri>>;
  let server: JobServer;

  beforeEach(async () => {
    dir = await tempDir('cairn-jobs-');
    target = await freshStoreUri('sqlite');
    server = await startJobServer(target.uri, join(dir.path, 'data'));
  });
  afterEach(async () => {
    await server.close();
    await target.dispose();
    await dir.dispose();
  });

  it('runs a Python script from a code folder that logs through mlflow onto the job run, streaming stdout live', async () => {
    const code = join(dir.path, 'project', 'src');
    await mkdir(code, { recursive: true });
    await writeFile(join(code, 'train.py'), TRAIN_PY);
    const yaml = `
command: ${testPython()} train.py \${{inputs.C}}
code: src
inputs:
  C: 0.5
outputs:
  model:
experiment_name: job-tests
`;
    const submitted = Date.now();
    const job = await submitJob(server.baseUrl, {
      yaml,
      codeRoot: join(dir.path, 'project'),
      set: ['inputs.C=0.25'],
    });
    const { stdout, events } = await followJob(server.baseUrl, job.name);
    const { job: done } = await getJob(server.baseUrl, job.name);
    expect(done.status, done.errorSummary ?? '').toBe('completed');
    expect(statuses(events)).toEqual(
      expect.arrayContaining(['preparing', 'running', 'finalizing', 'completed']),
    );
    expect(stdout).toContain('training starts');
    expect(stdout).toContain(`run ${job.runId}`);

    console.log(`submit → running: ${done.startedAt! - submitted} ms (python job)`);

    const run = await apiCall<{
      run: {
        info: { status: string };
        data: { metrics: { key: string; value: number }[]; params: { key: string; value: string }[] };
      };
    }>(server.baseUrl, 'GET', `/api/2.0/mlflow/runs/get?run_id=${job.runId}`);
    expect(run.run.info.status).toBe('FINISHED');
    expect(run.run.data.metrics.find((m) => m.key === 'loss')?.value).toBeCloseTo(1 / 3);
    expect(run.run.data.params).toContainEqual({ key: 'C', value: '0.25' });

    const files = await apiCall<{ files?: { path: string }[] }>(
      server.baseUrl,
      'GET',
      `/api/2.0/mlflow/artifacts/list?run_id=${job.runId}&path=user_logs`,
    );
    expect(files.files?.map((f) => f.path)).toContain('user_logs/std_log.txt');
    const outputs = await apiCall<{ files?: { path: string }[] }>(
      server.baseUrl,
      'GET',
      `/api/2.0/mlflow/artifacts/list?run_id=${job.runId}&path=outputs/model`,
    );
    expect(outputs.files?.map((f) => f.path)).toContain('outputs/model/model.txt');
  });

  it('starts a trivial job quickly on an idle pool', async () => {
    const submitted = Date.now();
    const job = await submitJob(server.baseUrl, { yaml: 'command: date +%s%3N' });
    const { stdout } = await followJob(server.baseUrl, job.name);
    const startedMs = Number(stdout.trim());
    console.log(`submit → user process running: ${startedMs - submitted} ms (sh, idle pool)`);
    expect(startedMs).toBeGreaterThanOrEqual(submitted);
  });

  it('a failing command fails with its exit code and the stderr tail first', async () => {
    const job = await submitJob(server.baseUrl, {
      yaml: `command: 'for i in $(seq 1 30); do echo "line $i" >&2; done; exit 3'`,
    });
    await followJob(server.baseUrl, job.name);
    const { job: failed } = await getJob(server.baseUrl, job.name);
    expect(failed.status).toBe('failed');
    expect(failed.exitCode).toBe(3);
    const lines = failed.errorSummary!.split('\n');
    expect(lines[0]).toBe('exited with code 3');
    expect(lines.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));
    const run = await apiCall<{ run: { info: { status: string } } }>(
      server.baseUrl,
      'GET',
      `/api/2.0/mlflow/runs/get?run_id=${failed.runId}`,
    );
    expect(run.run.info.status).toBe('FAILED');
  });

  it('a missing executable fails with exit code 127 and the shell message', async () => {
    const job = await submitJob(server.baseUrl, { yaml: 'command: no-such-program-xyz --flag' });
    await followJob(server.baseUrl, job.name);
    const { job: failed } = await getJob(server.baseUrl, job.name);
    expect(failed.status).toBe('failed');
    expect(failed.exitCode).toBe(127);
    expect(failed.errorSummary).toMatch(/no-such-program-xyz.*not found/);
  });

  it('an unknown compute or environment is refused at submit, naming the field', async () => {
    await expect(
      submitJob(server.baseUrl, { yaml: 'command: echo hi\ncompute: gpu-cluster' }),
    ).rejects.toMatchObject({
      status: 400,
      body: { error: { details: { field: 'compute' } } },
    });
    await expect(
      submitJob(server.baseUrl, { yaml: 'command: echo hi\nenvironment: azureml:sklearn:3' }),
    ).rejects.toMatchObject({ status: 400, body: { error: { details: { field: 'environment' } } } });
  });

  it('cancel kills the whole process tree (a child sleep too)', async () => {
    const job = await submitJob(server.baseUrl, { yaml: `command: 'sleep 300 & echo "child=$!"; wait'` });
    const { stdout } = await followJob(server.baseUrl, job.name, (_e, out) => /child=\d+\n/.test(out));
    const child = Number(/child=(\d+)/.exec(stdout)![1]);
    expect(isAlive(child)).toBe(true);
    await cancelJob(server.baseUrl, job.name);
    const rest = await followJob(server.baseUrl, job.name);
    expect(statuses(rest.events).at(-1)).toBe('canceled');
    expect(isAlive(child)).toBe(false);
    const run = await apiCall<{ run: { info: { status: string } } }>(
      server.baseUrl,
      'GET',
      `/api/2.0/mlflow/runs/get?run_id=${job.runId}`,
    );
    expect(run.run.info.status).toBe('KILLED');
  });

  it('limits.timeout fails the job with the reason', async () => {
    const job = await submitJob(server.baseUrl, { yaml: 'command: sleep 60\nlimits:\n  timeout: 1' });
    await followJob(server.baseUrl, job.name);
    const { job: failed } = await getJob(server.baseUrl, job.name);
    expect(failed.status).toBe('failed');
    expect(failed.errorSummary).toMatch(/^timed out after 1s/);
  });

  it('jobs queue while the pool is full and run when a slot frees', async () => {
    await createCompute(server.baseUrl, 'name: one-cpu\ntype: local\ncpus: 1');
    const first = await submitJob(server.baseUrl, {
      yaml: `command: 'echo first; sleep 300'\ncompute: one-cpu`,
    });
    await followJob(server.baseUrl, first.name, (_e, out) => out.includes('first'));
    const second = await submitJob(server.baseUrl, { yaml: 'command: echo second\ncompute: one-cpu' });
    const { job: waiting } = await getJob(server.baseUrl, second.name);
    expect(['queued', 'preparing']).toContain(waiting.status);
    expect(waiting.startedAt).toBeNull();
    await cancelJob(server.baseUrl, first.name);
    const { stdout } = await followJob(server.baseUrl, second.name);
    expect(stdout).toContain('second');
    expect((await getJob(server.baseUrl, second.name)).job.status).toBe('completed');
  });
});

describe('restart', () => {
  it('runs queued jobs after a restart and fails the ones that were running, saying why', async () => {
    const dir = await tempDir('cairn-jobs-restart-');
    const target = await freshStoreUri('sqlite');
    const dataDir = join(dir.path, 'data');
    try {
      const first = await startJobServer(target.uri, dataDir);
      const running = await submitJob(first.baseUrl, { yaml: `command: 'echo up; sleep 300'` });
      await followJob(first.baseUrl, running.name, (_e, out) => out.includes('up'));
      // The scheduler goes first (as when the process dies); a job submitted now stays queued.
      await first.server.services.scheduler.stop();
      const queued = await submitJob(first.baseUrl, { yaml: 'command: echo after-restart' });
      await first.close();

      const second = await startJobServer(target.uri, dataDir);
      try {
        const { stdout } = await followJob(second.baseUrl, queued.name);
        expect(stdout).toContain('after-restart');
        expect((await getJob(second.baseUrl, queued.name)).job.status).toBe('completed');
        const { job: lost, events } = await getJob(second.baseUrl, running.name);
        expect(lost.status).toBe('failed');
        expect(lost.errorSummary).toContain('the server restarted while the job was running');
        expect(events.at(-1)?.message).toContain('the server restarted while the job was running');
      } finally {
        await second.close();
      }
    } finally {
      await target.dispose();
      await dir.dispose();
    }
  });
});

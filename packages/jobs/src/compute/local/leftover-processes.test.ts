import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { killLeftoverProcesses } from './leftover-processes.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
  }
});

/** A job-like process group: `sh` that starts a background `sleep`, with the job's variables. */
function startGroup(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | null>;
} {
  const child = spawn('/bin/sh', ['-c', 'sleep 60 & sleep 60; wait'], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return { child, exited };
}

describe.runIf(process.platform === 'linux')('killLeftoverProcesses', () => {
  it("kills the process group whose environment names the job, and no other job's", async () => {
    const runId = randomUUID().replaceAll('-', '');
    const mine = startGroup({ CAIRN_JOB_NAME: 'job_a', CAIRN_WORKSPACE: 'ws1', MLFLOW_RUN_ID: runId });
    // Same job name in another workspace, and the same job of another server (another run id).
    const otherWs = startGroup({ CAIRN_JOB_NAME: 'job_a', CAIRN_WORKSPACE: 'ws2', MLFLOW_RUN_ID: runId });
    const otherRun = startGroup({ CAIRN_JOB_NAME: 'job_a', CAIRN_WORKSPACE: 'ws1', MLFLOW_RUN_ID: 'f00' });

    expect(await killLeftoverProcesses({ jobId: 'job_a', workspaceId: 'ws1', runId })).toBe(1);
    expect(await mine.exited).toBe('SIGKILL');
    expect(otherWs.child.exitCode).toBeNull();
    expect(otherWs.child.signalCode).toBeNull();
    expect(otherRun.child.signalCode).toBeNull();
    expect(await killLeftoverProcesses({ jobId: 'job_a', workspaceId: 'ws1', runId })).toBe(0);
  });

  it('finds nothing where there is no /proc', async () => {
    expect(await killLeftoverProcesses({ jobId: 'x', workspaceId: 'y' }, '/nonexistent-proc')).toBe(0);
  });
});

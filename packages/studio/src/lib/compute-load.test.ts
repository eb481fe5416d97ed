import type { ComputeTarget, Job, JobCount } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { computeLoad, computeSettings } from './compute-load.js';

const target = (name: string, kind: string, spec: Record<string, unknown> = {}): ComputeTarget => ({
  name,
  kind,
  spec: { name, type: kind, ...spec },
  builtIn: name === 'local',
  createdBy: null,
  createdAt: null,
});

const job = (name: string, compute: string, status: Job['status'], startedAt: number | null = null): Job => ({
  name,
  type: 'command',
  parentJobName: null,
  status,
  compute,
  command: 'x',
  spec: {},
  runId: null,
  experimentId: null,
  snapshotId: null,
  environmentHash: null,
  exitCode: null,
  errorSummary: null,
  timeoutSeconds: null,
  createdBy: 'u',
  createdAt: 1,
  startedAt,
  endedAt: null,
});

describe('compute load', () => {
  it("takes the server's counts per target and lists the started jobs, oldest first", () => {
    const count = (
      compute: string,
      status: Job['status'],
      n: number,
      type: JobCount['type'] = 'command',
    ) => ({
      compute,
      type,
      status,
      count: n,
    });
    const loads = computeLoad(
      [target('local', 'local'), target('slurm-cpu', 'slurm', { partition: 'debug' })],
      [
        count('local', 'running', 2),
        count('local', 'queued', 1200),
        count('local', 'completed', 7),
        count('local', 'running', 1, 'sweep'),
        count('slurm-cpu', 'queued', 1),
        count('gone', 'preparing', 1),
      ],
      [
        job('a', 'local', 'running', 20),
        job('c', 'local', 'running', 10),
        job('e', 'gone', 'preparing', 5),
        { ...job('s', 'local', 'running', 1), type: 'sweep' },
      ],
    );
    expect(
      loads.map((l) => [l.name, l.counts.queued, l.counts.running, l.started.map((j) => j.name)]),
    ).toEqual([
      ['local', 1200, 2, ['c', 'a']],
      ['slurm-cpu', 1, 0, []],
      ['gone', 0, 0, ['e']],
    ]);
    expect(loads[2]!.counts.preparing).toBe(1);
    expect(loads[2]!.target).toBeNull();
  });

  it('describes settings per kind', () => {
    expect(computeSettings(target('local', 'local'))).toBe("the server's machine");
    expect(computeSettings(target('s', 'slurm', { partition: 'gpu', gpus_per_job: 2 }))).toBe(
      'partition gpu · GPUs per job 2',
    );
    expect(computeSettings(target('r', 'ray', { address: 'http://h:8265' }))).toBe('address http://h:8265');
  });
});

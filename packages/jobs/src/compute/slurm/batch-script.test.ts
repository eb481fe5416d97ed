import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { type BatchScriptInput, renderBatchScript, sbatchDirectives } from './batch-script.js';
import { formatSlurmTime } from './slurm-time.js';

const run = promisify(execFile);

function input(overrides: Partial<BatchScriptInput> = {}): BatchScriptInput {
  return {
    jobId: 'job-1',
    jobDir: '/shared/jobs/job-1',
    stdoutPath: '/shared/jobs/job-1/stdout.log',
    stderrPath: '/shared/jobs/job-1/stderr.log',
    exitCodePath: '/shared/jobs/job-1/exit_code',
    launcherPath: '/shared/jobs/job-1/cairn-launch.sh',
    env: {},
    ...overrides,
  };
}

describe('sbatchDirectives', () => {
  it('always names the job, its folder and its output files, and keeps the server environment out', () => {
    expect(sbatchDirectives(input())).toEqual([
      '--job-name=cairn-job-1',
      '--chdir=/shared/jobs/job-1',
      '--output=/shared/jobs/job-1/stdout.log',
      '--error=/shared/jobs/job-1/stderr.log',
      '--export=NONE',
      '--open-mode=append',
    ]);
  });

  it('adds partition, account, nodes, cpus, memory in MB, GPUs as gres and the time limit', () => {
    const directives = sbatchDirectives(
      input({
        partition: 'gpu',
        account: 'ml-team',
        nodes: 2,
        cpusPerTask: 4,
        memoryGb: 1.5,
        gpus: 2,
        timeLimitSeconds: 5400,
      }),
    );
    expect(directives).toEqual(
      expect.arrayContaining([
        '--partition=gpu',
        '--account=ml-team',
        '--nodes=2',
        '--cpus-per-task=4',
        '--mem=1536M',
        '--gres=gpu:2',
        '--time=01:30:00',
      ]),
    );
  });

  it('leaves out zero GPUs and a single node', () => {
    const directives = sbatchDirectives(input({ gpus: 0, nodes: 1 }));
    expect(directives.some((d) => d.startsWith('--gres') || d.startsWith('--nodes'))).toBe(false);
  });

  it('refuses a value sbatch would split, naming the setting', () => {
    expect(() => sbatchDirectives(input({ partition: 'gpu large' }))).toThrow(CairnError);
    expect(() => sbatchDirectives(input({ partition: 'gpu large' }))).toThrow(/Slurm partition 'gpu large'/);
  });
});

describe('formatSlurmTime', () => {
  it('writes [D-]HH:MM:SS', () => {
    expect(formatSlurmTime(59)).toBe('00:00:59');
    expect(formatSlurmTime(3600)).toBe('01:00:00');
    expect(formatSlurmTime(90_061)).toBe('1-01:01:01');
    expect(formatSlurmTime(0.2)).toBe('00:00:01');
  });
});

describe('renderBatchScript', () => {
  it('puts every directive before the first command', () => {
    const script = renderBatchScript(input({ partition: 'debug', env: { A: '1' } }));
    const lines = script.split('\n');
    const firstCommand = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
    const lastDirective = lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true);
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lastDirective).toBeLessThan(firstCommand);
  });

  it('refuses an environment variable name a shell cannot export', () => {
    expect(() => renderBatchScript(input({ env: { 'MY-VAR': 'x' } }))).toThrow(
      /environment variable name 'MY-VAR'/,
    );
  });

  it('exports awkward values exactly, runs the launcher and records its exit status', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-batch-'));
    try {
      const launcher = join(dir, 'launcher.sh');
      // A stand-in launcher: prints the variables it was given and exits 7.
      await writeFile(launcher, 'printf "%s|" "$QUOTED" "$DOLLAR" "$NEWLINE"\nexit 7\n');
      const env = { QUOTED: `it's "quoted"`, DOLLAR: '$HOME `id` \\n', NEWLINE: 'a\nb' };
      const script = renderBatchScript(
        input({ jobDir: dir, launcherPath: launcher, exitCodePath: join(dir, 'exit_code'), env }),
      );
      await writeFile(join(dir, 'batch.sh'), script);
      const result = await run('sh', [join(dir, 'batch.sh')]).catch(
        (err: { code: number; stdout: string }) => err,
      );
      expect('code' in result ? result.code : 0).toBe(7);
      expect(result.stdout).toBe(`${env.QUOTED}|${env.DOLLAR}|${env.NEWLINE}|`);
      expect(await readFile(join(dir, 'exit_code'), 'utf8')).toBe('7\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { invalidArgument } from '@cairn/core';
import { formatSlurmTime } from './slurm-time.js';

/** Everything the batch script says; paths are absolute and on storage every node can read. */
export interface BatchScriptInput {
  jobId: string;
  /** The job folder: batch script, command, launcher, output files and `exit_code` live here. */
  jobDir: string;
  stdoutPath: string;
  stderrPath: string;
  /** Written by the script as its last act with the launcher's exit status. */
  exitCodePath: string;
  launcherPath: string;
  partition?: string;
  account?: string;
  gpus?: number;
  timeLimitSeconds?: number;
  cpusPerTask?: number;
  memoryGb?: number;
  nodes?: number;
  /** Exported before the launcher runs (the job's MLFLOW_*, CAIRN_* and own variables). */
  env: Record<string, string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `#SBATCH` lines are split on whitespace by sbatch; values that need quoting are refused up front. */
const DIRECTIVE_VALUE = /^[^\s"'\\#]+$/;

/** Quotes a value for a POSIX shell: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Slurm's job name for a Cairn job: what `squeue` shows and what an operator greps for. */
export function slurmJobName(jobId: string): string {
  return `cairn-${jobId}`;
}

/** The `#SBATCH` options, in order, without the `#SBATCH ` prefix. */
export function sbatchDirectives(input: BatchScriptInput): string[] {
  const directives: Array<[string, string, string]> = [
    // [option, value, what to name in an error]
    ['--job-name', slurmJobName(input.jobId), 'job id'],
    ['--chdir', input.jobDir, 'job folder'],
    ['--output', input.stdoutPath, 'job folder'],
    ['--error', input.stderrPath, 'job folder'],
  ];
  if (input.partition !== undefined) directives.push(['--partition', input.partition, 'partition']);
  if (input.account !== undefined) directives.push(['--account', input.account, 'account']);
  if (input.nodes !== undefined && input.nodes > 1)
    directives.push(['--nodes', String(input.nodes), 'nodes']);
  if (input.cpusPerTask !== undefined) {
    directives.push(['--cpus-per-task', String(input.cpusPerTask), 'resources.cpus']);
  }
  if (input.memoryGb !== undefined) {
    directives.push(['--mem', `${Math.ceil(input.memoryGb * 1024)}M`, 'resources.memory_gb']);
  }
  if (input.gpus !== undefined && input.gpus > 0) directives.push(['--gres', `gpu:${input.gpus}`, 'gpus']);
  if (input.timeLimitSeconds !== undefined) {
    directives.push(['--time', formatSlurmTime(input.timeLimitSeconds), 'time limit']);
  }
  // The job sees the login environment of its user on the node plus what the script exports, never the
  // Cairn server's own environment (database URIs, keys).
  directives.push(['--export', 'NONE', 'export']);
  // Appending keeps the adapter's read offsets valid if Slurm requeues the job.
  directives.push(['--open-mode', 'append', 'open mode']);

  return directives.map(([option, value, what]) => {
    if (!DIRECTIVE_VALUE.test(value)) {
      throw invalidArgument(
        `Slurm ${what} '${value}' cannot be written as an #SBATCH line: it must not contain spaces, quotes, '#' or backslashes`,
        { field: what },
      );
    }
    return `${option}=${value}`;
  });
}

/**
 * The batch script sbatch runs: `#SBATCH` lines, the job's environment, the launcher, and the launcher's
 * exit status written to `exit_code` (so the outcome is known after Slurm has forgotten the job).
 */
export function renderBatchScript(input: BatchScriptInput): string {
  const lines = ['#!/bin/sh', ...sbatchDirectives(input).map((d) => `#SBATCH ${d}`), ''];
  lines.push(
    '# With --export=NONE the script starts from the login environment; keep a usable PATH regardless.',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
    'PATH="${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}"',
    'export PATH',
  );
  for (const name of Object.keys(input.env).sort()) {
    if (!ENV_NAME.test(name)) {
      throw invalidArgument(
        `environment variable name '${name}' is not valid in a shell: use letters, digits and '_', not starting with a digit`,
        { field: `environment_variables.${name}` },
      );
    }
    lines.push(`export ${name}=${shellQuote(input.env[name] ?? '')}`);
  }
  lines.push(
    '',
    `sh ${shellQuote(input.launcherPath)}`,
    'status=$?',
    `printf '%s\\n' "$status" > ${shellQuote(`${input.exitCodePath}.tmp`)} && mv -f ${shellQuote(`${input.exitCodePath}.tmp`)} ${shellQuote(input.exitCodePath)}`,
    'exit "$status"',
    '',
  );
  return lines.join('\n');
}

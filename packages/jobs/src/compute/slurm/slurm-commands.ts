import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { CairnError, ErrorCode } from '@cairn/core';

export type SlurmCommand = 'sbatch' | 'squeue' | 'scontrol' | 'scancel' | 'sinfo';

export type SlurmCommandResult =
  | { type: 'success'; stdout: string; stderr: string }
  /** `missing`: not on PATH; `timeout`: killed after the limit; `exit`: it ran and said no (see stderr). */
  | { type: 'error'; kind: 'missing' | 'timeout' | 'exit'; stderr: string; message: string };

export interface SlurmCommandOptions {
  /** Folder holding Slurm's client commands; found on PATH when undefined. */
  binDir?: string;
  timeoutMs: number;
  cwd?: string;
}

/**
 * Runs one Slurm client command with `execFile` (arguments are never seen by a shell) and a time limit.
 * Expected failures come back as data with a message in words; nothing here throws.
 */
export function runSlurmCommand(
  command: SlurmCommand,
  args: readonly string[],
  options: SlurmCommandOptions,
): Promise<SlurmCommandResult> {
  const file = options.binDir ? join(options.binDir, command) : command;
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, cwd: options.cwd },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ type: 'success', stdout, stderr });
          return;
        }
        const err = error as NodeJS.ErrnoException & { killed?: boolean };
        if (err.code === 'ENOENT') {
          resolve({
            type: 'error',
            kind: 'missing',
            stderr: '',
            message: `${command} was not found (${file}): install Slurm's client commands on the Cairn server or point the Slurm compute at their folder`,
          });
        } else if (err.killed) {
          resolve({
            type: 'error',
            kind: 'timeout',
            stderr,
            message: `${command} did not answer within ${Math.round(options.timeoutMs / 1000)} s: is slurmctld reachable?`,
          });
        } else {
          const said = stderr.trim() || stdout.trim() || err.message;
          resolve({ type: 'error', kind: 'exit', stderr, message: `${command} failed: ${said}` });
        }
      },
    );
  });
}

/** Slurm's answer for a job id it has never known or has already forgotten (after MinJobAge). */
export function isUnknownJobError(result: SlurmCommandResult): boolean {
  return result.type === 'error' && result.kind === 'exit' && /invalid job id/i.test(result.stderr);
}

/** A failed command as a thrown error: the engine is unavailable, and the message says why. */
export function unavailable(result: Extract<SlurmCommandResult, { type: 'error' }>): CairnError {
  return new CairnError(ErrorCode.UNAVAILABLE, result.message, { command: result.kind });
}

import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError, ErrorCode, invalidArgument } from '@cairn/core';
import {
  LAUNCHER_SCRIPT_NAME,
  LAUNCHER_SCRIPT_PATH,
  MATERIALIZER_SCRIPT_NAME,
  materializerScriptPath,
} from '../../launcher/index.js';
import type { SlurmComputeSpec } from '../../spec/compute.js';
import type { ComputeAdapter, ComputeHandle, JobLaunch, LogSink, ObservedState } from '../compute-adapter.js';
import { renderBatchScript } from './batch-script.js';
import { LogTail, readLogOffsets } from './log-tail.js';
import {
  isUnknownJobError,
  runSlurmCommand,
  type SlurmCommand,
  type SlurmCommandResult,
  unavailable,
} from './slurm-commands.js';
import { isTerminal, mapSlurmState, parseScontrolRecord } from './slurm-state.js';

/** The target's settings as written in compute YAML (`sbatch_args` go on the sbatch command line). */
export type SlurmTarget = Pick<
  SlurmComputeSpec,
  'partition' | 'account' | 'gpus_per_job' | 'time_limit' | 'sbatch_args' | 'submit_host'
>;

export interface SlurmComputeOptions {
  target: SlurmTarget;
  /**
   * A folder on storage that the server and every Slurm node see at the same path; each job gets
   * `<jobsRoot>/<jobId>/` (batch script, command, launcher, stdout.log, stderr.log, exit_code, work/).
   */
  jobsRoot: string;
  /** Folder of cached Python environments on shared storage, handed to the launcher as CAIRN_ENV_CACHE. */
  envCacheDir?: string;
  /** Folder with sbatch, squeue, scontrol, scancel and sinfo. Default: found on PATH. */
  slurmBinDir?: string;
  /** Time limit of each Slurm command. Default 30 000 ms. */
  commandTimeoutMs?: number;
  /** How often the job's output files are read while it runs. Default 500 ms. */
  logIntervalMs?: number;
}

/** What the adapter keeps in `ComputeHandle.data` (plain JSON, persisted with the job). */
interface SlurmHandleData {
  jobDir: string;
}

const FILES = {
  batch: 'batch.sh',
  command: 'command.sh',
  requirements: 'requirements.txt',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  exitCode: 'exit_code',
  offsets: 'log-offsets.json',
  work: 'work',
} as const;

/** Runs jobs on a Slurm cluster with sbatch/squeue/scontrol/scancel, through the job-side launcher. */
export class SlurmComputeAdapter implements ComputeAdapter {
  readonly kind = 'slurm' as const;
  readonly #options: SlurmComputeOptions;
  readonly #timeoutMs: number;
  readonly #logIntervalMs: number;
  readonly #tails = new Map<string, LogTail>();

  constructor(options: SlurmComputeOptions) {
    this.#options = options;
    this.#timeoutMs = options.commandTimeoutMs ?? 30_000;
    this.#logIntervalMs = options.logIntervalMs ?? 500;
  }

  async verify(): Promise<void> {
    this.#refuseSubmitHost();
    const result = await this.#run('sinfo', ['-h', '-o', '%R']);
    if (result.type === 'error') throw unavailable(result);
    const partitions = [...new Set(result.stdout.split('\n').map((line) => line.trim()))].filter(Boolean);
    const wanted = this.#options.target.partition;
    if (wanted !== undefined && !partitions.includes(wanted)) {
      throw invalidArgument(
        `Slurm partition '${wanted}' does not exist (sinfo lists: ${partitions.join(', ') || 'none'}); fix the compute's partition`,
        { field: 'partition' },
      );
    }
    try {
      await mkdir(this.#options.jobsRoot, { recursive: true });
    } catch (err) {
      throw invalidArgument(
        `the Slurm jobs folder '${this.#options.jobsRoot}' cannot be created: ${(err as Error).message}`,
        { field: 'jobsRoot' },
      );
    }
  }

  async submit(launch: JobLaunch, logs: LogSink): Promise<ComputeHandle> {
    this.#refuseSubmitHost();
    const { target } = this.#options;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(launch.jobId)) {
      throw invalidArgument(
        `job id '${launch.jobId}' cannot name a folder: use letters, digits, '.', '_' and '-'`,
      );
    }
    const jobDir = join(this.#options.jobsRoot, launch.jobId);
    await mkdir(jobDir, { recursive: true, mode: 0o700 });

    const launcherPath = join(jobDir, LAUNCHER_SCRIPT_NAME);
    await copyFile(LAUNCHER_SCRIPT_PATH, launcherPath);
    const materializer = materializerScriptPath();
    if (materializer) await copyFile(materializer, join(jobDir, MATERIALIZER_SCRIPT_NAME));
    const commandPath = join(jobDir, FILES.command);
    await writeFile(commandPath, `${launch.command}\n`, { mode: 0o600 });

    const env: Record<string, string> = {
      ...launch.env,
      CAIRN_JOB_DIR: jobDir,
      CAIRN_COMMAND_FILE: commandPath,
      // A work dir the server prepared on shared storage already holds the code; otherwise download it.
      CAIRN_WORK_DIR: launch.workDir ?? join(jobDir, FILES.work),
    };
    if (launch.workDir === null && launch.snapshotUrl !== null) env.CAIRN_SNAPSHOT_URL = launch.snapshotUrl;
    if (launch.environment) {
      const requirementsPath = join(jobDir, FILES.requirements);
      await writeFile(requirementsPath, launch.environment.pip.map((line) => `${line}\n`).join(''));
      env.CAIRN_ENV_HASH = launch.environment.hash;
      env.CAIRN_ENV_REQUIREMENTS = requirementsPath;
      if (launch.environment.pythonVersion) env.CAIRN_ENV_PYTHON = launch.environment.pythonVersion;
      if (this.#options.envCacheDir) env.CAIRN_ENV_CACHE = this.#options.envCacheDir;
    }

    const script = renderBatchScript({
      jobId: launch.jobId,
      jobDir,
      stdoutPath: join(jobDir, FILES.stdout),
      stderrPath: join(jobDir, FILES.stderr),
      exitCodePath: join(jobDir, FILES.exitCode),
      launcherPath,
      partition: target.partition,
      account: target.account,
      gpus: launch.resources.gpus ?? target.gpus_per_job,
      timeLimitSeconds: launch.timeoutSeconds ?? target.time_limit,
      cpusPerTask: launch.resources.cpus,
      memoryGb: launch.resources.memoryGb,
      nodes: launch.resources.instanceCount,
      env,
    });
    // The script holds the job's token: readable by its owner only.
    const batchPath = join(jobDir, FILES.batch);
    await writeFile(batchPath, script, { mode: 0o700 });

    const result = await this.#run(
      'sbatch',
      ['--parsable', ...(target.sbatch_args ?? []), batchPath],
      jobDir,
    );
    if (result.type === 'error') {
      if (result.kind === 'exit') throw invalidArgument(result.message);
      throw unavailable(result);
    }
    // `--parsable` prints `ID` or `ID;cluster`.
    const id = result.stdout.trim().split(';')[0] ?? '';
    if (!/^\d+(_\d+)?$/.test(id)) {
      throw new CairnError(ErrorCode.UNAVAILABLE, `sbatch answered '${result.stdout.trim()}', not a job id`);
    }
    const handle: ComputeHandle = { kind: 'slurm', id, data: { jobDir } satisfies SlurmHandleData };
    this.#follow(handle, logs, { stdout: 0, stderr: 0 });
    return handle;
  }

  async poll(handle: ComputeHandle): Promise<ObservedState> {
    const state = await this.#observe(handle);
    if (isTerminal(state)) {
      // Everything the job wrote reaches the sink before the scheduler hears that it ended.
      const tail = this.#tails.get(handle.id);
      this.#tails.delete(handle.id);
      await tail?.finish();
    }
    return state;
  }

  async cancel(handle: ComputeHandle): Promise<void> {
    const result = await this.#run('scancel', [handle.id]);
    if (result.type === 'success' || isUnknownJobError(result)) return;
    // Cancelling a job that has just ended is not an error.
    if (result.kind === 'exit' && /already completing or completed/i.test(result.stderr)) return;
    throw unavailable(result);
  }

  /**
   * Resumes tailing from the offsets the previous adapter saved in the job folder (`log-offsets.json`),
   * so output written while the server was down arrives once, and reports the job's state.
   */
  async reattach(handle: ComputeHandle, logs: LogSink): Promise<ObservedState> {
    const { jobDir } = handleData(handle);
    const offsets = await readLogOffsets(join(jobDir, FILES.offsets));
    await this.#tails.get(handle.id)?.stop();
    this.#follow(handle, logs, offsets);
    return this.poll(handle);
  }

  async close(): Promise<void> {
    const tails = [...this.#tails.values()];
    this.#tails.clear();
    await Promise.all(tails.map((tail) => tail.stop()));
  }

  async #observe(handle: ComputeHandle): Promise<ObservedState> {
    const queued = await this.#run('squeue', ['-h', '-j', handle.id, '-o', '%T']);
    if (queued.type === 'success') {
      const line = queued.stdout.trim();
      if (line) {
        const state = mapSlurmState({ state: line });
        if (!isTerminal(state)) return state;
      }
    } else if (!isUnknownJobError(queued)) {
      throw unavailable(queued);
    }

    // Left the queue: scontrol still knows it for MinJobAge (300 s by default) and has the exit code.
    const shown = await this.#run('scontrol', ['show', 'job', '-o', handle.id]);
    if (shown.type === 'success') {
      const record = parseScontrolRecord(shown.stdout);
      const jobState = record.get('JobState');
      if (jobState) {
        return mapSlurmState({
          state: jobState,
          exitCode: record.get('ExitCode'),
          reason: record.get('Reason'),
          timeLimit: record.get('TimeLimit'),
        });
      }
    } else if (!isUnknownJobError(shown)) {
      throw unavailable(shown);
    }
    return this.#fromExitCodeFile(handle);
  }

  /** Slurm has forgotten the job: the batch script's last act was writing the launcher's exit status. */
  async #fromExitCodeFile(handle: ComputeHandle): Promise<ObservedState> {
    const { jobDir } = handleData(handle);
    const path = join(jobDir, FILES.exitCode);
    let text: string;
    try {
      text = (await readFile(path, 'utf8')).trim();
    } catch {
      return {
        state: 'lost',
        reason: `Slurm no longer knows job ${handle.id} and it left no exit code in ${path} (killed, or its node failed)`,
      };
    }
    const code = Number(text);
    if (!/^\d+$/.test(text)) return { state: 'lost', reason: `${path} holds '${text}', not an exit code` };
    if (code === 0) return { state: 'completed' };
    return { state: 'failed', exitCode: code, reason: `exited with code ${code}` };
  }

  #follow(handle: ComputeHandle, sink: LogSink, offsets: { stdout: number; stderr: number }): void {
    const { jobDir } = handleData(handle);
    const tail = new LogTail(
      {
        stdoutPath: join(jobDir, FILES.stdout),
        stderrPath: join(jobDir, FILES.stderr),
        offsetsPath: join(jobDir, FILES.offsets),
        sink,
        intervalMs: this.#logIntervalMs,
      },
      offsets,
    );
    this.#tails.set(handle.id, tail);
    tail.start();
  }

  #run(command: SlurmCommand, args: string[], cwd?: string): Promise<SlurmCommandResult> {
    return runSlurmCommand(command, args, {
      binDir: this.#options.slurmBinDir,
      timeoutMs: this.#timeoutMs,
      cwd,
    });
  }

  #refuseSubmitHost(): void {
    if (this.#options.target.submit_host !== undefined) {
      throw new CairnError(
        ErrorCode.NOT_IMPLEMENTED,
        `submit_host '${this.#options.target.submit_host}' is not supported yet: run the Cairn server on a Slurm login node and leave submit_host out`,
        { field: 'submit_host' },
      );
    }
  }
}

function handleData(handle: ComputeHandle): SlurmHandleData {
  const jobDir = handle.data?.jobDir;
  if (handle.kind !== 'slurm' || typeof jobDir !== 'string') {
    throw invalidArgument(`compute handle ${JSON.stringify(handle)} is not a Slurm handle (no data.jobDir)`);
  }
  return { jobDir };
}

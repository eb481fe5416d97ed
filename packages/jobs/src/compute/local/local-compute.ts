import { type ChildProcess, spawn } from 'node:child_process';
import { freemem, cpus as osCpus, tmpdir } from 'node:os';
import type { ComputeAdapter, ComputeHandle, JobLaunch, LogSink, ObservedState } from '../compute-adapter.js';
import { detectGpus } from './gpu-detect.js';
import { type JobIdentity, killLeftoverProcesses } from './leftover-processes.js';
import { SlotPool, type SlotRequest } from './slot-pool.js';

export interface LocalComputeOptions {
  /** CPU slots; default the machine's CPU count. */
  cpus?: number;
  /** Memory slots in GB; default the memory free at start. */
  memoryGb?: number;
  /** A number of GPUs or their device indices; default what `nvidia-smi -L` lists (none without it). */
  gpus?: number | readonly number[];
  /** The environment every job inherits (PATH, HOME, …) before its own variables. */
  baseEnv?: Record<string, string | undefined>;
  /** Called whenever a job's state changes (started, ended), so the scheduler need not poll. */
  onChange?: (jobId: string) => void;
  /** Between SIGTERM and SIGKILL of a canceled job's process group. Default 5 s. */
  killGraceMs?: number;
}

interface Entry {
  launch: JobLaunch;
  logs: LogSink;
  request: SlotRequest;
  state: ObservedState;
  gpus: number[];
  child: ChildProcess | null;
  canceled: boolean;
  timedOut: boolean;
  timers: NodeJS.Timeout[];
}

export const LOST_WITH_SERVER = 'the server restarted while the job was running';

/**
 * The `local` compute: a process pool on the server's machine. Each job is `/bin/sh -c <command>` in its
 * own process group, so cancel and timeout stop everything it started. Jobs wait in FIFO order while
 * the pool's CPU, memory or GPU slots are taken.
 */
export class LocalCompute implements ComputeAdapter {
  readonly kind = 'local' as const;
  readonly #pool: SlotPool;
  readonly #options: LocalComputeOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #waiting: Entry[] = [];

  constructor(options: LocalComputeOptions = {}) {
    this.#options = options;
    const gpus =
      options.gpus === undefined
        ? detectGpus()
        : typeof options.gpus === 'number'
          ? Array.from({ length: options.gpus }, (_, i) => i)
          : [...options.gpus];
    this.#pool = new SlotPool({
      cpus: options.cpus ?? osCpus().length,
      memoryGb: options.memoryGb ?? freemem() / 1024 ** 3,
      gpus,
    });
  }

  get capacity() {
    return this.#pool.capacity;
  }

  async verify(): Promise<void> {}

  async submit(launch: JobLaunch, logs: LogSink): Promise<ComputeHandle> {
    const request: SlotRequest = {
      cpus: launch.resources.cpus ?? 1,
      memoryGb: launch.resources.memoryGb ?? 0,
      gpus: launch.resources.gpus ?? 0,
    };
    const entry: Entry = {
      launch,
      logs,
      request,
      state: { state: 'queued' },
      gpus: [],
      child: null,
      canceled: false,
      timedOut: false,
      timers: [],
    };
    this.#entries.set(launch.jobId, entry);
    const never = this.#pool.neverFits(request);
    if (never !== null) {
      entry.state = { state: 'failed', exitCode: null, reason: never };
      queueMicrotask(() => this.#options.onChange?.(launch.jobId));
    } else {
      this.#waiting.push(entry);
      this.#pump();
    }
    // The run id marks the job's processes (MLFLOW_RUN_ID) for `reattach` to find them after a crash.
    const runId = launch.env.MLFLOW_RUN_ID || null;
    return { kind: 'local', id: launch.jobId, data: { workspaceId: launch.workspaceId, runId } };
  }

  async poll(handle: ComputeHandle): Promise<ObservedState> {
    return this.#entries.get(handle.id)?.state ?? { state: 'lost', reason: LOST_WITH_SERVER };
  }

  async cancel(handle: ComputeHandle): Promise<void> {
    const entry = this.#entries.get(handle.id);
    if (!entry || isEnded(entry.state)) return;
    entry.canceled = true;
    const queued = this.#waiting.indexOf(entry);
    if (queued >= 0) {
      this.#waiting.splice(queued, 1);
      entry.state = { state: 'canceled', reason: 'canceled before it started' };
      this.#options.onChange?.(handle.id);
      return;
    }
    this.#stopGroup(entry);
  }

  /**
   * A local job cannot be followed past the server that started it: after a crash its processes may
   * still run (their own process group), so they are killed, and the job is reported lost.
   */
  async reattach(handle: ComputeHandle): Promise<ObservedState> {
    const state = await this.poll(handle);
    if (state.state !== 'lost') return state;
    const killed = await this.stopLeftovers(identityOf(handle));
    return killed > 0
      ? { state: 'lost', reason: `${LOST_WITH_SERVER} (its leftover processes were killed)` }
      : state;
  }

  /**
   * Kills what a job started by an earlier server left running (see `killLeftoverProcesses`); for a job
   * that server was starting when it died, before it saved a handle. Returns the process groups killed.
   */
  stopLeftovers(identity: JobIdentity): Promise<number> {
    if (this.#entries.has(identity.jobId)) return Promise.resolve(0);
    return killLeftoverProcesses(identity);
  }

  /** A running job's process-group leader and the GPU indices it holds; null once it ended (or before it starts). */
  processOf(handle: ComputeHandle): { pid: number; gpus: number[] } | null {
    const entry = this.#entries.get(handle.id);
    const pid = entry?.child?.pid;
    if (!entry || pid === undefined || entry.state.state !== 'running') return null;
    return { pid, gpus: [...entry.gpus] };
  }

  /** Forgets a finished job (the scheduler calls this once it has recorded the end). */
  release(handle: ComputeHandle): void {
    const entry = this.#entries.get(handle.id);
    if (entry && isEnded(entry.state)) this.#entries.delete(handle.id);
  }

  async close(): Promise<void> {
    this.#waiting.length = 0;
    for (const entry of this.#entries.values()) {
      for (const t of entry.timers) clearTimeout(t);
      if (entry.child?.pid !== undefined && entry.child.exitCode === null)
        killGroup(entry.child.pid, 'SIGKILL');
    }
    this.#entries.clear();
  }

  #pump(): void {
    while (this.#waiting.length > 0) {
      const head = this.#waiting[0]!;
      const gpus = this.#pool.take(head.request);
      if (gpus === null) return;
      this.#waiting.shift();
      head.gpus = gpus;
      this.#start(head);
    }
  }

  #start(entry: Entry): void {
    const { launch } = entry;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#options.baseEnv ?? {})) if (v !== undefined) env[k] = v;
    Object.assign(env, launch.env);
    env.CUDA_VISIBLE_DEVICES = entry.gpus.join(',');
    const child = spawn('/bin/sh', ['-c', launch.command], {
      cwd: launch.workDir ?? tmpdir(),
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    entry.child = child;
    entry.state = { state: 'running' };
    child.stdout?.on('data', (chunk: Buffer) => entry.logs.write('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => entry.logs.write('stderr', chunk));
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    child.once('error', (err) => {
      // Spawning /bin/sh itself failed (the work dir is missing, …).
      if (exit === null) exit = { code: null, signal: null };
      this.#end(entry, {
        state: 'failed',
        exitCode: null,
        reason: `could not start the job: ${err.message}`,
      });
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // Background processes that keep stdout open must not hold the job open forever.
      entry.timers.push(
        setTimeout(() => {
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        }, 2_000),
      );
    });
    child.once('close', () => {
      const { code, signal } = exit ?? { code: null, signal: null };
      this.#end(entry, this.#outcome(entry, code, signal));
    });
    if (launch.timeoutSeconds !== null) {
      entry.timers.push(
        setTimeout(() => {
          entry.timedOut = true;
          this.#stopGroup(entry);
        }, launch.timeoutSeconds * 1000),
      );
    }
    this.#options.onChange?.(launch.jobId);
  }

  #outcome(entry: Entry, code: number | null, signal: NodeJS.Signals | null): ObservedState {
    if (entry.timedOut) {
      return { state: 'failed', exitCode: code, reason: `timed out after ${entry.launch.timeoutSeconds}s` };
    }
    if (entry.canceled) return { state: 'canceled', reason: 'canceled while running' };
    if (code === 0) return { state: 'completed' };
    if (code === 127)
      return { state: 'failed', exitCode: code, reason: 'exited with code 127 (command not found)' };
    if (code !== null) return { state: 'failed', exitCode: code, reason: `exited with code ${code}` };
    return { state: 'failed', exitCode: null, reason: `killed by ${signal ?? 'a signal'}` };
  }

  #end(entry: Entry, state: ObservedState): void {
    if (isEnded(entry.state)) return;
    for (const t of entry.timers) clearTimeout(t);
    entry.timers = [];
    entry.state = state;
    this.#pool.release(entry.request, entry.gpus);
    entry.gpus = [];
    this.#options.onChange?.(entry.launch.jobId);
    this.#pump();
  }

  #stopGroup(entry: Entry): void {
    const pid = entry.child?.pid;
    if (pid === undefined) return;
    killGroup(pid, 'SIGTERM');
    entry.timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), this.#options.killGraceMs ?? 5_000));
  }
}

function identityOf(handle: ComputeHandle): JobIdentity {
  const data = handle.data ?? {};
  return {
    jobId: handle.id,
    workspaceId: typeof data.workspaceId === 'string' ? data.workspaceId : '',
    runId: typeof data.runId === 'string' ? data.runId : null,
  };
}

const isEnded = (s: ObservedState) =>
  s.state !== 'queued' && s.state !== 'preparing' && s.state !== 'running';

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

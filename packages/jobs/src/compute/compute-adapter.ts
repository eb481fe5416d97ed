/**
 * The boundary between the scheduler and the engines that run jobs. Each compute kind (local process
 * pool, Slurm, Ray, later Kubernetes) implements `ComputeAdapter`; the scheduler knows nothing else
 * about them. Handles are plain JSON so they survive a server restart in the `jobs` table.
 */

export type ComputeKind = 'local' | 'slurm' | 'ray' | 'kubernetes';

/** Everything an engine needs to run one job (or one sweep trial). */
export interface JobLaunch {
  jobId: string;
  workspaceId: string;
  /** The fully resolved shell command (placeholders substituted), run by `/bin/sh -c`. */
  command: string;
  /** MLFLOW_*, CAIRN_* and the job's own environment_variables. */
  env: Record<string, string>;
  /** Content-addressed code snapshot, or null when the job has no `code`. */
  snapshotId: string | null;
  /** Where a node without the server's disk downloads the snapshot as a tar (auth: CAIRN_TOKEN in env). */
  snapshotUrl: string | null;
  /** The Python environment to materialise on the node, or null to run with the node's own PATH. */
  environment: EnvironmentLaunch | null;
  resources: { instanceCount: number; cpus?: number; memoryGb?: number; gpus?: number };
  /** limits.timeout in seconds; the adapter enforces it where the engine can (sbatch --time, …). */
  timeoutSeconds: number | null;
  /** Local compute only: a folder the server prepared (snapshot materialised) to run in. */
  workDir: string | null;
}

export interface EnvironmentLaunch {
  /** sha256 of the normalised spec: the cache key of the materialised virtualenv. */
  hash: string;
  pythonVersion: string | null;
  /** pip requirement lines (from a conda file's pip section, a requirements list, or Cairn's `pip`). */
  pip: string[];
  image: string | null;
}

/** What an adapter returns from submit, persisted with the job and passed back on every later call. */
export interface ComputeHandle {
  kind: ComputeKind;
  /** The engine's id for the job: a pid, a Slurm job id, a Ray submission id. */
  id: string;
  data?: Record<string, unknown>;
}

export type ObservedState =
  | { state: 'queued' | 'preparing' | 'running' }
  | { state: 'completed' }
  | { state: 'failed'; exitCode: number | null; reason: string }
  | { state: 'canceled'; reason: string }
  /** The engine has no record of the job (e.g. a local process that died with the server). */
  | { state: 'lost'; reason: string };

/** Receives a job's output as it is produced; the scheduler stores it and fans it out to live streams. */
export interface LogSink {
  write(stream: 'stdout' | 'stderr', chunk: Uint8Array): void;
}

/**
 * How much of a job's output the server had stored when it restarted: UTF-8 bytes per stream, counted
 * from what is in the store (not from what an adapter last handed over, which a crash may have lost).
 */
export interface StoredLogSize {
  stdout: number;
  stderr: number;
}

export interface ComputeAdapter {
  readonly kind: ComputeKind;
  /** Checks that the engine is reachable and the target's settings are valid; throws a clear error if not. */
  verify(): Promise<void>;
  /** Starts the job; resolves once the engine has accepted it (not when it finishes). */
  submit(launch: JobLaunch, logs: LogSink): Promise<ComputeHandle>;
  /** The engine's current view of the job. */
  poll(handle: ComputeHandle): Promise<ObservedState>;
  /** Stops the job and everything it started (process tree, Slurm job, Ray job). Idempotent. */
  cancel(handle: ComputeHandle): Promise<void>;
  /**
   * After a server restart: resumes log collection for a job submitted earlier and reports its state.
   * An engine that serves the whole log again (Ray) resumes after `stored`, so every line is stored
   * exactly once. Local jobs cannot outlive the server and report `lost`.
   */
  reattach(handle: ComputeHandle, logs: LogSink, stored: StoredLogSize): Promise<ObservedState>;
  /** Frees resources held by the adapter (timers, child processes). */
  close(): Promise<void>;
}

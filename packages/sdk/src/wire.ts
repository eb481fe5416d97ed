/**
 * The shapes the Cairn native API (/api/v1) sends and accepts, as plain types. The SDK depends on
 * nothing else; the server's schemas are checked against these in the integration tests.
 */

/** A metric value on the wire: non-finite values travel as their names. */
export type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
export type Role = 'owner' | 'contributor' | 'reader';
export type RunSection = 'params' | 'metrics' | 'tags';

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'ENDPOINT_NOT_FOUND'
  | 'NOT_IMPLEMENTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface WireError {
  error: {
    code: ErrorCode;
    message: string;
    details?: { field?: string; position?: number; [k: string]: unknown };
  };
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  /** Milliseconds since the epoch. */
  creationTime: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
}

export interface LatestMetricOf<N> {
  value: N;
  step: number;
  timestamp: number;
}

export interface RunOf<N> {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
  parentRunId: string | null;
  /** Present on GET, and on search when `include` names it. */
  params?: Record<string, string>;
  metrics?: Record<string, LatestMetricOf<N>>;
  tags?: Record<string, string>;
}

export interface MetricPointOf<N> {
  value: N;
  step: number;
  timestamp: number;
}

export interface MetricBucketOf<N> {
  stepStart: number;
  stepEnd: number;
  count: number;
  min: N;
  max: N;
  last: N;
  /** Steps where min and max occurred: plot a spike at its true x. */
  minStep: number;
  maxStep: number;
}

export type WireRun = RunOf<WireNumber>;
export type WireMetricPoint = MetricPointOf<WireNumber>;
export type WireMetricBucket = MetricBucketOf<WireNumber>;

export interface ArtifactEntry {
  /** Relative to the run's artifact root. */
  path: string;
  isDir: boolean;
  fileSize: number | null;
}

export interface ArtifactFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Workspace {
  id: string;
  name: string;
  description: string;
  createdAt: number;
  createdBy: string;
  role: Role | null;
}

export interface User {
  id: string;
  name: string;
  displayName: string;
  isAdmin: boolean;
  createdAt: number | null;
}

export interface ApiToken {
  id: string;
  userId: string;
  userName: string;
  name: string;
  workspaceScope: string | null;
  roleScope: Role | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface AuditEvent {
  id: number;
  workspaceId: string | null;
  actor: string;
  at: number;
  action: string;
  targetKind: string;
  targetId: string;
  message: string | null;
  details?: Record<string, unknown> | null;
}

export interface Me {
  user: User;
  local: boolean;
  token: { id: string; workspaceScope: string | null; roleScope: Role | null } | null;
  workspaces: Workspace[];
}

// ── responses ──

export interface ExperimentPage {
  experiments: Experiment[];
  nextPageToken: string | null;
}
export interface WireRunPage {
  runs: WireRun[];
  nextPageToken: string | null;
}
export interface WireHistoryPage {
  key: string;
  metrics: WireMetricPoint[];
  nextPageToken: string | null;
}
export interface WireChartSeries {
  key: string;
  totalCount: number;
  level: number;
  buckets: WireMetricBucket[];
}
export interface ArtifactListing {
  path: string;
  files: ArtifactEntry[];
}
export interface AuditPage {
  events: AuditEvent[];
  nextPageToken: string | null;
}

// ── requests ──

export interface SearchExperimentsRequest {
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

export interface CreateExperimentRequest {
  name: string;
  artifactLocation?: string;
  tags?: Record<string, string>;
  message?: string;
}

export interface UpdateExperimentRequest {
  name?: string;
  /** A string sets the tag, null deletes it. */
  tags?: Record<string, string | null>;
  message?: string;
}

export interface CreateRunRequest {
  experimentId: string;
  runName?: string;
  startTime?: number;
  status?: RunStatus;
  tags?: Record<string, string>;
  message?: string;
}

export interface UpdateRunRequest {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
  tags?: Record<string, string | null>;
  message?: string;
}

export interface SearchRunsRequest {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
  include?: RunSection[];
}

export interface LogBatchRequestOf<N> {
  metrics?: { key: string; value: N; timestamp?: number; step?: number }[];
  params?: Record<string, string | number | boolean>;
  tags?: Record<string, string>;
  message?: string;
}

export interface CreateWorkspaceRequest {
  name: string;
  description?: string;
  message?: string;
}

export interface CreateTokenRequest {
  name: string;
  user?: string;
  workspace?: string;
  role?: Role;
  expiresAt?: number;
  message?: string;
}

// ── jobs, compute targets, environments ──────────────────────────────────────────────────────────

export type JobStatus =
  | 'queued'
  | 'preparing'
  | 'running'
  | 'finalizing'
  | 'completed'
  | 'failed'
  | 'canceled';
export type JobType = 'command' | 'sweep';

export interface Job {
  name: string;
  type: JobType;
  parentJobName: string | null;
  status: JobStatus;
  compute: string;
  /** The shell command after placeholder substitution. */
  command: string;
  /** The validated spec (Azure ML v2 field names). */
  spec: Record<string, unknown>;
  runId: string | null;
  experimentId: string | null;
  snapshotId: string | null;
  environmentHash: string | null;
  exitCode: number | null;
  /** Why it failed, then the last lines of stderr. */
  errorSummary: string | null;
  timeoutSeconds: number | null;
  createdBy: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/** One status transition of a job. */
export interface JobStatusEvent {
  status: JobStatus;
  at: number;
  message: string | null;
}

/** A piece of a job's output; `seq` orders all chunks of a job (stdout and stderr together). */
export interface JobLogChunk {
  seq: number;
  stream: 'stdout' | 'stderr';
  data: string;
  at: number;
}

export interface JobPage {
  jobs: Job[];
  nextPageToken: string | null;
}

/** How many jobs of one type are in one status on one compute target (`jobs.counts`). */
export interface JobCount {
  compute: string;
  /** A sweep is counted as itself; its trials are `command` jobs of their own. */
  type: 'command' | 'sweep';
  status: JobStatus;
  count: number;
}

export interface CreateJobRequest {
  /** The job YAML as text; or `spec` as JSON, exactly one. */
  yaml?: string;
  spec?: Record<string, unknown>;
  /** File name shown in validation errors (`job.yml:3:5: ...`). */
  file?: string;
  /** `--set` overrides, e.g. `inputs.C=0.5`. */
  set?: string[];
  /** Folder on the server's disk that `code` and local inputs are relative to (loopback servers only). */
  codeRoot?: string;
  /** The `code` folder as uploaded through `client.blobs` (the sha256 of its snapshot manifest). */
  snapshotId?: string;
  /** Submit this job again (fresh name) with its spec and code snapshot; `set` changes the new one. */
  rerunOf?: string;
  /** Why, for the audit log. */
  message?: string;
}

export interface ListJobsRequest {
  status?: JobStatus;
  /** Only the trials of this sweep. */
  parent?: string;
  maxResults?: number;
  pageToken?: string;
}

/** One trial of a sweep, as `jobs.get` of the sweep describes it. */
export interface SweepTrial {
  name: string;
  index: number;
  status: JobStatus;
  /** The sampled hyperparameters. */
  params: Record<string, unknown>;
  runId: string | null;
  /** The primary metric's best value under the goal. */
  bestValue: number | null;
  /** How many primary-metric values the trial logged. */
  metricCount: number;
  /** The early-termination policy that stopped the trial, and why. */
  earlyTerminated: string | null;
  earlyTerminatedReason: string | null;
  startedAt: number | null;
  endedAt: number | null;
}

export interface SweepDetails {
  primaryMetric: string;
  goal: 'maximize' | 'minimize';
  seed: number;
  trials: SweepTrial[];
  bestTrial: { name: string; value: number; runId: string | null } | null;
}

export interface ComputeTarget {
  name: string;
  kind: string;
  spec: Record<string, unknown>;
  builtIn: boolean;
  createdBy: string | null;
  createdAt: number | null;
}

export interface Environment {
  name: string;
  version: string;
  spec: Record<string, unknown>;
  hash: string;
  createdBy: string;
  createdAt: number;
}

/** A compute or environment spec: YAML text or JSON, exactly one. */
export interface SpecRequest {
  yaml?: string;
  spec?: Record<string, unknown>;
  message?: string;
}

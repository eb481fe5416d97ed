import type { Generated } from 'kysely';

/**
 * Row types of the metadata store. Times are milliseconds since the epoch (bigint columns, read back
 * as numbers). Booleans are 0/1 integers so the same rows work on SQLite and PostgreSQL.
 */
export interface Database {
  workspaces: WorkspaceRow;
  users: UserRow;
  memberships: MembershipRow;
  api_tokens: ApiTokenRow;
  audit_events: AuditEventRow;
  experiments: ExperimentRow;
  experiment_tags: ExperimentTagRow;
  runs: RunRow;
  params: ParamRow;
  run_tags: RunTagRow;
  metric_chunks: MetricChunkRow;
  latest_metrics: LatestMetricRow;
  metric_rollups: MetricRollupRow;
  run_inputs: RunInputRow;
  artifact_files: ArtifactFileRow;
  multipart_uploads: MultipartUploadRow;
  multipart_upload_parts: MultipartUploadPartRow;
  logged_models: LoggedModelRow;
  logged_model_params: LoggedModelParamRow;
  logged_model_tags: LoggedModelTagRow;
  compute_targets: ComputeTargetRow;
  environments: EnvironmentRow;
  jobs: JobRow;
  job_events: JobEventRow;
  job_log_chunks: JobLogChunkRow;
  workspace_blobs: WorkspaceBlobRow;
  datastores: DatastoreRow;
  data_assets: DataAssetRow;
  data_versions: DataVersionRow;
  data_lineage: DataLineageRow;
  data_events: DataEventRow;
  dashboards: DashboardRow;
}

export interface WorkspaceRow {
  id: string;
  name: string;
  description: string;
  created_at: number;
  created_by: string;
}

export interface UserRow {
  id: string;
  name: string;
  display_name: string;
  /** scrypt hash "scrypt$N$salt$hash"; null for users who log in with tokens only. */
  password_hash: string | null;
  is_admin: number;
  /** 1 for users the server creates for itself (`cairn-jobs`): they never end local mode. */
  is_service: Generated<number>;
  created_at: number;
}

export interface MembershipRow {
  workspace_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  /** sha256 of the secret; the secret itself is shown once and never stored. */
  token_hash: string;
  workspace_scope: string | null;
  role_scope: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface AuditEventRow {
  id: Generated<number>;
  workspace_id: string | null;
  actor: string;
  at: number;
  action: string;
  target_kind: string;
  target_id: string;
  message: string | null;
  details: string | null;
}

export interface ExperimentRow {
  id: Generated<number>;
  workspace_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentTagRow {
  experiment_id: number;
  key: string;
  value: string;
}

export interface RunRow {
  id: string;
  experiment_id: number;
  workspace_id: string;
  name: string;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
  parent_run_id: string | null;
  deleted_time: number | null;
}

export interface ParamRow {
  run_id: string;
  key: string;
  value: string;
}

export interface RunTagRow {
  run_id: string;
  key: string;
  value: string;
}

/**
 * A chunk of a metric's history: the points one request logged for one key, packed as little-endian
 * float64 triples (step, timestamp, value) sorted by step. NaN is stored as itself.
 */
export interface MetricChunkRow {
  id: Generated<number>;
  run_id: string;
  key: string;
  min_step: number;
  max_step: number;
  count: number;
  data: Buffer;
}

export interface LatestMetricRow {
  run_id: string;
  key: string;
  step: number;
  timestamp: number;
  value: number | null;
  is_nan: number;
}

export interface RunInputRow {
  id: Generated<number>;
  run_id: string;
  kind: string;
  /** JSON of the dataset input or model input, as logged. */
  payload: string;
}

/**
 * Every artifact file, whichever owner it belongs to, keyed by its path under the workspace's artifact
 * root (`<experiment_id>/<run_id>/artifacts/<path>`, as MLflow lays it out). The bytes live in the blob
 * store under `sha256`.
 */
export interface ArtifactFileRow {
  workspace_id: string;
  path: string;
  sha256: string;
  size: number;
  created_at: number;
}

export interface MultipartUploadRow {
  id: string;
  workspace_id: string;
  path: string;
  num_parts: number;
  created_at: number;
}

/** One uploaded part of a multipart upload; its bytes are the blob `sha256`, which is also its ETag. */
export interface MultipartUploadPartRow {
  upload_id: string;
  part_number: number;
  sha256: string;
  size: number;
  created_at: number;
}

export interface LoggedModelRow {
  id: string;
  workspace_id: string;
  experiment_id: number;
  name: string;
  model_type: string;
  source_run_id: string | null;
  status: string;
  status_message: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_updated_time: number;
}

export interface LoggedModelParamRow {
  model_id: string;
  key: string;
  value: string;
}

export interface LoggedModelTagRow {
  model_id: string;
  key: string;
  value: string;
}

export interface MetricRollupRow {
  run_id: string;
  key: string;
  level: number;
  bucket: number;
  count: number;
  nan_count: number;
  min_value: number | null;
  min_step: number | null;
  max_value: number | null;
  max_step: number | null;
  first_step: number;
  last_step: number;
  last_timestamp: number;
  last_value: number | null;
  last_is_nan: number;
}

/** A registered compute target; `spec` is its validated YAML as JSON. `local` is built in, not a row. */
export interface ComputeTargetRow {
  workspace_id: string;
  name: string;
  kind: string;
  spec: string;
  created_by: string;
  created_at: number;
}

/** One version of a registered environment; `hash` is the sha256 of its normalised spec. */
export interface EnvironmentRow {
  workspace_id: string;
  name: string;
  version: string;
  spec: string;
  hash: string;
  created_by: string;
  created_at: number;
}

/**
 * A job (or a sweep trial, with `parent_job_id`): `id` is its readable name, unique in the workspace;
 * `seq` orders the queue (FIFO) and listings. `spec` is the resolved spec as JSON, `command` the shell
 * command after placeholder substitution, `handle` the compute adapter's JSON handle once submitted.
 */
export interface JobRow {
  workspace_id: string;
  id: string;
  seq: number;
  type: string;
  parent_job_id: string | null;
  spec: string;
  command: string;
  status: string;
  compute: string;
  run_id: string | null;
  experiment_id: number | null;
  snapshot_id: string | null;
  environment_hash: string | null;
  handle: string | null;
  exit_code: number | null;
  error_summary: string | null;
  timeout_seconds: number | null;
  created_by: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

export interface JobEventRow {
  id: Generated<number>;
  workspace_id: string;
  job_id: string;
  status: string;
  at: number;
  message: string | null;
}

/** A piece of a job's output as it was printed; `seq` is dense per job from 1. */
export interface JobLogChunkRow {
  workspace_id: string;
  job_id: string;
  seq: number;
  stream: string;
  data: string;
  at: number;
}

export interface WorkspaceBlobRow {
  workspace_id: string;
  sha256: string;
  size: number;
  created_at: number;
}

export interface DatastoreRow {
  workspace_id: string;
  name: string;
  /** local | s3 | http */
  kind: string;
  description: string;
  /** The spec without secrets (JSON). */
  spec: string;
  /** The secret fields, encrypted (`SecretBox`); null when the datastore has none. */
  secrets: string | null;
  /** JSON object. */
  tags: string;
  created_by: string;
  created_at: number;
}

export interface DataAssetRow {
  workspace_id: string;
  name: string;
  description: string;
  tags: string;
  archived: Generated<number>;
  /** The number the next auto-numbered version gets. */
  next_version: Generated<number>;
  /** A source URI watched for changes (refresh), or null. */
  watch_source: string | null;
  watch_interval_seconds: number | null;
  next_refresh_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface DataVersionRow {
  workspace_id: string;
  name: string;
  version: string;
  /** Creation order within the asset (what `@latest` follows). */
  seq: number;
  /** uri_file | uri_folder | mltable */
  type: string;
  /** `uploaded` (content in the blob store) or `referenced` (read from `source` when used). */
  storage: string;
  /** Where it came from: a datastore URI, URL, local path or job output. */
  source: string;
  /** sha256 of the manifest blob. */
  manifest_id: string;
  file_count: number;
  total_bytes: number;
  description: string;
  tags: string;
  /** JSON `{added, changed, removed}` path lists against the previous version (refresh), or null. */
  diff: string | null;
  archived: number;
  created_by: string;
  created_at: number;
}

export interface DataLineageRow {
  workspace_id: string;
  run_id: string;
  job_name: string | null;
  /** input | output */
  direction: string;
  /** The job's input or output name. */
  port: string;
  asset_name: string;
  asset_version: string;
  created_at: number;
}

export interface DataEventRow {
  id: Generated<number>;
  workspace_id: string;
  /** version_created */
  kind: string;
  asset_name: string;
  asset_version: string;
  /** JSON: how it was created (refresh, register, job output) and the diff counts. */
  payload: string;
  at: number;
}

/** A studio dashboard on an experiment; `layout` is JSON (validated by the API, versioned inside). */
export interface DashboardRow {
  workspace_id: string;
  experiment_id: number;
  id: string;
  name: string;
  layout: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

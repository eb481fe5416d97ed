/** Tracking entities as the domain sees them, independent of storage rows and of wire formats. */

export const RunStatus = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RunStatus)[number];

export const LifecycleStage = ['active', 'deleted'] as const;
export type LifecycleStage = (typeof LifecycleStage)[number];

/** Which rows a search returns, as MLflow's ViewType. */
export const ViewType = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof ViewType)[number];

export interface Tag {
  key: string;
  value: string;
}

export interface Param {
  key: string;
  value: string;
}

export interface Metric {
  key: string;
  /** May be NaN, Infinity or -Infinity. */
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

export interface Experiment {
  experimentId: string;
  workspaceId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

export interface RunInfo {
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
}

export interface Run {
  info: RunInfo;
  data: {
    /** Latest value of each metric (highest step, then latest timestamp, then largest value). */
    metrics: Metric[];
    params: Param[];
    tags: Tag[];
  };
  inputs: { datasetInputs: DatasetInput[]; modelInputs: { modelId: string }[] };
  outputs: { modelOutputs: { modelId: string; step: number }[] };
}

export interface DatasetInput {
  tags: Tag[];
  dataset: {
    name: string;
    digest: string;
    sourceType: string;
    source: string;
    schema?: string;
    profile?: string;
  };
}

/** Tags MLflow gives a meaning to; Cairn reads them too. */
export const SystemTag = {
  runName: 'mlflow.runName',
  parentRunId: 'mlflow.parentRunId',
  user: 'mlflow.user',
  note: 'mlflow.note.content',
  source: 'mlflow.source.name',
  logModelHistory: 'mlflow.log-model.history',
} as const;

export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  creationTimestampMs: number;
  lastUpdatedTimestampMs: number;
  modelType: string;
  sourceRunId: string;
  status: 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
  statusMessage: string;
  lifecycleStage: LifecycleStage;
  tags: Tag[];
  params: Param[];
}

/** A point of a downsampled metric series: one bucket of steps, keeping its extremes. */
export interface MetricBucket {
  stepStart: number;
  stepEnd: number;
  count: number;
  min: number;
  max: number;
  /** The last value in the bucket (by step), what a line chart draws through. */
  last: number;
  /** Steps where min and max occurred, so a chart can plot the spike at its true x. */
  minStep: number;
  maxStep: number;
}

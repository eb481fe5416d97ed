import { invalidArgument } from './errors.js';

/** MLflow's server-side limits (mlflow/utils/validation.py), which Cairn enforces the same way. */
export const Limits = {
  maxMetricsPerBatch: 1000,
  maxParamsTagsPerBatch: 100,
  maxEntitiesPerBatch: 1000,
  maxKeyLength: 250,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
  maxExperimentNameLength: 500,
  maxExperimentTagValueLength: 20000,
  maxSearchResults: 50000,
  defaultSearchResults: 1000,
  maxMetricHistoryResults: 25000,
} as const;

const KEY_PATTERN = /^[/\w.\- ]*$/;

/** Validates a metric, param or tag key; `field` names it in the error. */
export function validateKey(kind: 'metric' | 'param' | 'tag', key: unknown, field: string): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalidArgument(`Missing value for required parameter '${field}'`, { field });
  }
  if (key.length > Limits.maxKeyLength) {
    throw invalidArgument(
      `${kind} name '${key.slice(0, 40)}…' is ${key.length} characters long; the limit is ${Limits.maxKeyLength}`,
      { field },
    );
  }
  if (!KEY_PATTERN.test(key)) {
    throw invalidArgument(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`,
      { field },
    );
  }
  if (kind !== 'tag' || !key.startsWith('mlflow.')) {
    // A name that normalises to another path ("a/../b", "./a") would alias another key.
    const parts = key.split('/');
    if (key.startsWith('/') || parts.some((p) => p === '.' || p === '..' || p === '')) {
      throw invalidArgument(
        `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`,
        { field },
      );
    }
  }
  return key;
}

export function validateValueLength(kind: 'param' | 'tag', key: string, value: string, field: string): void {
  const limit = kind === 'param' ? Limits.maxParamValueLength : Limits.maxTagValueLength;
  if (value.length > limit) {
    throw invalidArgument(
      `${kind} '${key}' has a value of length ${value.length}, which exceeds the limit of ${limit}`,
      { field },
    );
  }
}

const RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/;

export function validateRunId(runId: unknown, field = 'run_id'): string {
  if (typeof runId !== 'string' || runId.length === 0) {
    throw invalidArgument(`Missing value for required parameter '${field}'`, { field });
  }
  if (!RUN_ID_PATTERN.test(runId)) {
    throw invalidArgument(`Invalid value ${JSON.stringify(runId)} for parameter '${field}' supplied`, {
      field,
    });
  }
  return runId;
}

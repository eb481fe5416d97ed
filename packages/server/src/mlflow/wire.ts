import {
  type Experiment,
  invalidArgument,
  type LoggedModel,
  type Metric,
  type Run,
  type RunInfo,
  type Tag,
} from '@cairn/core';

/**
 * MLflow's wire format (protobuf JSON): snake_case, int64 as numbers, non-finite doubles as the
 * strings "NaN", "Infinity", "-Infinity", and empty repeated fields omitted.
 */

export type Fields = Record<string, unknown>;

/** GET requests carry their fields in the query string; POST/PATCH/DELETE in a JSON body. */
export function requestFields(req: { method: string; query: unknown; body: unknown }): Fields {
  if (req.method === 'GET' || req.method === 'HEAD') return (req.query ?? {}) as Fields;
  const body = req.body;
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    throw invalidArgument('Request body must be a JSON object', { field: 'body' });
  }
  return { ...((req.query ?? {}) as Fields), ...((body ?? {}) as Fields) };
}

const missing = (field: string) =>
  invalidArgument(`Missing value for required parameter '${field}'`, { field });
const invalid = (field: string, value: unknown) =>
  invalidArgument(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied`, { field });

export function optString(f: Fields, field: string): string | undefined {
  const v = f[field];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return optString({ [field]: v[v.length - 1] }, field);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid(field, v);
}

export function reqString(f: Fields, field: string): string {
  const v = optString(f, field);
  if (v === undefined || v === '') throw missing(field);
  return v;
}

export function optInt(f: Fields, field: string): number | undefined {
  const v = f[field];
  if (v === undefined || v === null || v === '') return undefined;
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalid(field, v);
  return n;
}

export function reqInt(f: Fields, field: string): number {
  const n = optInt(f, field);
  if (n === undefined) throw missing(field);
  return n;
}

/** A double as MLflow sends it: a number, or "NaN" / "Infinity" / "-Infinity" / a numeric string. */
export function parseDouble(v: unknown, field: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === 'NaN' || t === 'nan') return Number.NaN;
    if (t === 'Infinity' || t === 'inf' || t === '+Infinity') return Number.POSITIVE_INFINITY;
    if (t === '-Infinity' || t === '-inf') return Number.NEGATIVE_INFINITY;
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  if (v === undefined || v === null) throw missing(field);
  throw invalid(field, v);
}

export function optStringList(f: Fields, field: string): string[] {
  const v = f[field] ?? f[`${field}[]`];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((item, i) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number') return String(item);
    throw invalid(`${field}[${i}]`, item);
  });
}

export function optObjectList(f: Fields, field: string): Fields[] {
  const v = f[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidArgument(`Parameter '${field}' must be a list`, { field });
  return v.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalidArgument(`Parameter '${field}[${i}]' must be an object`, { field: `${field}[${i}]` });
    }
    return item as Fields;
  });
}

export function parseKeyValues(f: Fields, field: string): Tag[] {
  return optObjectList(f, field).map((item, i) => {
    if (typeof item.key !== 'string' || item.key === '') throw missing(`${field}[${i}].key`);
    // A number or boolean is written as its string (clients stringify values); an object is a mistake.
    const v = item.value;
    if (v === undefined || v === null) return { key: item.key, value: '' };
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw invalid(`${field}[${i}].value`, v);
    }
    return { key: item.key, value: String(v) };
  });
}

/** A metric object; `field` prefixes the names in errors ('' for the top-level fields of log-metric). */
export function parseMetric(item: Fields, field: string): Metric {
  // The common shape (numbers as numbers) without building any field name: log-batch parses up to a
  // thousand of these per request, and this is the ingestion hot path.
  const { key, value, timestamp, step } = item;
  if (
    typeof key === 'string' &&
    key !== '' &&
    typeof value === 'number' &&
    typeof timestamp === 'number' &&
    Number.isSafeInteger(timestamp) &&
    (step === undefined || step === null || (typeof step === 'number' && Number.isSafeInteger(step)))
  ) {
    return { key, value, timestamp, step: (step as number | null | undefined) ?? 0 };
  }
  return parseMetricFields(item, field);
}

/** Any accepted encoding (numbers as strings, "NaN"), and the errors naming the field. */
function parseMetricFields(item: Fields, field: string): Metric {
  const name = (f: string) => (field ? `${field}.${f}` : f);
  if (typeof item.key !== 'string' || item.key === '') throw missing(name('key'));
  const timestamp = optInt({ [name('timestamp')]: item.timestamp }, name('timestamp'));
  if (timestamp === undefined) throw missing(name('timestamp'));
  return {
    key: item.key,
    value: parseDouble(item.value, name('value')),
    timestamp,
    step: optInt({ [name('step')]: item.step }, name('step')) ?? 0,
  };
}

/** Writes a double the way MLflow's server does, but keeping infinities (MLflow clamps them). */
export function wireDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return v;
}

const nonEmpty = <T>(items: readonly T[]): T[] | undefined => (items.length ? [...items] : undefined);

export function wireMetric(m: Metric): Fields {
  return { key: m.key, value: wireDouble(m.value), timestamp: m.timestamp, step: m.step };
}

export function wireExperiment(e: Experiment): Fields {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: nonEmpty(e.tags),
  };
}

export function wireRunInfo(i: RunInfo): Fields {
  return {
    run_uuid: i.runId,
    run_id: i.runId,
    experiment_id: i.experimentId,
    run_name: i.runName,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    end_time: i.endTime ?? undefined,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
  };
}

export function wireRun(r: Run): Fields {
  const data: Fields = {
    metrics: nonEmpty(r.data.metrics.map(wireMetric)),
    params: nonEmpty(r.data.params),
    tags: nonEmpty(r.data.tags),
  };
  const inputs: Fields = {
    dataset_inputs: nonEmpty(r.inputs.datasetInputs),
    model_inputs: nonEmpty(r.inputs.modelInputs.map((m) => ({ model_id: m.modelId }))),
  };
  const outputs: Fields = {
    model_outputs: nonEmpty(r.outputs.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step }))),
  };
  return { info: wireRunInfo(r.info), data, inputs, outputs };
}

export function wireLoggedModel(m: LoggedModel): Fields {
  return {
    info: {
      model_id: m.modelId,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.creationTimestampMs,
      last_updated_timestamp_ms: m.lastUpdatedTimestampMs,
      artifact_uri: m.artifactLocation,
      status: m.status,
      status_message: m.statusMessage || undefined,
      model_type: m.modelType,
      source_run_id: m.sourceRunId || undefined,
      tags: nonEmpty(m.tags),
    },
    data: { params: nonEmpty(m.params) },
  };
}

/** MLflow's run_view_type / view_type: by name or number. */
export function parseViewType(v: unknown, field: string): 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' {
  if (v === undefined || v === null || v === '') return 'ACTIVE_ONLY';
  const byNumber: Record<string, 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'> = {
    '1': 'ACTIVE_ONLY',
    '2': 'DELETED_ONLY',
    '3': 'ALL',
  };
  const s = String(v);
  if (s === 'ACTIVE_ONLY' || s === 'DELETED_ONLY' || s === 'ALL') return s;
  const mapped = byNumber[s];
  if (mapped) return mapped;
  throw invalidArgument(
    `Invalid value ${JSON.stringify(v)} for parameter '${field}': expected ACTIVE_ONLY, DELETED_ONLY or ALL`,
    {
      field,
    },
  );
}

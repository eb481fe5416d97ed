import {
  conflict,
  invalidArgument,
  Limits,
  type Metric,
  notFound,
  type Param,
  type Run,
  RunStatus,
  SystemTag,
  type Tag,
  validateKey,
  validateValueLength,
} from '@cairn/core';
import { type Database, insertAuditEvent, type MetadataStore } from '@cairn/store';
import type SqliteDatabase from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import { audit, type RequestContext } from './context.js';
import { getExperimentRow } from './experiments.js';
import { newRunId, randomRunName } from './ids.js';
import { pointValue } from './metric-reader.js';
import { applyMetricWritesPostgres, planMetricWrites, sqliteMetricStatements } from './metric-writer.js';
import { loadRunsSqlite } from './search/sqlite-run-loader.js';

type RunRow = Selectable<Database['runs']>;

export function runArtifactUri(experimentId: number, runId: string): string {
  return `mlflow-artifacts:/${experimentId}/${runId}/artifacts`;
}

/** The artifact path prefix (relative to the workspace's artifact root) of a run. */
export function runArtifactRoot(experimentId: number, runId: string): string {
  return `${experimentId}/${runId}/artifacts`;
}

export async function getRunRow(store: MetadataStore, ctx: RequestContext, runId: string): Promise<RunRow> {
  const row = await store.db
    .selectFrom('runs')
    .selectAll()
    .where('id', '=', runId)
    .where('workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!row) throw notFound(`Run with id=${runId} not found`, { field: 'run_id' });
  return row;
}

function assertActive(row: RunRow): void {
  if (row.lifecycle_stage !== 'active') {
    throw invalidArgument(
      `The run ${row.id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      { field: 'run_id' },
    );
  }
}

export function parseRunStatus(value: unknown, field = 'status'): RunStatus {
  const names: Record<number, RunStatus> = {
    1: 'RUNNING',
    2: 'SCHEDULED',
    3: 'FINISHED',
    4: 'FAILED',
    5: 'KILLED',
  };
  const status = typeof value === 'number' ? names[value] : value;
  if (typeof status !== 'string' || !(RunStatus as readonly string[]).includes(status)) {
    throw invalidArgument(
      `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: expected one of ${RunStatus.join(', ')}`,
      { field },
    );
  }
  return status as RunStatus;
}

/** Loads runs with their params, tags, latest metrics and inputs, in the order of `ids`. */
export async function loadRuns(store: MetadataStore, ids: readonly string[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  if (store.dialect === 'sqlite') return store.withSqlite((sqlite) => loadRunsSqlite(sqlite, ids));
  const db = store.db;
  const out = new Map<string, Run>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const [rows, params, tags, metrics, inputs] = await Promise.all([
      db.selectFrom('runs').selectAll().where('id', 'in', chunk).execute(),
      db.selectFrom('params').selectAll().where('run_id', 'in', chunk).orderBy('key').execute(),
      db.selectFrom('run_tags').selectAll().where('run_id', 'in', chunk).orderBy('key').execute(),
      db.selectFrom('latest_metrics').selectAll().where('run_id', 'in', chunk).orderBy('key').execute(),
      db.selectFrom('run_inputs').selectAll().where('run_id', 'in', chunk).orderBy('id').execute(),
    ]);
    for (const row of rows) out.set(row.id, emptyRun(row));
    for (const p of params) out.get(p.run_id)?.data.params.push({ key: p.key, value: p.value });
    for (const t of tags) out.get(t.run_id)?.data.tags.push({ key: t.key, value: t.value });
    for (const m of metrics) {
      out.get(m.run_id)?.data.metrics.push({
        key: m.key,
        value: pointValue(m),
        timestamp: Number(m.timestamp),
        step: Number(m.step),
      });
    }
    for (const input of inputs) {
      const run = out.get(input.run_id);
      if (!run) continue;
      const payload = JSON.parse(input.payload);
      if (input.kind === 'dataset') run.inputs.datasetInputs.push(payload);
      else if (input.kind === 'model') run.inputs.modelInputs.push(payload);
      else if (input.kind === 'model_output') run.outputs.modelOutputs.push(payload);
    }
  }
  return ids.flatMap((id) => {
    const run = out.get(id);
    return run ? [run] : [];
  });
}

function emptyRun(row: RunRow): Run {
  return {
    info: {
      runId: row.id,
      experimentId: String(row.experiment_id),
      runName: row.name,
      userId: row.user_id,
      status: row.status as RunStatus,
      startTime: Number(row.start_time),
      endTime: row.end_time === null ? null : Number(row.end_time),
      artifactUri: row.artifact_uri,
      lifecycleStage: row.lifecycle_stage as Run['info']['lifecycleStage'],
      parentRunId: row.parent_run_id,
    },
    data: { metrics: [], params: [], tags: [] },
    inputs: { datasetInputs: [], modelInputs: [] },
    outputs: { modelOutputs: [] },
  };
}

export async function getRun(store: MetadataStore, ctx: RequestContext, runId: string): Promise<Run> {
  await getRunRow(store, ctx, runId);
  const [run] = await loadRuns(store, [runId]);
  return run!;
}

export interface CreateRunInput {
  experimentId: number;
  userId?: string | null;
  runName?: string | null;
  startTime?: number | null;
  tags?: Tag[];
  status?: RunStatus;
}

export async function createRun(
  store: MetadataStore,
  ctx: RequestContext,
  input: CreateRunInput,
): Promise<Run> {
  const tags = input.tags ?? [];
  tags.forEach((t, i) => {
    validateTag(t, `tags[${i}]`);
  });
  const experiment = await getExperimentRow(store, ctx, input.experimentId);
  if (experiment.lifecycle_stage !== 'active') {
    throw invalidArgument(`Could not create run under non-active experiment with ID ${input.experimentId}.`, {
      field: 'experiment_id',
    });
  }
  const experimentId = Number(experiment.id);
  const tagName = tags.find((t) => t.key === SystemTag.runName)?.value;
  if (input.runName && tagName && input.runName !== tagName) {
    throw invalidArgument(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
      { field: 'run_name' },
    );
  }
  const name = input.runName || tagName || randomRunName();
  const parentRunId = tags.find((t) => t.key === SystemTag.parentRunId)?.value ?? null;
  const userId = input.userId || tags.find((t) => t.key === SystemTag.user)?.value || ctx.actor;
  const runId = newRunId();
  const allTags = tags.some((t) => t.key === SystemTag.runName)
    ? tags
    : [...tags, { key: SystemTag.runName, value: name }];
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('runs')
      .values({
        id: runId,
        experiment_id: experimentId,
        workspace_id: ctx.workspaceId,
        name,
        user_id: userId,
        status: input.status ?? 'RUNNING',
        start_time: input.startTime ?? Date.now(),
        end_time: null,
        lifecycle_stage: 'active',
        artifact_uri: runArtifactUri(experimentId, runId),
        parent_run_id: parentRunId,
        deleted_time: null,
      })
      .execute();
    if (allTags.length) {
      await trx
        .insertInto('run_tags')
        .values(dedupeLast(allTags).map((t) => ({ run_id: runId, key: t.key, value: t.value })))
        .execute();
    }
    await audit(trx, ctx, 'run.create', 'run', runId, { experimentId, name });
  });
  return getRun(store, ctx, runId);
}

export async function updateRun(
  store: MetadataStore,
  ctx: RequestContext,
  input: { runId: string; status?: RunStatus | null; endTime?: number | null; runName?: string | null },
): Promise<Run> {
  const row = await getRunRow(store, ctx, input.runId);
  assertActive(row);
  await store.db.transaction().execute(async (trx) => {
    const set: Partial<RunRow> = {};
    if (input.status) set.status = input.status;
    if (input.endTime != null) set.end_time = input.endTime;
    if (input.runName) set.name = input.runName;
    if (Object.keys(set).length) await trx.updateTable('runs').set(set).where('id', '=', row.id).execute();
    if (input.runName) await upsertTags(trx, row.id, [{ key: SystemTag.runName, value: input.runName }]);
    await audit(trx, ctx, 'run.update', 'run', row.id, { ...set });
  });
  return getRun(store, ctx, input.runId);
}

export async function setRunLifecycle(
  store: MetadataStore,
  ctx: RequestContext,
  runId: string,
  stage: 'active' | 'deleted',
): Promise<void> {
  const row = await getRunRow(store, ctx, runId);
  if (stage === 'active') {
    const exp = await getExperimentRow(store, ctx, Number(row.experiment_id));
    if (exp.lifecycle_stage !== 'active') {
      throw invalidArgument(
        `Cannot restore run ${runId}: its experiment ${exp.id} is deleted; restore the experiment first.`,
        {
          field: 'run_id',
        },
      );
    }
  }
  await store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? Date.now() : null })
      .where('id', '=', runId)
      .execute();
    await audit(trx, ctx, stage === 'deleted' ? 'run.delete' : 'run.restore', 'run', runId);
  });
}

function validateTag(t: Tag, field: string): void {
  validateKey('tag', t.key, `${field}.key`);
  if (typeof t.value !== 'string') {
    throw invalidArgument(`Missing value for required parameter '${field}.value'`, {
      field: `${field}.value`,
    });
  }
  validateValueLength('tag', t.key, t.value, `${field}.value`);
}

function validateParam(p: Param, field: string): void {
  validateKey('param', p.key, `${field}.key`);
  if (typeof p.value !== 'string') {
    throw invalidArgument(`Missing value for required parameter '${field}.value'`, {
      field: `${field}.value`,
    });
  }
  validateValueLength('param', p.key, p.value, `${field}.value`);
}

function validateMetric(m: Metric, field: string): void {
  validateKey('metric', m.key, `${field}.key`);
  validateMetricValues(m, field);
}

function validateMetricValues(m: Metric, field: string): void {
  if (typeof m.value !== 'number') {
    throw invalidArgument(`Missing value for required parameter '${field}.value'`, {
      field: `${field}.value`,
    });
  }
  if (!Number.isSafeInteger(m.timestamp)) {
    throw invalidArgument(
      `Invalid value ${JSON.stringify(m.timestamp)} for parameter '${field}.timestamp' supplied`,
      {
        field: `${field}.timestamp`,
      },
    );
  }
  if (!Number.isSafeInteger(m.step)) {
    throw invalidArgument(`Invalid value ${JSON.stringify(m.step)} for parameter '${field}.step' supplied`, {
      field: `${field}.step`,
    });
  }
}

export interface LogBatchInput {
  metrics?: Metric[];
  params?: Param[];
  tags?: Tag[];
}

function validateBatch(input: LogBatchInput): Required<LogBatchInput> {
  const metrics = input.metrics ?? [];
  const params = input.params ?? [];
  const tags = input.tags ?? [];
  if (metrics.length > Limits.maxMetricsPerBatch) {
    throw invalidArgument(
      `A batch logging request can contain at most ${Limits.maxMetricsPerBatch} metrics. Got ${metrics.length} metrics. Please split up metrics across multiple requests and try again.`,
      { field: 'metrics' },
    );
  }
  if (params.length > Limits.maxParamsTagsPerBatch) {
    throw invalidArgument(
      `A batch logging request can contain at most ${Limits.maxParamsTagsPerBatch} params. Got ${params.length} params. Please split up params across multiple requests and try again.`,
      { field: 'params' },
    );
  }
  if (tags.length > Limits.maxParamsTagsPerBatch) {
    throw invalidArgument(
      `A batch logging request can contain at most ${Limits.maxParamsTagsPerBatch} tags. Got ${tags.length} tags. Please split up tags across multiple requests and try again.`,
      { field: 'tags' },
    );
  }
  if (metrics.length + params.length + tags.length > Limits.maxEntitiesPerBatch) {
    throw invalidArgument(
      `A batch logging request can contain at most ${Limits.maxEntitiesPerBatch} metrics, params and tags in total.`,
      { field: 'metrics' },
    );
  }
  // A batch repeats a few keys many times (50 keys × 20 steps): each distinct key is checked once.
  const checkedKeys = new Set<string>();
  metrics.forEach((m, i) => {
    if (checkedKeys.has(m.key)) validateMetricValues(m, `metrics[${i}]`);
    else {
      validateMetric(m, `metrics[${i}]`);
      checkedKeys.add(m.key);
    }
  });
  params.forEach((p, i) => {
    validateParam(p, `params[${i}]`);
  });
  tags.forEach((t, i) => {
    validateTag(t, `tags[${i}]`);
  });
  const seen = new Map<string, string>();
  for (const p of params) {
    const prev = seen.get(p.key);
    if (prev !== undefined && prev !== p.value) {
      throw invalidArgument(
        `Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.`,
        { field: 'params' },
      );
    }
    seen.set(p.key, p.value);
  }
  return { metrics, params: dedupeLast(params), tags: dedupeLast(tags) };
}

function dedupeLast<T extends { key: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [i.key, i])).values()];
}

function paramConflict(runId: string, key: string, old: string, value: string) {
  return conflict(
    `Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${value}'.`,
    { field: 'params' },
  );
}

async function upsertTags(db: Kysely<Database>, runId: string, tags: readonly Tag[]): Promise<void> {
  if (!tags.length) return;
  await db
    .insertInto('run_tags')
    .values(tags.map((t) => ({ run_id: runId, key: t.key, value: t.value })))
    .onConflict((oc) =>
      oc.columns(['run_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
    )
    .execute();
  const name = tags.find((t) => t.key === SystemTag.runName);
  if (name) await db.updateTable('runs').set({ name: name.value }).where('id', '=', runId).execute();
}

/** The statements of a SQLite log-batch besides the metric ones, prepared once per connection. */
function prepareBatchStatements(sqlite: SqliteDatabase.Database) {
  return {
    getParam: sqlite.prepare('SELECT value FROM params WHERE run_id = ? AND key = ?'),
    insertParam: sqlite.prepare('INSERT OR IGNORE INTO params (run_id, key, value) VALUES (?, ?, ?)'),
    upsertTag: sqlite.prepare(
      'INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
    ),
    renameRun: sqlite.prepare('UPDATE runs SET name = ? WHERE id = ?'),
    insertAudit: sqlite.prepare(
      'INSERT INTO audit_events (workspace_id, actor, at, action, target_kind, target_id, message, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
  };
}

const batchStatements = new WeakMap<SqliteDatabase.Database, ReturnType<typeof prepareBatchStatements>>();

function sqliteBatchStatements(sqlite: SqliteDatabase.Database) {
  let s = batchStatements.get(sqlite);
  if (!s) {
    s = prepareBatchStatements(sqlite);
    batchStatements.set(sqlite, s);
  }
  return s;
}

/**
 * Logs metrics, params and tags to a run atomically: either the whole batch is stored or none of it.
 * On SQLite the batch is written with prepared statements in one synchronous transaction (the hot
 * path of ingestion); on PostgreSQL with one statement per table.
 */
export async function logBatch(
  store: MetadataStore,
  ctx: RequestContext,
  runId: string,
  input: LogBatchInput,
): Promise<void> {
  const batch = validateBatch(input);
  const row = await getRunRow(store, ctx, runId);
  assertActive(row);
  const writes = planMetricWrites(batch.metrics);
  const event = {
    workspaceId: ctx.workspaceId,
    actor: ctx.actor,
    action: 'run.log_batch',
    targetKind: 'run',
    targetId: runId,
    message: ctx.message ?? null,
    details: { metrics: batch.metrics.length, params: batch.params.length, tags: batch.tags.length },
  };

  if (store.sqlite) {
    await store.withSqlite((sqlite) => {
      const statements = sqliteMetricStatements(sqlite);
      const { getParam, insertParam, upsertTag, renameRun, insertAudit } = sqliteBatchStatements(sqlite);
      sqlite.transaction(() => {
        for (const p of batch.params) {
          const old = getParam.get(runId, p.key) as { value: string } | undefined;
          if (old && old.value !== p.value) throw paramConflict(runId, p.key, old.value, p.value);
          if (!old) insertParam.run(runId, p.key, p.value);
        }
        for (const t of batch.tags) upsertTag.run(runId, t.key, t.value);
        const name = batch.tags.find((t) => t.key === SystemTag.runName);
        if (name) renameRun.run(name.value, runId);
        statements.apply(runId, writes);
        insertAudit.run(
          event.workspaceId,
          event.actor,
          Date.now(),
          event.action,
          event.targetKind,
          event.targetId,
          event.message,
          JSON.stringify(event.details),
        );
      })();
    });
    return;
  }

  await store.db.transaction().execute(async (trx) => {
    if (batch.params.length) {
      const existing = await trx
        .selectFrom('params')
        .select(['key', 'value'])
        .where('run_id', '=', runId)
        .where(
          'key',
          'in',
          batch.params.map((p) => p.key),
        )
        .execute();
      const old = new Map(existing.map((e) => [e.key, e.value]));
      for (const p of batch.params) {
        const prev = old.get(p.key);
        if (prev !== undefined && prev !== p.value) throw paramConflict(runId, p.key, prev, p.value);
      }
      const fresh = batch.params.filter((p) => !old.has(p.key));
      if (fresh.length) {
        await trx
          .insertInto('params')
          .values(fresh.map((p) => ({ run_id: runId, key: p.key, value: p.value })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
    await upsertTags(trx, runId, batch.tags);
    await applyMetricWritesPostgres(trx as unknown as Kysely<unknown>, runId, writes);
    await insertAuditEvent(trx, event);
  });
}

export async function deleteRunTag(
  store: MetadataStore,
  ctx: RequestContext,
  runId: string,
  key: string,
): Promise<void> {
  const row = await getRunRow(store, ctx, runId);
  assertActive(row);
  await store.db.transaction().execute(async (trx) => {
    const res = await trx
      .deleteFrom('run_tags')
      .where('run_id', '=', runId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw notFound(`No tag with name: ${key} in run with id ${runId}`, { field: 'key' });
    }
    await audit(trx, ctx, 'run.delete_tag', 'run', runId, { key });
  });
}

/** Records dataset inputs, model inputs or model outputs of a run (MLflow's log-inputs / outputs). */
export async function logRunInputs(
  store: MetadataStore,
  ctx: RequestContext,
  runId: string,
  entries: { kind: 'dataset' | 'model' | 'model_output'; payload: unknown }[],
): Promise<void> {
  const row = await getRunRow(store, ctx, runId);
  assertActive(row);
  if (!entries.length) return;
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('run_inputs')
      .values(entries.map((e) => ({ run_id: runId, kind: e.kind, payload: JSON.stringify(e.payload) })))
      .execute();
    await audit(trx, ctx, 'run.log_inputs', 'run', runId, { count: entries.length });
  });
}

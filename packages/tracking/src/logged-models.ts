import {
  invalidArgument,
  Limits,
  type LoggedModel,
  notFound,
  type Param,
  type Tag,
  validateKey,
} from '@cairn/core';
import type { Database, MetadataStore } from '@cairn/store';
import type { Kysely, Selectable } from 'kysely';
import { audit, type RequestContext } from './context.js';
import { getExperimentRow } from './experiments.js';
import { newModelId } from './ids.js';
import { decodeOffsetToken, encodeOffsetToken } from './metric-reader.js';
import { getRunRow } from './runs.js';

type ModelRow = Selectable<Database['logged_models']>;

export const LoggedModelStatus = [
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
] as const;

/** Where a logged model's files live under the workspace's artifact root, as MLflow 3 lays it out. */
export const modelArtifactRoot = (experimentId: number, modelId: string) =>
  `${experimentId}/models/${modelId}/artifacts`;

async function toModels(db: Kysely<Database>, rows: readonly ModelRow[]): Promise<LoggedModel[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [tags, params] = await Promise.all([
    db.selectFrom('logged_model_tags').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
    db.selectFrom('logged_model_params').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
  ]);
  return rows.map((r) => ({
    modelId: r.id,
    experimentId: String(r.experiment_id),
    name: r.name,
    artifactLocation: r.artifact_location,
    creationTimestampMs: Number(r.creation_time),
    lastUpdatedTimestampMs: Number(r.last_updated_time),
    modelType: r.model_type,
    sourceRunId: r.source_run_id ?? '',
    status: r.status as LoggedModel['status'],
    statusMessage: r.status_message,
    lifecycleStage: r.lifecycle_stage as LoggedModel['lifecycleStage'],
    tags: tags.filter((t) => t.model_id === r.id).map(({ key, value }) => ({ key, value })),
    params: params.filter((p) => p.model_id === r.id).map(({ key, value }) => ({ key, value })),
  }));
}

async function getModelRow(store: MetadataStore, ctx: RequestContext, modelId: string): Promise<ModelRow> {
  const row = await store.db
    .selectFrom('logged_models')
    .selectAll()
    .where('id', '=', modelId)
    .where('workspace_id', '=', ctx.workspaceId)
    .where('lifecycle_stage', '=', 'active')
    .executeTakeFirst();
  if (!row) throw notFound(`Logged model with ID '${modelId}' not found.`, { field: 'model_id' });
  return row;
}

export async function getLoggedModel(store: MetadataStore, ctx: RequestContext, modelId: string) {
  const [model] = await toModels(store.db, [await getModelRow(store, ctx, modelId)]);
  return model!;
}

export async function createLoggedModel(
  store: MetadataStore,
  ctx: RequestContext,
  input: {
    experimentId: number;
    name?: string | null;
    modelType?: string | null;
    sourceRunId?: string | null;
    params?: Param[];
    tags?: Tag[];
  },
): Promise<LoggedModel> {
  const experiment = await getExperimentRow(store, ctx, input.experimentId);
  if (input.sourceRunId) await getRunRow(store, ctx, input.sourceRunId);
  (input.params ?? []).forEach((p, i) => {
    validateKey('param', p.key, `params[${i}].key`);
  });
  (input.tags ?? []).forEach((t, i) => {
    validateKey('tag', t.key, `tags[${i}].key`);
  });
  const experimentId = Number(experiment.id);
  const id = newModelId();
  const now = Date.now();
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('logged_models')
      .values({
        id,
        workspace_id: ctx.workspaceId,
        experiment_id: experimentId,
        name: input.name || 'model',
        model_type: input.modelType ?? '',
        source_run_id: input.sourceRunId || null,
        status: 'LOGGED_MODEL_PENDING',
        status_message: '',
        artifact_location: `mlflow-artifacts:/${modelArtifactRoot(experimentId, id)}`,
        lifecycle_stage: 'active',
        creation_time: now,
        last_updated_time: now,
      })
      .execute();
    await upsertKeyValues(trx, 'logged_model_params', id, input.params ?? []);
    await upsertKeyValues(trx, 'logged_model_tags', id, input.tags ?? []);
    await audit(trx, ctx, 'logged_model.create', 'logged_model', id, {
      experimentId,
      sourceRunId: input.sourceRunId ?? null,
    });
  });
  return getLoggedModel(store, ctx, id);
}

async function upsertKeyValues(
  db: Kysely<Database>,
  table: 'logged_model_params' | 'logged_model_tags',
  modelId: string,
  items: readonly { key: string; value: string }[],
): Promise<void> {
  if (!items.length) return;
  const unique = [...new Map(items.map((i) => [i.key, i])).values()];
  await db
    .insertInto(table)
    .values(unique.map((i) => ({ model_id: modelId, key: i.key, value: String(i.value) })))
    .onConflict((oc) =>
      oc.columns(['model_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
    )
    .execute();
}

async function mutateModel(
  store: MetadataStore,
  ctx: RequestContext,
  modelId: string,
  action: string,
  fn: (trx: Kysely<Database>) => Promise<void>,
): Promise<void> {
  await getModelRow(store, ctx, modelId);
  await store.db.transaction().execute(async (trx) => {
    await fn(trx);
    await trx
      .updateTable('logged_models')
      .set({ last_updated_time: Date.now() })
      .where('id', '=', modelId)
      .execute();
    await audit(trx, ctx, action, 'logged_model', modelId);
  });
}

export async function finalizeLoggedModel(
  store: MetadataStore,
  ctx: RequestContext,
  modelId: string,
  status: string,
): Promise<LoggedModel> {
  if (status !== 'LOGGED_MODEL_READY' && status !== 'LOGGED_MODEL_UPLOAD_FAILED') {
    throw invalidArgument(
      `Invalid value '${status}' for parameter 'status' supplied: expected LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED`,
      { field: 'status' },
    );
  }
  await mutateModel(store, ctx, modelId, 'logged_model.finalize', async (trx) => {
    await trx.updateTable('logged_models').set({ status }).where('id', '=', modelId).execute();
  });
  return getLoggedModel(store, ctx, modelId);
}

export async function setLoggedModelTags(
  store: MetadataStore,
  ctx: RequestContext,
  modelId: string,
  tags: Tag[],
) {
  tags.forEach((t, i) => {
    validateKey('tag', t.key, `tags[${i}].key`);
  });
  await mutateModel(store, ctx, modelId, 'logged_model.set_tags', (trx) =>
    upsertKeyValues(trx, 'logged_model_tags', modelId, tags),
  );
}

export async function deleteLoggedModelTag(
  store: MetadataStore,
  ctx: RequestContext,
  modelId: string,
  key: string,
) {
  await mutateModel(store, ctx, modelId, 'logged_model.delete_tag', async (trx) => {
    const res = await trx
      .deleteFrom('logged_model_tags')
      .where('model_id', '=', modelId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw notFound(`No tag with key '${key}' found for logged model '${modelId}'.`, { field: 'tag_key' });
    }
  });
}

export async function logLoggedModelParams(
  store: MetadataStore,
  ctx: RequestContext,
  modelId: string,
  params: Param[],
) {
  params.forEach((p, i) => {
    validateKey('param', p.key, `params[${i}].key`);
  });
  await mutateModel(store, ctx, modelId, 'logged_model.log_params', (trx) =>
    upsertKeyValues(trx, 'logged_model_params', modelId, params),
  );
}

export async function deleteLoggedModel(store: MetadataStore, ctx: RequestContext, modelId: string) {
  await mutateModel(store, ctx, modelId, 'logged_model.delete', async (trx) => {
    await trx
      .updateTable('logged_models')
      .set({ lifecycle_stage: 'deleted' })
      .where('id', '=', modelId)
      .execute();
  });
}

const MODEL_ATTRIBUTES: Record<string, keyof ModelRow> = {
  name: 'name',
  model_id: 'id',
  status: 'status',
  source_run_id: 'source_run_id',
  model_type: 'model_type',
};

/**
 * A clause of a logged-model filter: `name = 'model'`, `source_run_id = '…'`, `status != '…'`,
 * `tags.k = 'v'`, `params.k = 'v'`, with `=`, `!=`, `LIKE`, `ILIKE`, joined by AND.
 */
interface ModelClause {
  kind: 'attribute' | 'tag' | 'param';
  key: string;
  op: '=' | '!=' | 'LIKE' | 'ILIKE';
  value: string;
}

const CLAUSE =
  /^\s*(?:(tags?|params?)\.)?(`[^`]+`|"[^"]+"|[\w.]+)\s*(=|!=|LIKE|ILIKE)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*/i;

export function parseModelFilter(filter: string): ModelClause[] {
  const clauses: ModelClause[] = [];
  let rest = filter.trim();
  let offset = filter.length - filter.trimStart().length;
  while (rest.length) {
    const m = CLAUSE.exec(rest);
    if (!m) {
      throw invalidArgument(
        `Invalid filter at position ${offset}: expected '<attribute|tags.key|params.key> <=|!=|LIKE|ILIKE> '<value>'', found '${rest.slice(0, 30)}'`,
        { field: 'filter', position: offset },
      );
    }
    const prefix = m[1]?.toLowerCase();
    const key = m[2]!.replace(/^[`"]|[`"]$/g, '');
    const kind = prefix?.startsWith('tag') ? 'tag' : prefix?.startsWith('param') ? 'param' : 'attribute';
    if (kind === 'attribute' && !(key in MODEL_ATTRIBUTES)) {
      throw invalidArgument(
        `Invalid filter at position ${offset}: unknown attribute '${key}' (expected one of ${Object.keys(MODEL_ATTRIBUTES).join(', ')})`,
        { field: 'filter', position: offset },
      );
    }
    clauses.push({ kind, key, op: m[3]!.toUpperCase() as ModelClause['op'], value: m[4] ?? m[5] ?? '' });
    offset += m[0].length;
    rest = rest.slice(m[0].length);
    const and = /^AND\s+/i.exec(rest);
    if (and) {
      offset += and[0].length;
      rest = rest.slice(and[0].length);
    } else if (rest.length) {
      throw invalidArgument(
        `Invalid filter at position ${offset}: expected AND, found '${rest.slice(0, 30)}'`,
        {
          field: 'filter',
          position: offset,
        },
      );
    }
  }
  return clauses;
}

export async function searchLoggedModels(
  store: MetadataStore,
  ctx: RequestContext,
  input: {
    experimentIds: number[];
    filter?: string | null;
    maxResults?: number | null;
    pageToken?: string | null;
  },
): Promise<{ models: LoggedModel[]; nextPageToken: string | null }> {
  const clauses = parseModelFilter(input.filter ?? '');
  const maxResults = input.maxResults ?? 100;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > Limits.maxSearchResults) {
    throw invalidArgument(
      `Invalid value ${maxResults} for parameter 'max_results' supplied: it must be between 1 and ${Limits.maxSearchResults}`,
      { field: 'max_results' },
    );
  }
  const offset = decodeOffsetToken(input.pageToken);
  let q = store.db
    .selectFrom('logged_models as m')
    .selectAll('m')
    .where('m.workspace_id', '=', ctx.workspaceId)
    .where('m.lifecycle_stage', '=', 'active');
  if (input.experimentIds.length) q = q.where('m.experiment_id', 'in', input.experimentIds);
  clauses.forEach((c, i) => {
    const compare = (ref: string) =>
      q.where((eb) => {
        const col = eb.ref(ref as 'm.name');
        if (c.op === 'ILIKE') return eb(eb.fn('lower', [col]), 'like', c.value.toLowerCase());
        return eb(col, c.op === 'LIKE' ? 'like' : c.op === '=' ? '=' : '!=', c.value);
      });
    if (c.kind === 'attribute') {
      q = compare(`m.${MODEL_ATTRIBUTES[c.key]!}`);
      return;
    }
    const table = c.kind === 'tag' ? 'logged_model_tags' : 'logged_model_params';
    const alias = `kv${i}`;
    q = q.innerJoin(`${table} as ${alias}` as 'logged_model_tags as kv', (join) =>
      join
        .onRef(`${alias}.model_id` as 'kv.model_id', '=', 'm.id')
        .on(`${alias}.key` as 'kv.key', '=', c.key),
    ) as unknown as typeof q;
    q = compare(`${alias}.value`);
  });
  const rows = await q
    .orderBy('m.creation_time', 'desc')
    .orderBy('m.id')
    .offset(offset)
    .limit(maxResults + 1)
    .execute();
  const more = rows.length > maxResults;
  return {
    models: await toModels(store.db, more ? rows.slice(0, maxResults) : rows),
    nextPageToken: more ? encodeOffsetToken(offset + maxResults) : null,
  };
}

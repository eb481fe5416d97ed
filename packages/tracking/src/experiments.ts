import {
  alreadyExists,
  type Experiment,
  invalidArgument,
  Limits,
  notFound,
  type Tag,
  validateKey,
} from '@cairn/core';
import type { Database, MetadataStore } from '@cairn/store';
import type { Kysely, Selectable } from 'kysely';
import { audit, type RequestContext } from './context.js';

type ExperimentRow = Selectable<Database['experiments']>;

export const DEFAULT_EXPERIMENT_NAME = 'Default';

export function experimentArtifactLocation(experimentId: number): string {
  return `mlflow-artifacts:/${experimentId}`;
}

export function parseExperimentId(value: unknown, field = 'experiment_id'): number {
  if (value === undefined || value === null || value === '') {
    throw invalidArgument(`Missing value for required parameter '${field}'`, { field });
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || (typeof value === 'string' && !/^\d+$/.test(value))) {
    throw invalidArgument(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied`, {
      field,
    });
  }
  return n;
}

async function toExperiment(db: Kysely<Database>, row: ExperimentRow): Promise<Experiment> {
  const tags = await db
    .selectFrom('experiment_tags')
    .select(['key', 'value'])
    .where('experiment_id', '=', row.id)
    .orderBy('key')
    .execute();
  return fromRow(row, tags);
}

function fromRow(row: ExperimentRow, tags: Tag[]): Experiment {
  return {
    experimentId: String(row.id),
    workspaceId: row.workspace_id,
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage as Experiment['lifecycleStage'],
    creationTime: Number(row.creation_time),
    lastUpdateTime: Number(row.last_update_time),
    tags,
  };
}

export async function loadExperiments(db: Kysely<Database>, ids: readonly number[]): Promise<Experiment[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('experiments').selectAll().where('id', 'in', ids).execute();
  const tags = await db
    .selectFrom('experiment_tags')
    .select(['experiment_id', 'key', 'value'])
    .where('experiment_id', 'in', ids)
    .orderBy('key')
    .execute();
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    return [
      fromRow(
        row,
        tags.filter((t) => Number(t.experiment_id) === id).map(({ key, value }) => ({ key, value })),
      ),
    ];
  });
}

function validateExperimentName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalidArgument(`Missing value for required parameter '${field}'`, { field });
  }
  if (name.length > Limits.maxExperimentNameLength) {
    throw invalidArgument(
      `Experiment name is ${name.length} characters long; the limit is ${Limits.maxExperimentNameLength}`,
      { field },
    );
  }
  return name;
}

function validateExperimentTag(tag: Tag, field: string): void {
  validateKey('tag', tag.key, `${field}.key`);
  if (typeof tag.value !== 'string') {
    throw invalidArgument(`Missing value for required parameter '${field}.value'`, {
      field: `${field}.value`,
    });
  }
  if (tag.value.length > Limits.maxExperimentTagValueLength) {
    throw invalidArgument(
      `Experiment tag '${tag.key}' has a value of length ${tag.value.length}, which exceeds the limit of ${Limits.maxExperimentTagValueLength}`,
      { field: `${field}.value` },
    );
  }
}

export async function createExperiment(
  store: MetadataStore,
  ctx: RequestContext,
  input: { name: string; artifactLocation?: string | null; tags?: Tag[]; id?: number },
): Promise<number> {
  const name = validateExperimentName(input.name);
  (input.tags ?? []).forEach((t, i) => {
    validateExperimentTag(t, `tags[${i}]`);
  });
  return store.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('experiments')
      .select(['id'])
      .where('workspace_id', '=', ctx.workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (existing) throw alreadyExists(`Experiment(name=${name}) already exists.`, { field: 'name' });
    const now = Date.now();
    const values = {
      workspace_id: ctx.workspaceId,
      name,
      artifact_location: input.artifactLocation ?? '',
      lifecycle_stage: 'active',
      creation_time: now,
      last_update_time: now,
      ...(input.id !== undefined ? { id: input.id } : {}),
    };
    const inserted = await trx
      .insertInto('experiments')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(inserted.id);
    if (!input.artifactLocation) {
      await trx
        .updateTable('experiments')
        .set({ artifact_location: experimentArtifactLocation(id) })
        .where('id', '=', id)
        .execute();
    }
    if (input.tags?.length) {
      await trx
        .insertInto('experiment_tags')
        .values(input.tags.map((t) => ({ experiment_id: id, key: t.key, value: t.value })))
        .execute();
    }
    await audit(trx, ctx, 'experiment.create', 'experiment', String(id), { name });
    return id;
  });
}

/**
 * Finds an experiment of the workspace. Id 0 is MLflow's "Default" experiment, which clients use when
 * none is set; every workspace has its own, created on first use.
 */
export async function getExperimentRow(
  store: MetadataStore,
  ctx: RequestContext,
  experimentId: number,
): Promise<ExperimentRow> {
  const row = await store.db
    .selectFrom('experiments')
    .selectAll()
    .where('id', '=', experimentId)
    .where('workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (row) return row;
  if (experimentId === 0) return ensureDefaultExperiment(store, ctx);
  throw notFound(`No Experiment with id=${experimentId} exists`, { field: 'experiment_id' });
}

export async function ensureDefaultExperiment(
  store: MetadataStore,
  ctx: RequestContext,
): Promise<ExperimentRow> {
  const find = () =>
    store.db
      .selectFrom('experiments')
      .selectAll()
      .where('workspace_id', '=', ctx.workspaceId)
      .where('name', '=', DEFAULT_EXPERIMENT_NAME)
      .executeTakeFirst();
  const existing = await find();
  if (existing) return existing;
  const zeroTaken = await store.db
    .selectFrom('experiments')
    .select('id')
    .where('id', '=', 0)
    .executeTakeFirst();
  try {
    await createExperiment(
      store,
      { ...ctx, actor: 'system' },
      {
        name: DEFAULT_EXPERIMENT_NAME,
        ...(zeroTaken ? {} : { id: 0 }),
      },
    );
  } catch (err) {
    // Another request created it concurrently.
    if (!(await find())) throw err;
  }
  return (await find())!;
}

export async function getExperiment(store: MetadataStore, ctx: RequestContext, experimentId: number) {
  return toExperiment(store.db, await getExperimentRow(store, ctx, experimentId));
}

export async function getExperimentByName(store: MetadataStore, ctx: RequestContext, name: string) {
  validateExperimentName(name, 'experiment_name');
  let row = await store.db
    .selectFrom('experiments')
    .selectAll()
    .where('workspace_id', '=', ctx.workspaceId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row && name === DEFAULT_EXPERIMENT_NAME) row = await ensureDefaultExperiment(store, ctx);
  if (!row) throw notFound(`Could not find experiment with name '${name}'`, { field: 'experiment_name' });
  return toExperiment(store.db, row);
}

async function touch(db: Kysely<Database>, id: number): Promise<void> {
  await db.updateTable('experiments').set({ last_update_time: Date.now() }).where('id', '=', id).execute();
}

export async function setExperimentLifecycle(
  store: MetadataStore,
  ctx: RequestContext,
  experimentId: number,
  stage: 'active' | 'deleted',
): Promise<void> {
  const row = await getExperimentRow(store, ctx, experimentId);
  if (stage === 'active' && row.lifecycle_stage === 'active') {
    throw invalidArgument(`Cannot restore an active experiment (id=${experimentId}).`, {
      field: 'experiment_id',
    });
  }
  if (stage === 'deleted' && row.lifecycle_stage === 'deleted') {
    throw invalidArgument(`Experiment ${experimentId} is already deleted.`, { field: 'experiment_id' });
  }
  const id = Number(row.id);
  await store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('experiments')
      .set({ lifecycle_stage: stage, last_update_time: Date.now() })
      .where('id', '=', id)
      .execute();
    // As MLflow: deleting an experiment deletes its runs; restoring it restores them.
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? Date.now() : null })
      .where('experiment_id', '=', id)
      .execute();
    await audit(
      trx,
      ctx,
      stage === 'deleted' ? 'experiment.delete' : 'experiment.restore',
      'experiment',
      String(id),
    );
  });
}

export async function renameExperiment(
  store: MetadataStore,
  ctx: RequestContext,
  experimentId: number,
  newName: string,
): Promise<void> {
  const name = validateExperimentName(newName, 'new_name');
  const row = await getExperimentRow(store, ctx, experimentId);
  if (row.lifecycle_stage !== 'active') {
    throw invalidArgument('Cannot rename a non-active experiment.', { field: 'experiment_id' });
  }
  await store.db.transaction().execute(async (trx) => {
    const clash = await trx
      .selectFrom('experiments')
      .select('id')
      .where('workspace_id', '=', ctx.workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (clash && Number(clash.id) !== experimentId) {
      throw alreadyExists(`Experiment(name=${name}) already exists.`, { field: 'new_name' });
    }
    await trx
      .updateTable('experiments')
      .set({ name, last_update_time: Date.now() })
      .where('id', '=', experimentId)
      .execute();
    await audit(trx, ctx, 'experiment.rename', 'experiment', String(experimentId), {
      from: row.name,
      to: name,
    });
  });
}

export async function setExperimentTag(
  store: MetadataStore,
  ctx: RequestContext,
  experimentId: number,
  tag: Tag,
): Promise<void> {
  validateExperimentTag(tag, 'tag');
  const row = await getExperimentRow(store, ctx, experimentId);
  if (row.lifecycle_stage !== 'active') {
    throw invalidArgument(
      `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      { field: 'experiment_id' },
    );
  }
  const id = Number(row.id);
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('experiment_tags')
      .values({ experiment_id: id, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
    await touch(trx, id);
    await audit(trx, ctx, 'experiment.set_tag', 'experiment', String(id), { key: tag.key });
  });
}

export async function deleteExperimentTag(
  store: MetadataStore,
  ctx: RequestContext,
  experimentId: number,
  key: string,
): Promise<void> {
  const row = await getExperimentRow(store, ctx, experimentId);
  const id = Number(row.id);
  await store.db.transaction().execute(async (trx) => {
    const res = await trx
      .deleteFrom('experiment_tags')
      .where('experiment_id', '=', id)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`, { field: 'key' });
    }
    await touch(trx, id);
    await audit(trx, ctx, 'experiment.delete_tag', 'experiment', String(id), { key });
  });
}

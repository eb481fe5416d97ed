import { randomBytes } from 'node:crypto';
import type { MetadataStore } from '@cairn/store';

/** Rows written straight into the metadata store, so search is tested apart from the logging code. */
export interface SeedRun {
  name: string;
  experimentId: number;
  workspaceId: string;
  startTime: number;
  endTime?: number | null;
  status?: string;
  userId?: string;
  deleted?: boolean;
  /** NaN and ±Infinity allowed; NaN is stored as value NULL, is_nan 1. */
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: { name: string; digest: string; context?: string }[];
}

export const freshId = (prefix = '') => `${prefix}${randomBytes(8).toString('hex')}`;

export async function seedWorkspace(store: MetadataStore): Promise<string> {
  const id = freshId('ws');
  await store.db
    .insertInto('workspaces')
    .values({ id, name: id, description: '', created_at: 0, created_by: 'test' })
    .execute();
  return id;
}

export async function seedExperiment(
  store: MetadataStore,
  workspaceId: string,
  opts: {
    name?: string;
    creationTime?: number;
    lastUpdateTime?: number;
    deleted?: boolean;
    tags?: Record<string, string>;
  } = {},
): Promise<number> {
  const row = await store.db
    .insertInto('experiments')
    .values({
      workspace_id: workspaceId,
      name: opts.name ?? freshId('exp'),
      artifact_location: 'mlflow-artifacts:/x',
      lifecycle_stage: opts.deleted ? 'deleted' : 'active',
      creation_time: opts.creationTime ?? 0,
      last_update_time: opts.lastUpdateTime ?? opts.creationTime ?? 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  const tags = Object.entries(opts.tags ?? {});
  if (tags.length > 0) {
    await store.db
      .insertInto('experiment_tags')
      .values(tags.map(([key, value]) => ({ experiment_id: id, key, value })))
      .execute();
  }
  return id;
}

/** Inserts runs; returns a map from run name to its fresh id. */
export async function seedRuns(store: MetadataStore, runs: SeedRun[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const r of runs) {
    const id = freshId();
    ids.set(r.name, id);
    await store.db
      .insertInto('runs')
      .values({
        id,
        experiment_id: r.experimentId,
        workspace_id: r.workspaceId,
        name: r.name,
        user_id: r.userId ?? 'user',
        status: r.status ?? 'FINISHED',
        start_time: r.startTime,
        end_time: r.endTime ?? null,
        lifecycle_stage: r.deleted ? 'deleted' : 'active',
        artifact_uri: `mlflow-artifacts:/${r.experimentId}/${id}/artifacts`,
        parent_run_id: null,
        deleted_time: null,
      })
      .execute();
    const metrics = Object.entries(r.metrics ?? {});
    if (metrics.length > 0) {
      await store.db
        .insertInto('latest_metrics')
        .values(
          metrics.map(([key, v]) => ({
            run_id: id,
            key,
            step: 0,
            timestamp: 0,
            value: Number.isNaN(v) ? null : v,
            is_nan: Number.isNaN(v) ? 1 : 0,
          })),
        )
        .execute();
    }
    const tags = { 'mlflow.runName': r.name, ...r.tags };
    await store.db
      .insertInto('run_tags')
      .values(Object.entries(tags).map(([key, value]) => ({ run_id: id, key, value })))
      .execute();
    const params = Object.entries(r.params ?? {});
    if (params.length > 0) {
      await store.db
        .insertInto('params')
        .values(params.map(([key, value]) => ({ run_id: id, key, value })))
        .execute();
    }
    for (const d of r.datasets ?? []) {
      const payload = {
        tags: d.context ? [{ key: 'mlflow.data.context', value: d.context }] : [],
        dataset: { name: d.name, digest: d.digest, sourceType: 'local', source: '{}' },
      };
      await store.db
        .insertInto('run_inputs')
        .values({ run_id: id, kind: 'dataset', payload: JSON.stringify(payload) })
        .execute();
    }
  }
  return ids;
}

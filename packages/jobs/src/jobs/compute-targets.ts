import { alreadyExists, invalidArgument, notFound } from '@cairn/core';
import type { MetadataStore } from '@cairn/store';
import { audit, type RequestContext } from '@cairn/tracking';
import { type ComputeSpec, computeSpecSchema, didYouMean } from '../spec/index.js';

export interface ComputeTarget {
  name: string;
  kind: ComputeSpec['type'];
  spec: ComputeSpec;
  builtIn: boolean;
  createdBy: string | null;
  createdAt: number | null;
}

export const LOCAL_COMPUTE = 'local';
const BUILT_IN_LOCAL: ComputeTarget = {
  name: LOCAL_COMPUTE,
  kind: 'local',
  spec: { name: LOCAL_COMPUTE, type: 'local' },
  builtIn: true,
  createdBy: null,
  createdAt: null,
};

/** Registers a compute target in the workspace; `local` is built in and cannot be replaced. */
export async function createComputeTarget(
  store: MetadataStore,
  ctx: RequestContext,
  input: ComputeSpec,
): Promise<ComputeTarget> {
  const spec = computeSpecSchema.parse(input);
  if (spec.name === LOCAL_COMPUTE) {
    throw alreadyExists("'local' is the built-in compute target: give your target another name", {
      field: 'name',
    });
  }
  const createdAt = Date.now();
  await store.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('compute_targets')
      .select('name')
      .where('workspace_id', '=', ctx.workspaceId)
      .where('name', '=', spec.name)
      .executeTakeFirst();
    if (existing) {
      throw alreadyExists(
        `Compute target '${spec.name}' already exists: delete it first or pick another name`,
        {
          field: 'name',
        },
      );
    }
    await trx
      .insertInto('compute_targets')
      .values({
        workspace_id: ctx.workspaceId,
        name: spec.name,
        kind: spec.type,
        spec: JSON.stringify(spec),
        created_by: ctx.actor,
        created_at: createdAt,
      })
      .execute();
    await audit(trx, ctx, 'compute.create', 'compute', spec.name, { kind: spec.type });
  });
  return { name: spec.name, kind: spec.type, spec, builtIn: false, createdBy: ctx.actor, createdAt };
}

export async function listComputeTargets(
  store: MetadataStore,
  workspaceId: string,
): Promise<ComputeTarget[]> {
  const rows = await store.db
    .selectFrom('compute_targets')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .execute();
  return [
    BUILT_IN_LOCAL,
    ...rows.map((r) => ({
      name: r.name,
      kind: r.kind as ComputeSpec['type'],
      spec: JSON.parse(r.spec) as ComputeSpec,
      builtIn: false,
      createdBy: r.created_by,
      createdAt: Number(r.created_at),
    })),
  ];
}

/** The named target; NOT_FOUND names `field` (`compute` when resolving a job's). */
export async function getComputeTarget(
  store: MetadataStore,
  workspaceId: string,
  name: string,
  field = 'name',
): Promise<ComputeTarget> {
  const all = await listComputeTargets(store, workspaceId);
  const found = all.find((t) => t.name === name);
  if (found) return found;
  const names = all.map((t) => t.name);
  const message = `Compute target '${name}' does not exist in workspace '${workspaceId}'${didYouMean(name, names)}: known targets are ${names.join(', ')}; create one with 'cairn compute create -f compute.yml'`;
  throw field === 'compute' ? invalidArgument(message, { field }) : notFound(message, { field });
}

export async function deleteComputeTarget(
  store: MetadataStore,
  ctx: RequestContext,
  name: string,
): Promise<void> {
  if (name === LOCAL_COMPUTE) {
    throw invalidArgument("'local' is the built-in compute target and cannot be deleted", { field: 'name' });
  }
  await getComputeTarget(store, ctx.workspaceId, name);
  await store.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('compute_targets')
      .where('workspace_id', '=', ctx.workspaceId)
      .where('name', '=', name)
      .execute();
    await audit(trx, ctx, 'compute.delete', 'compute', name);
  });
}

import { createHash } from 'node:crypto';
import { alreadyExists, invalidArgument, notFound } from '@cairn/core';
import type { MetadataStore } from '@cairn/store';
import { audit, type RequestContext } from '@cairn/tracking';
import type { EnvironmentLaunch } from '../compute/compute-adapter.js';
import { type CuratedEnvironment, curatedEnvironments } from '../environments/curated-environments.js';
import { type EnvironmentSpec, environmentSpecSchema, type InlineEnvironment } from '../spec/index.js';

export interface Environment {
  name: string;
  version: string;
  spec: EnvironmentSpec;
  hash: string;
  createdBy: string;
  createdAt: number;
}

/** JSON with keys sorted, so equal specs hash equally whatever order they were written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** TODO(issue 3): use environments/normalizeEnvironment + environmentHash once committed, so the
 * registry and the venv cache share one key. The sha256 of what makes an environment (not its name, version or description): its cache key. */
export function environmentSpecHash(spec: InlineEnvironment | EnvironmentSpec): string {
  const { name: _n, version: _v, description: _d, tags: _t, $schema: _s, ...content } = spec;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * What an engine needs to materialise the environment. Only `pip` lines and an inline conda file's pip
 * section are read here; a conda file given as a path is read by the CLI/spec loader before submit.
 */
export function environmentLaunchOf(spec: InlineEnvironment | EnvironmentSpec): EnvironmentLaunch {
  const pip = [...(spec.pip ?? [])];
  if (spec.conda_file !== undefined && typeof spec.conda_file === 'object') {
    const deps = (spec.conda_file as { dependencies?: unknown }).dependencies;
    for (const dep of Array.isArray(deps) ? deps : []) {
      if (dep !== null && typeof dep === 'object' && Array.isArray((dep as { pip?: unknown }).pip)) {
        pip.push(...(dep as { pip: unknown[] }).pip.map(String));
      }
    }
  }
  return {
    hash: environmentSpecHash(spec),
    pythonVersion: spec.python ?? null,
    pip,
    image: spec.image ?? null,
  };
}

const toEnvironment = (r: {
  name: string;
  version: string;
  spec: string;
  hash: string;
  created_by: string;
  created_at: number;
}): Environment => ({
  name: r.name,
  version: r.version,
  spec: JSON.parse(r.spec) as EnvironmentSpec,
  hash: r.hash,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
});

/** Registers a version of an environment; without `version`, the next integer after the highest. */
export async function createEnvironment(
  store: MetadataStore,
  ctx: RequestContext,
  input: EnvironmentSpec,
): Promise<Environment> {
  const spec = environmentSpecSchema.parse(input);
  const hash = environmentSpecHash(spec);
  const createdAt = Date.now();
  const version = await store.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('environments')
      .select('version')
      .where('workspace_id', '=', ctx.workspaceId)
      .where('name', '=', spec.name)
      .execute();
    const version =
      spec.version ??
      String(Math.max(0, ...existing.map((e) => Number(e.version)).filter(Number.isFinite)) + 1);
    if (existing.some((e) => e.version === version)) {
      throw alreadyExists(
        `Environment '${spec.name}' version ${version} already exists: versions are immutable, give a new version`,
        { field: 'version' },
      );
    }
    await trx
      .insertInto('environments')
      .values({
        workspace_id: ctx.workspaceId,
        name: spec.name,
        version,
        spec: JSON.stringify({ ...spec, version }),
        hash,
        created_by: ctx.actor,
        created_at: createdAt,
      })
      .execute();
    await audit(trx, ctx, 'environment.create', 'environment', `${spec.name}:${version}`, { hash });
    return version;
  });
  return { name: spec.name, version, spec: { ...spec, version }, hash, createdBy: ctx.actor, createdAt };
}

/** Who registers the curated environments (in `created_by` and the audit log). */
export const CURATED_ACTOR = 'cairn';

let curatedFiles: Promise<CuratedEnvironment[]> | null = null;

/** The curated definitions, read once per process (they ship beside the sources and never change). */
function curated(): Promise<CuratedEnvironment[]> {
  curatedFiles ??= curatedEnvironments().catch((err: unknown) => {
    curatedFiles = null;
    throw err;
  });
  return curatedFiles;
}

/**
 * Registers the environments Cairn ships (`sklearn-1.9`, `pytorch-2.15-cpu`, `minimal-py3.11`) in a
 * workspace, each as the version its YAML gives, where that name and version is not registered yet.
 * Called lazily by `listEnvironments` and by `getEnvironment` for a curated name, so every workspace,
 * also one created after the server started, has them before anyone can look; idempotent, and safe
 * when two servers do it at once (insert if missing). A workspace's own version of the same name and
 * version is never replaced. Returns the `name:version`s it registered.
 */
export async function ensureCuratedEnvironments(
  store: MetadataStore,
  workspaceId: string,
): Promise<string[]> {
  const shipped = await curated();
  const present = await store.db
    .selectFrom('environments')
    .select(['name', 'version'])
    .where('workspace_id', '=', workspaceId)
    .where(
      'name',
      'in',
      shipped.map((c) => c.spec.name),
    )
    .execute();
  const have = new Set(present.map((r) => `${r.name}:${r.version}`));
  const missing = shipped.filter((c) => !have.has(`${c.spec.name}:${c.spec.version ?? '1'}`));
  if (missing.length === 0) return [];
  const workspace = await store.db
    .selectFrom('workspaces')
    .select('id')
    .where('id', '=', workspaceId)
    .executeTakeFirst();
  if (!workspace) return [];
  const ctx: RequestContext = {
    workspaceId,
    actor: CURATED_ACTOR,
    message: 'curated environment shipped with Cairn',
  };
  const registered: string[] = [];
  await store.db.transaction().execute(async (trx) => {
    for (const { spec: written } of missing) {
      const version = written.version ?? '1';
      const spec = environmentSpecSchema.parse({ ...written, version });
      const hash = environmentSpecHash(spec);
      const inserted = await trx
        .insertInto('environments')
        .values({
          workspace_id: workspaceId,
          name: spec.name,
          version,
          spec: JSON.stringify(spec),
          hash,
          created_by: CURATED_ACTOR,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'name', 'version']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue; // another server was first
      await audit(trx, ctx, 'environment.create', 'environment', `${spec.name}:${version}`, {
        hash,
        curated: true,
      });
      registered.push(`${spec.name}:${version}`);
    }
  });
  return registered;
}

/** Whether `name` is one of the curated environments (so a read of it registers them first). */
async function isCuratedName(name: string): Promise<boolean> {
  return (await curated()).some((c) => c.spec.name === name);
}

/** Every version of every environment, newest version first within a name (curated ones included). */
export async function listEnvironments(store: MetadataStore, workspaceId: string): Promise<Environment[]> {
  await ensureCuratedEnvironments(store, workspaceId);
  const rows = await store.db
    .selectFrom('environments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toEnvironment);
}

/** `version` null or `latest`: the newest. NOT_FOUND (or INVALID_ARGUMENT for a job) names `field`. */
export async function getEnvironment(
  store: MetadataStore,
  workspaceId: string,
  name: string,
  version: string | null,
  field = 'name',
): Promise<Environment> {
  if (await isCuratedName(name)) await ensureCuratedEnvironments(store, workspaceId);
  let query = store.db
    .selectFrom('environments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name);
  if (version !== null && version !== 'latest') query = query.where('version', '=', version);
  const row = await query.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  if (row) return toEnvironment(row);
  const what = version === null || version === 'latest' ? `'${name}'` : `'${name}' version ${version}`;
  const message = `Environment ${what} does not exist in workspace '${workspaceId}': register it with 'cairn environment create -f env.yml' or list them with 'cairn environment list'`;
  throw field === 'environment' ? invalidArgument(message, { field }) : notFound(message, { field });
}

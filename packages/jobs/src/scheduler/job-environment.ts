import { CairnError, ErrorCode, invalidArgument } from '@cairn/core';
import type { MetadataStore } from '@cairn/store';
import { type NormalizedEnvironment, normalizeEnvironment } from '../environments/index.js';
import { getEnvironment } from '../jobs/environments.js';
import { type CommandJobSpec, type InlineEnvironment, parseAssetRef } from '../spec/index.js';

/** Where local jobs' environments are built, and the PATH the virtualenv's bin goes in front of. */
export interface JobEnvironmentOptions {
  /** The virtualenv cache (`<dataDir>/envs` by default): one folder per environment hash. */
  cacheDir: string;
  /** The PATH local jobs start from. */
  path?: string;
}

/**
 * The environment a job names, normalised (pip lines, Python version, hash): inline, or registered
 * (`azureml:name:version`, `name@latest`). A registered one is the version the job was submitted with
 * (matched by the hash stored with the job), so a version registered meanwhile does not change it.
 * Relative paths in an inline spec (conda_file, `-r` files) are read from the job's code folder.
 */
export async function resolveJobEnvironment(
  store: MetadataStore,
  input: { workspaceId: string; spec: CommandJobSpec; environmentHash: string | null; baseDir: string },
): Promise<NormalizedEnvironment | null> {
  const written = input.spec.environment;
  if (written === undefined) return null;
  let spec: InlineEnvironment;
  if (typeof written === 'object') spec = written;
  else {
    const ref = parseAssetRef(written, 'environment');
    if (ref.kind === 'datastore-path') {
      throw invalidArgument(`environment: '${written}' is a datastore path, not an environment`, {
        field: 'environment',
      });
    }
    const pinned =
      input.environmentHash === null
        ? undefined
        : await store.db
            .selectFrom('environments')
            .select('spec')
            .where('workspace_id', '=', input.workspaceId)
            .where('name', '=', ref.name)
            .where('hash', '=', input.environmentHash)
            .executeTakeFirst();
    spec = pinned
      ? (JSON.parse(pinned.spec) as InlineEnvironment)
      : (
          await getEnvironment(
            store,
            input.workspaceId,
            ref.name,
            ref.kind === 'versioned' ? ref.version : ref.label,
            'environment',
          )
        ).spec;
  }
  return normalizeEnvironment(spec, { baseDir: input.baseDir });
}

/** Marks an error thrown while preparing the job's environment, so the job fails with its own words. */
export function asEnvironmentError(err: unknown): CairnError {
  const message = err instanceof Error ? err.message : String(err);
  const details = err instanceof CairnError ? err.details : {};
  const code = err instanceof CairnError ? err.code : ErrorCode.INTERNAL;
  return new CairnError(code, message, { ...details, environmentBuild: true }, { cause: err });
}

export const isEnvironmentError = (err: unknown): err is CairnError =>
  err instanceof CairnError && err.details.environmentBuild === true;

import type { DatastoreSpec, S3Credentials } from './datastore-spec.js';

/**
 * The secret fields of a datastore, kept apart from the rest: the registry stores them sealed by a
 * `SecretBox` and the rest in clear. Every field that is secret is named here, so `redactDatastore`
 * and `splitDatastoreSecrets` cannot miss one that the other knows.
 */
export interface DatastoreSecrets {
  /** s3 */
  credentials?: S3Credentials;
  /** http: header name → value. */
  headers?: Record<string, string>;
}

export const REDACTED = '***';

/**
 * The spec without its secrets (safe to store in clear and to return), and the secrets alone
 * (`null` when there are none).
 */
export function splitDatastoreSecrets(spec: DatastoreSpec): {
  spec: DatastoreSpec;
  secrets: DatastoreSecrets | null;
} {
  if (spec.type === 's3' && spec.credentials !== undefined) {
    const { credentials, ...rest } = spec;
    return { spec: rest, secrets: { credentials } };
  }
  if (spec.type === 'http' && spec.headers !== undefined) {
    const { headers, ...rest } = spec;
    return { spec: rest, secrets: { headers } };
  }
  return { spec, secrets: null };
}

/** The spec with `secrets` put back (what `openDatastore` reads); fields the type has no use for are ignored. */
export function withDatastoreSecrets(
  spec: DatastoreSpec,
  secrets: DatastoreSecrets | null | undefined,
): DatastoreSpec {
  if (secrets === null || secrets === undefined) return spec;
  if (spec.type === 's3' && secrets.credentials !== undefined)
    return { ...spec, credentials: secrets.credentials };
  if (spec.type === 'http' && secrets.headers !== undefined) return { ...spec, headers: secrets.headers };
  return spec;
}

/**
 * The spec as the API may show it: each secret value replaced by `***`, keeping which fields and
 * header names are set. Also takes a spec already split (then `secrets` tells what was set).
 */
export function redactDatastore(spec: DatastoreSpec, secrets?: DatastoreSecrets | null): DatastoreSpec {
  const full = withDatastoreSecrets(spec, secrets);
  if (full.type === 's3' && full.credentials !== undefined) {
    return {
      ...full,
      credentials: {
        access_key_id: REDACTED,
        secret_access_key: REDACTED,
        ...(full.credentials.session_token === undefined ? {} : { session_token: REDACTED }),
      },
    };
  }
  if (full.type === 'http' && full.headers !== undefined) {
    return {
      ...full,
      headers: Object.fromEntries(Object.keys(full.headers).map((name) => [name, REDACTED])),
    };
  }
  return full;
}

import { CairnError, ErrorCode, invalidArgument, notFound, permissionDenied } from '@cairn/core';
import { networkCode } from '../network-error.js';

/** What a failed S3 call was about, for the message. */
export interface S3ErrorContext {
  datastore: string;
  bucket: string;
  /** The endpoint as configured, or `AWS S3 (<region>)`. */
  endpoint: string;
  signed: boolean;
  /** The object, when the call was about one (`key` in the bucket, `path` in the datastore). */
  object?: { key: string; path: string };
}

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'Forbidden',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
]);

const nameOf = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';

export const httpStatusOf = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

/** True for an object (or bucket) that is not there. */
export function isS3NotFound(err: unknown): boolean {
  const name = nameOf(err);
  return name === 'NotFound' || name === 'NoSuchKey' || httpStatusOf(err) === 404;
}

/**
 * Turns an S3 failure into a CairnError that names the endpoint (cannot reach it), the datastore
 * (credentials refused) or the bucket or object (not there). Anything else is returned unchanged.
 */
export function describeS3Error(err: unknown, ctx: S3ErrorContext, timeoutMs: number): unknown {
  if (err instanceof CairnError) return err;
  const name = nameOf(err);
  const status = httpStatusOf(err);
  const network = status === undefined ? networkCode(err) : undefined;
  if (network !== undefined) {
    const why =
      network === 'AbortError' || network === 'TimeoutError'
        ? `no answer within ${Math.round(timeoutMs / 100) / 10} s`
        : network;
    return new CairnError(
      ErrorCode.UNAVAILABLE,
      `Cannot reach the S3 endpoint ${ctx.endpoint} of datastore '${ctx.datastore}' (${why}): check endpoint_url and that the store is running`,
      { field: 'endpoint_url', datastore: ctx.datastore },
      { cause: err },
    );
  }
  if (CREDENTIAL_ERRORS.has(name) || status === 403 || status === 401) {
    const what = ctx.signed ? 'the credentials of' : 'anonymous (unsigned) requests from';
    const fix = ctx.signed
      ? "check credentials.access_key_id and credentials.secret_access_key, and the key's permissions on the bucket"
      : 'give the datastore credentials';
    return withCause(
      permissionDenied(
        `S3 at ${ctx.endpoint} refused ${what} datastore '${ctx.datastore}' for bucket '${ctx.bucket}' (${name || status}): ${fix}`,
        { field: 'credentials', datastore: ctx.datastore },
      ),
      err,
    );
  }
  if (name === 'NoSuchBucket' || (status === 404 && ctx.object === undefined)) {
    return withCause(
      notFound(
        `Bucket '${ctx.bucket}' does not exist at ${ctx.endpoint} (datastore '${ctx.datastore}'): create it, or fix the datastore's bucket`,
        { field: 'bucket', datastore: ctx.datastore },
      ),
      err,
    );
  }
  if (ctx.object !== undefined && isS3NotFound(err)) {
    return withCause(
      notFound(
        `Datastore '${ctx.datastore}' has no file "${ctx.object.path}" (s3://${ctx.bucket}/${ctx.object.key})`,
        { field: 'path', datastore: ctx.datastore },
      ),
      err,
    );
  }
  if (name === 'InvalidRange' || status === 416) {
    return withCause(
      invalidArgument(`The range asked of "${ctx.object?.path}" starts past the end of the file`, {
        field: 'range',
      }),
      err,
    );
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
    return withCause(
      invalidArgument(
        `Bucket '${ctx.bucket}' of datastore '${ctx.datastore}' is in another region than ${ctx.endpoint}: set region to the bucket's region`,
        { field: 'region', datastore: ctx.datastore },
      ),
      err,
    );
  }
  if (status !== undefined && status >= 500) {
    return new CairnError(
      ErrorCode.UNAVAILABLE,
      `S3 at ${ctx.endpoint} failed a request of datastore '${ctx.datastore}' (${status} ${name}): try again later`,
      { datastore: ctx.datastore },
      { cause: err },
    );
  }
  return err;
}

function withCause(error: CairnError, cause: unknown): CairnError {
  return new CairnError(error.code, error.message, error.details, { cause });
}

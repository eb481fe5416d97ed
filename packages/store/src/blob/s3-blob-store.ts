import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CairnError, ErrorCode, invalidArgument, notFound } from '@cairn/core';
import { type BlobStore, type PutResult, SHA256_PATTERN } from './blob-store.js';

/** How to reach an S3-compatible store; the shape of the server's `s3` settings. */
export interface S3Settings {
  /** Custom endpoint (SeaweedFS, MinIO, …); null for AWS itself. Addressing is path-style when set. */
  endpoint: string | null;
  region: string;
  /** Static keys; when null the AWS SDK's default chain (env, profile, instance role) is used. */
  accessKeyId: string | null;
  secretAccessKey: string | null;
}

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  /** Described in error messages (the endpoint, or 'AWS S3'). */
  endpointLabel: string;
  /** Upload part size in bytes; memory use of a put is about partBytes × queueSize. Default 8 MiB. */
  partBytes?: number;
  /** Parts uploaded at once. Default 4. */
  queueSize?: number;
  /** Objects larger than this are moved with a multipart copy (CopyObject stops at 5 GiB). Default 5 GiB. */
  copyThresholdBytes?: number;
  /** Part size of a multipart copy. Default 1 GiB (so up to ~10 TB in 10,000 parts). */
  copyPartBytes?: number;
}

const GiB = 1024 ** 3;

/**
 * Blobs as objects under `<prefix>sha256/ab/cd/<hash>` in one bucket. The hash is known only once the
 * body has been read, so a put streams into a temporary key (`<prefix>tmp/<uuid>`, multipart, bounded
 * memory) while hashing, then copies it server-side to its content address and deletes the temporary
 * key. A crash in between leaves at most a stray `tmp/` object (a bucket lifecycle rule on `tmp/` can
 * expire them), never a partial object under a real name.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #endpointLabel: string;
  readonly #partBytes: number;
  readonly #queueSize: number;
  readonly #copyThresholdBytes: number;
  readonly #copyPartBytes: number;

  constructor(options: S3BlobStoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix;
    this.#endpointLabel = options.endpointLabel;
    this.#partBytes = options.partBytes ?? 8 * 1024 * 1024;
    this.#queueSize = options.queueSize ?? 4;
    this.#copyThresholdBytes = options.copyThresholdBytes ?? 5 * GiB;
    this.#copyPartBytes = options.copyPartBytes ?? GiB;
  }

  /** `s3://bucket` or `s3://bucket/some/prefix`, reached with `s3` settings. */
  static fromUri(
    uri: string,
    s3: S3Settings,
    options: Partial<
      Pick<S3BlobStoreOptions, 'partBytes' | 'queueSize' | 'copyThresholdBytes' | 'copyPartBytes'>
    > = {},
  ): S3BlobStore {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!match) {
      throw invalidArgument(`Blob store URI '${uri}' is not of the form s3://bucket/prefix`, {
        field: 'blobUri',
      });
    }
    const bucket = match[1]!;
    const rawPrefix = match[2]!.replace(/^\/+|\/+$/g, '');
    if ((s3.accessKeyId === null) !== (s3.secretAccessKey === null)) {
      throw invalidArgument(
        'S3 credentials are half set: give both s3.accessKeyId and s3.secretAccessKey (CAIRN_S3_ACCESS_KEY_ID, CAIRN_S3_SECRET_ACCESS_KEY), or neither to use the AWS default chain',
        { field: s3.accessKeyId === null ? 's3.accessKeyId' : 's3.secretAccessKey' },
      );
    }
    if (s3.endpoint !== null && !/^https?:\/\/[^/]+/.test(s3.endpoint)) {
      throw invalidArgument(
        `S3 endpoint '${s3.endpoint}' is not an http(s) URL: set s3.endpoint (CAIRN_S3_ENDPOINT) like http://127.0.0.1:8333`,
        { field: 's3.endpoint' },
      );
    }
    const client = new S3Client({
      region: s3.region,
      ...(s3.endpoint !== null ? { endpoint: s3.endpoint, forcePathStyle: true } : {}),
      ...(s3.accessKeyId !== null && s3.secretAccessKey !== null
        ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
        : {}),
    });
    return new S3BlobStore({
      client,
      bucket,
      prefix: rawPrefix ? `${rawPrefix}/` : '',
      endpointLabel: s3.endpoint ?? `AWS S3 (${s3.region})`,
      ...options,
    });
  }

  /** Checks that the endpoint answers, the credentials are accepted and the bucket exists. */
  async verify(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (err) {
      throw this.#describe(err, { bucketLevel: true });
    }
  }

  #keyOf(sha256: string): string {
    if (!SHA256_PATTERN.test(sha256)) throw invalidArgument(`'${sha256}' is not a sha256 digest`);
    return `${this.#prefix}sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async put(body: Readable | AsyncIterable<Uint8Array>): Promise<PutResult> {
    const hash = createHash('sha256');
    let size = 0;
    async function* hashing(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        hash.update(bytes);
        size += bytes.length;
        yield bytes;
      }
    }
    const tmpKey = `${this.#prefix}tmp/${randomUUID()}`;
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: tmpKey, Body: Readable.from(hashing(), { objectMode: false }) },
      partSize: this.#partBytes,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      await this.#deleteQuietly(tmpKey);
      throw this.#describe(err);
    }
    try {
      const sha256 = hash.digest('hex');
      const key = this.#keyOf(sha256);
      if (await this.#exists(key)) return { sha256, size, created: false };
      await this.#copy(tmpKey, key, size);
      return { sha256, size, created: true };
    } catch (err) {
      throw this.#describe(err);
    } finally {
      await this.#deleteQuietly(tmpKey);
    }
  }

  async get(sha256: string, range?: { start: number; end?: number }): Promise<Readable> {
    const key = this.#keyOf(sha256);
    try {
      const out = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
      );
      return out.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw notFound(`Blob ${sha256} does not exist`);
      // A range that starts past the end reads as empty, as it does from the local store.
      if (errorName(err) === 'InvalidRange' && (await this.#exists(key))) return Readable.from([]);
      throw this.#describe(err);
    }
  }

  async has(sha256: string): Promise<boolean> {
    return this.#exists(this.#keyOf(sha256));
  }

  async size(sha256: string): Promise<number | null> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#keyOf(sha256) }),
      );
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.#describe(err);
    }
  }

  async delete(sha256: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#keyOf(sha256) }));
    } catch (err) {
      if (!isNotFound(err)) throw this.#describe(err);
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw this.#describe(err);
    }
  }

  async #copy(fromKey: string, toKey: string, size: number): Promise<void> {
    const CopySource = `${this.#bucket}/${fromKey}`;
    if (size <= this.#copyThresholdBytes) {
      await this.#client.send(new CopyObjectCommand({ Bucket: this.#bucket, Key: toKey, CopySource }));
      return;
    }
    const { UploadId } = await this.#client.send(
      new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: toKey }),
    );
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let start = 0, n = 1; start < size; start += this.#copyPartBytes, n++) {
        const end = Math.min(start + this.#copyPartBytes, size) - 1;
        const out = await this.#client.send(
          new UploadPartCopyCommand({
            Bucket: this.#bucket,
            Key: toKey,
            UploadId,
            PartNumber: n,
            CopySource,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts.push({ ETag: out.CopyPartResult?.ETag ?? '', PartNumber: n });
      }
      await this.#client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: toKey,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      await this.#client
        .send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: toKey, UploadId }))
        .catch(() => undefined);
      throw err;
    }
  }

  async #deleteQuietly(key: string): Promise<void> {
    await this.#client
      .send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }))
      .catch(() => undefined);
  }

  /** Turns misconfiguration (endpoint, credentials, bucket) into an error that names the setting to fix. */
  #describe(err: unknown, { bucketLevel = false } = {}): unknown {
    if (err instanceof CairnError) return err;
    const name = errorName(err);
    const status = httpStatus(err);
    const where = `S3 at ${this.#endpointLabel}`;
    if (NETWORK_ERRORS.has(name) || NETWORK_ERRORS.has(errorCode(err))) {
      return unavailable(
        `Cannot reach ${where} (${errorCode(err) || name}): check the s3.endpoint setting (CAIRN_S3_ENDPOINT)`,
        's3.endpoint',
        err,
      );
    }
    if (CREDENTIAL_ERRORS.has(name) || status === 403) {
      return unavailable(
        `${where} rejected the credentials for bucket '${this.#bucket}' (${name || status}): check s3.accessKeyId and s3.secretAccessKey (CAIRN_S3_ACCESS_KEY_ID, CAIRN_S3_SECRET_ACCESS_KEY) and the key's permissions on the bucket`,
        's3.accessKeyId',
        err,
      );
    }
    if (name === 'NoSuchBucket' || (bucketLevel && status === 404)) {
      return unavailable(
        `Bucket '${this.#bucket}' does not exist at ${where}: create it, or fix the bucket in the blobUri setting (CAIRN_BLOB_URI=s3://bucket/prefix)`,
        'blobUri',
        err,
      );
    }
    if (name === 'PermanentRedirect' || status === 301) {
      return unavailable(
        `Bucket '${this.#bucket}' is in another region than ${where}: set s3.region (CAIRN_S3_REGION) to the bucket's region`,
        's3.region',
        err,
      );
    }
    return err;
  }
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'TimeoutError',
]);
const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'CredentialsProviderError',
]);

function unavailable(message: string, field: string, cause: unknown): CairnError {
  return new CairnError(ErrorCode.UNAVAILABLE, message, { field }, { cause });
}

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

function httpStatus(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return meta?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = errorName(err);
  return name === 'NotFound' || name === 'NoSuchKey' || (httpStatus(err) === 404 && name !== 'NoSuchBucket');
}

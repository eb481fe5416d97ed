import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  type ByteRange,
  checkRange,
  type DatastoreAdapter,
  type ResolvedDatastoreOptions,
  type SourceObject,
} from '../datastore-adapter.js';
import { joinDatastorePath, normaliseDatastorePath } from '../datastore-path.js';
import type { S3DatastoreSpec } from '../datastore-spec.js';
import { describeS3Error, isS3NotFound, type S3ErrorContext } from './s3-errors.js';

/**
 * A bucket (or a folder of one) on AWS S3 or an S3-compatible store. Without credentials requests go
 * unsigned: a datastore never borrows the server's own AWS identity from its environment.
 */
export class S3Datastore implements DatastoreAdapter {
  readonly type = 's3';
  readonly name: string;
  readonly location: string;
  readonly bucket: string;
  /** The datastore's folder in the bucket, `''` for the whole bucket. */
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #options: ResolvedDatastoreOptions;
  readonly #context: S3ErrorContext;

  constructor(spec: S3DatastoreSpec, options: ResolvedDatastoreOptions) {
    this.name = spec.name;
    this.bucket = spec.bucket;
    this.prefix = normaliseDatastorePath(spec.prefix ?? '', 'prefix');
    this.#options = options;
    const region = spec.region ?? 'us-east-1';
    const endpoint = spec.endpoint_url ?? `AWS S3 (${region})`;
    this.location = `s3://${this.bucket}${this.prefix === '' ? '' : `/${this.prefix}`} at ${endpoint}`;
    this.#context = {
      datastore: spec.name,
      bucket: spec.bucket,
      endpoint,
      signed: spec.credentials !== undefined,
    };
    const config: S3ClientConfig = {
      region,
      forcePathStyle: spec.force_path_style ?? spec.endpoint_url !== undefined,
      // One retry: a transient blip is absorbed, an unreachable store fails within seconds.
      maxAttempts: 2,
      requestHandler: { connectionTimeout: options.connectTimeoutMs },
      ...(spec.endpoint_url === undefined ? {} : { endpoint: spec.endpoint_url }),
    };
    if (spec.credentials !== undefined) {
      config.credentials = {
        accessKeyId: spec.credentials.access_key_id,
        secretAccessKey: spec.credentials.secret_access_key,
        ...(spec.credentials.session_token === undefined
          ? {}
          : { sessionToken: spec.credentials.session_token }),
      };
    } else {
      config.credentials = { accessKeyId: '', secretAccessKey: '' };
      config.signer = { sign: async (request) => request };
    }
    this.#client = new S3Client(config);
  }

  async check(): Promise<void> {
    await this.#headBucket();
    // Listing is what registering a folder needs; HeadBucket alone does not prove it is allowed.
    await this.#listPage({ Bucket: this.bucket, Prefix: this.#folderKey(''), MaxKeys: 1 });
  }

  async stat(path: string): Promise<SourceObject | null> {
    const rel = normaliseDatastorePath(path);
    if (rel === '' && this.prefix === '') return null;
    const key = joinDatastorePath(this.prefix, rel);
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        ...this.#timeout(),
      });
      return {
        path: rel,
        size: head.ContentLength ?? 0,
        mtimeMs: head.LastModified?.getTime() ?? null,
        etag: unquote(head.ETag),
        inode: null,
      };
    } catch (err) {
      if (isS3NotFound(err)) return null;
      throw describeS3Error(
        err,
        { ...this.#context, object: { key, path: rel } },
        this.#options.requestTimeoutMs,
      );
    }
  }

  async *list(path = ''): AsyncGenerator<SourceObject> {
    const rel = normaliseDatastorePath(path);
    const folder = this.#folderKey(rel);
    let token: string | undefined;
    let found = false;
    do {
      const page = await this.#listPage({
        Bucket: this.bucket,
        Prefix: folder,
        MaxKeys: this.#options.listPageSize,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      });
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        // Keys ending in '/' are the empty "folder" markers consoles create, not files.
        if (key === undefined || key.endsWith('/') || !key.startsWith(folder)) continue;
        found = true;
        yield {
          path: this.#pathOf(key),
          size: object.Size ?? 0,
          mtimeMs: object.LastModified?.getTime() ?? null,
          etag: unquote(object.ETag),
          inode: null,
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    // Nothing under `path/`: it may name one object.
    if (!found && rel !== '') {
      const file = await this.stat(rel);
      if (file !== null) yield file;
    }
  }

  async open(path: string, range?: ByteRange): Promise<Readable> {
    const rel = normaliseDatastorePath(path);
    const span = checkRange(range);
    if (span?.end !== undefined && span.end <= span.offset) return Readable.from([]);
    const key = joinDatastorePath(this.prefix, rel);
    const header =
      span === undefined ? undefined : `bytes=${span.offset}-${span.end === undefined ? '' : span.end - 1}`;
    // The timeout covers getting the response, not reading a large body.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#options.requestTimeoutMs);
    try {
      const response = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(header === undefined ? {} : { Range: header }),
        }),
        { abortSignal: abort.signal },
      );
      return response.Body as Readable;
    } catch (err) {
      throw describeS3Error(
        err,
        { ...this.#context, object: { key, path: rel } },
        this.#options.requestTimeoutMs,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  /** The key prefix under which the files of folder `rel` lie: `''` or ending in `/`. */
  #folderKey(rel: string): string {
    const folder = joinDatastorePath(this.prefix, rel);
    return folder === '' ? '' : `${folder}/`;
  }

  #pathOf(key: string): string {
    return this.prefix === '' ? key : key.slice(this.prefix.length + 1);
  }

  async #headBucket(): Promise<void> {
    await this.#guard(() =>
      this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }), this.#timeout()),
    );
  }

  #listPage(input: ListObjectsV2CommandInput): Promise<ListObjectsV2CommandOutput> {
    return this.#guard(() => this.#client.send(new ListObjectsV2Command(input), this.#timeout()));
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw describeS3Error(err, this.#context, this.#options.requestTimeoutMs);
    }
  }

  #timeout(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.#options.requestTimeoutMs) };
  }
}

const unquote = (etag: string | undefined): string | null =>
  etag === undefined ? null : etag.replace(/^"(.*)"$/, '$1');

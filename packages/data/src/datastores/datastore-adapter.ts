import type { Readable } from 'node:stream';
import { invalidArgument } from '@cairn/core';

/** One file seen in a datastore. */
export interface SourceObject {
  /** Relative to the datastore's root, POSIX (`images/cat.png`); `''` for a datastore that is one file. */
  path: string;
  size: number;
  /** Last modification, when the store reports one. */
  mtimeMs: number | null;
  /** S3's ETag (without quotes) or the HTTP `ETag` header as sent; null for local files. */
  etag: string | null;
  /** Local files only: with size and mtime, what tells an unchanged file without reading it. */
  inode: number | null;
}

/** Part of a file: `length` bytes from `offset` (to the end when left out). */
export interface ByteRange {
  offset: number;
  length?: number;
}

/**
 * What the registry needs from any datastore. Paths are relative to the datastore's root and
 * normalised (`normaliseDatastorePath`); failures are `CairnError`s: UNAVAILABLE (cannot reach it,
 * naming the endpoint), PERMISSION_DENIED (credentials refused, naming the datastore), NOT_FOUND.
 */
export interface DatastoreAdapter {
  readonly type: 'local' | 's3' | 'http';
  readonly name: string;
  /** Where it points, for messages: `/data/raw`, `s3://bucket/prefix at http://host:8333`, a URL. */
  readonly location: string;
  /** Reachable, credentials accepted, root (folder, bucket, URL) exists. */
  check(): Promise<void>;
  /** The file at `path`; null when there is none (or it is a folder). */
  stat(path: string): Promise<SourceObject | null>;
  /**
   * Every file under the folder `path` (`''`: the whole datastore), recursively; a `path` naming a file
   * yields that file. Order is stable for a given content but not necessarily sorted.
   */
  list(path?: string): AsyncIterable<SourceObject>;
  /** The bytes of the file at `path`, or of `range` of it. NOT_FOUND when there is no such file. */
  open(path: string, range?: ByteRange): Promise<Readable>;
  /** Releases connections; the adapter is not used after. */
  close(): Promise<void>;
}

/** Options shared by all adapters, with their defaults. */
export interface DatastoreOptions {
  /** Give up on opening a connection after this long. Default 3000 ms. */
  connectTimeoutMs?: number;
  /** Give up on a metadata request (HEAD, a list page, response headers of a read). Default 30000 ms. */
  requestTimeoutMs?: number;
  /** Keys per S3 ListObjectsV2 page. Default 1000 (the S3 maximum). */
  listPageSize?: number;
}

export interface ResolvedDatastoreOptions {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  listPageSize: number;
}

export function resolveDatastoreOptions(options: DatastoreOptions = {}): ResolvedDatastoreOptions {
  const resolved = {
    connectTimeoutMs: options.connectTimeoutMs ?? 3000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    listPageSize: options.listPageSize ?? 1000,
  };
  for (const [field, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) {
      throw invalidArgument(`${field} must be a positive integer, got ${value}`, { field });
    }
  }
  if (resolved.listPageSize > 1000) {
    throw invalidArgument(`listPageSize is at most 1000 (the S3 limit), got ${resolved.listPageSize}`, {
      field: 'listPageSize',
    });
  }
  return resolved;
}

/** Checks a range; `end` is exclusive (`offset + length`), or undefined for "to the end". */
export function checkRange(
  range: ByteRange | undefined,
): { offset: number; end: number | undefined } | undefined {
  if (range === undefined) return undefined;
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw invalidArgument(`range.offset must be a non-negative integer, got ${offset}`, {
      field: 'range.offset',
    });
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw invalidArgument(`range.length must be a non-negative integer, got ${length}`, {
      field: 'range.length',
    });
  }
  return { offset, end: length === undefined ? undefined : offset + length };
}

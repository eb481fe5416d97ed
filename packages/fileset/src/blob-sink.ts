import type { Readable } from 'node:stream';
import type { BlobStore } from '@cairn/store';
import { mapLimit } from './map-limit.js';

/**
 * Where a file set's content goes: the server's own blob store (`blobStoreSink`), or a remote server
 * through its HTTP API, so a CLI can upload a folder it hashed locally.
 */
export interface BlobSink {
  /** Of these sha256s, the ones the destination lacks (called in batches of at most 10,000). */
  missing(sha256s: readonly string[]): Promise<Set<string>>;
  /** Streams one file's content; resolves with what the destination computed. */
  put(
    body: Readable,
    expected: { sha256: string; size: number },
  ): Promise<{ sha256: string; size: number; created: boolean }>;
  /** Puts worth keeping in flight at once for this destination. Default 8. */
  readonly concurrency?: number;
  /**
   * Uploads many small files in one request (a remote server: one round trip instead of one per file).
   * Reads the files itself, reporting bytes as they are sent; resolves in the order given.
   */
  putBatch?(
    files: readonly { path: string; absolutePath: string; size: number; sha256: string }[],
    onBytes: (n: number) => void,
  ): Promise<Array<{ sha256: string; size: number; created: boolean }>>;
}

/** The most sha256s passed to one `BlobSink.missing` call. */
export const MISSING_BATCH_SIZE = 10_000;

/**
 * A sink into a `BlobStore`. An S3 put is several round trips (upload, copy to its address, delete), so
 * many small files need many requests in flight to keep the link busy; a local store is bound by the
 * disk and libuv's thread pool.
 */
export function blobStoreSink(store: BlobStore): BlobSink {
  const remote = store.kind === 's3';
  return {
    concurrency: remote ? 32 : 8,
    async missing(sha256s) {
      const present = await mapLimit(sha256s, remote ? 64 : 16, (sha256) => store.has(sha256));
      return new Set(sha256s.filter((_, i) => !present[i]));
    },
    put: (body) => store.put(body),
  };
}

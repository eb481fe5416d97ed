import type { Readable } from 'node:stream';

export interface PutResult {
  sha256: string;
  size: number;
  /** False when identical bytes were already stored (nothing new was written). */
  created: boolean;
}

/**
 * Content-addressed storage of bytes: every blob is named by the sha256 of its content, so identical
 * content is stored once. Implementations stream; no method holds a whole blob in memory.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Streams `body` into the store, hashing as it goes. */
  put(body: Readable | AsyncIterable<Uint8Array>): Promise<PutResult>;
  /** Streams a blob out; `range` is inclusive, as HTTP ranges are. Throws NOT_FOUND for unknown blobs. */
  get(sha256: string, range?: { start: number; end?: number }): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  size(sha256: string): Promise<number | null>;
  delete(sha256: string): Promise<void>;
  close?(): Promise<void>;
}

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

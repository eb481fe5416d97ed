import { conflict, invalidArgument } from '@cairn/core';
import {
  type FileHash,
  type HashPool,
  isPathFailure,
  type PathFailure,
  sharedHashPool,
} from './hash-pool.js';
import { type ProgressListener, ProgressMeter } from './progress.js';

export interface FileToHash {
  absolutePath: string;
  /** What error messages call the file (its path in the set); `absolutePath` by default. */
  path?: string;
  /** Expected size, for batching and progress totals; the hash reports the bytes actually read. */
  size: number;
}

export interface HashFilesOptions {
  /** Default: the process's shared pool (`sharedHashPool()`). */
  pool?: HashPool;
  onProgress?: ProgressListener;
  /** Called as each file's hash arrives, in no particular order (for example to cache it at once). */
  onHashed?: (index: number, hash: FileHash) => void;
  /** The request field errors name. Default `path`. */
  field?: string;
}

/** Files above this size go to a thread on their own; smaller ones travel many to a request. */
const ALONE_BYTES = 8 * 1024 * 1024;
const MAX_BATCH_FILES = 512;
const MIN_BATCH_FILES = 16;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Requests per thread at least, so that no thread idles at the end while another has a long queue. */
const BATCHES_PER_THREAD = 4;

/**
 * The sha256 of every file, on all the pool's threads, results in input order. Large files go first so
 * one never starts last while the other threads sit idle. A file that changes or disappears
 * while it is read fails the call with CONFLICT; one that cannot be read, with INVALID_ARGUMENT.
 */
export async function hashFiles(
  files: readonly FileToHash[],
  options: HashFilesOptions = {},
): Promise<FileHash[]> {
  const pool = options.pool ?? sharedHashPool();
  const meter = new ProgressMeter(
    options.onProgress,
    files.length,
    files.reduce((total, f) => total + f.size, 0),
  );
  const results = new Array<FileHash>(files.length);
  await Promise.all(
    batches(files, pool.size).map(async (batch) => {
      const hashes = await pool.hash(
        batch.map((i) => files[i]!.absolutePath),
        (bytes) => meter.bytes(bytes),
      );
      hashes.forEach((hash, j) => {
        const index = batch[j]!;
        if (isPathFailure(hash)) throw fileError(files[index]!, hash, options.field ?? 'path');
        results[index] = hash;
        options.onHashed?.(index, hash);
      });
      meter.files(batch.length);
    }),
  );
  meter.finish();
  return results;
}

/**
 * Indexes into `files`, grouped into requests: large files alone and first (largest first), then small
 * ones together in their given order, so results arrive roughly in path order (cheap to cache).
 */
function batches(files: readonly FileToHash[], threads: number): number[][] {
  const large: number[] = [];
  const small: number[] = [];
  files.forEach((file, i) => {
    (file.size > ALONE_BYTES ? large : small).push(i);
  });
  large.sort((a, b) => files[b]!.size - files[a]!.size);
  const perBatch = Math.max(
    MIN_BATCH_FILES,
    Math.min(MAX_BATCH_FILES, Math.ceil(small.length / (threads * BATCHES_PER_THREAD))),
  );
  const result = large.map((i) => [i]);
  let batch: number[] = [];
  let bytes = 0;
  for (const i of small) {
    if (batch.length >= perBatch || (batch.length > 0 && bytes + files[i]!.size > MAX_BATCH_BYTES)) {
      result.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(i);
    bytes += files[i]!.size;
  }
  if (batch.length > 0) result.push(batch);
  return result;
}

function fileError(file: FileToHash, failure: PathFailure, field: string): Error {
  const name = file.path ?? file.absolutePath;
  switch (failure.error) {
    case 'CHANGED':
    case 'ENOENT':
      return conflict(
        `'${name}' changed while it was being hashed (${failure.message}); run again once the folder stops changing`,
        { field },
      );
    case 'EACCES':
    case 'EPERM':
    case 'EISDIR':
      return invalidArgument(
        `'${name}' cannot be read (${failure.message}); make it readable or leave it out of the folder`,
        { field },
      );
    default:
      return new Error(`Reading '${name}' failed: ${failure.message}`);
  }
}

import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { conflict } from '@cairn/core';
import { BATCH_FILE_BYTES, BATCHES_IN_FLIGHT, groupForBatches } from './batches.js';
import { type BlobSink, MISSING_BATCH_SIZE } from './blob-sink.js';
import type { HashCache } from './hash-cache.js';
import { mapLimit } from './map-limit.js';
import { type ProgressListener, ProgressMeter } from './progress.js';

/** A file whose content is known (a `HashedFile` from `hashFolder` is one). */
export interface UploadableFile {
  /** Path in the set, for messages. */
  path: string;
  absolutePath: string;
  size: number;
  sha256: string;
}

export interface UploadFileSetOptions {
  /** Over distinct contents; those the sink already has count as done at once (`filesSkipped`). */
  onProgress?: ProgressListener;
  /** Puts in flight. Default: the sink's `concurrency`, else 8. */
  concurrency?: number;
  /** Ask the sink what it lacks and upload only that (default true); false uploads every distinct content. */
  checkExisting?: boolean;
  /** The cache the hashes came from: a file found to no longer match its hash is dropped from it. */
  cache?: HashCache;
  /** The request field errors name. Default `path`. */
  field?: string;
}

export interface UploadFileSetResult {
  /** Distinct contents in the set. */
  distinct: number;
  /** Contents streamed to the sink. */
  uploaded: number;
  bytesUploaded: number;
  /** Bytes the sink did not have before (`created` puts). */
  newBytes: number;
}

const MAX_READ_CHUNK_BYTES = 1024 * 1024;
const MIN_READ_CHUNK_BYTES = 16 * 1024;

/** A read buffer fitted to the file: Node allocates one per read, so 1 MiB for a 1 KiB file is mostly GC. */
const readChunkBytes = (size: number): number =>
  Math.min(MAX_READ_CHUNK_BYTES, Math.max(MIN_READ_CHUNK_BYTES, size + 1));

/**
 * Uploads the content of hashed files that the sink lacks: each distinct sha256 once, asking `missing`
 * for at most 10,000 at a time. Entries without a `sha256` (symlinks) are passed over. A file whose
 * content no longer matches its hash (written since it was hashed) fails with CONFLICT.
 */
export async function uploadFileSet(
  entries: Iterable<UploadableFile | { kind: 'symlink' }>,
  sink: BlobSink,
  options: UploadFileSetOptions = {},
): Promise<UploadFileSetResult> {
  const byContent = new Map<string, UploadableFile>();
  let distinctBytes = 0;
  for (const entry of entries) {
    if (!('sha256' in entry) || byContent.has(entry.sha256)) continue;
    byContent.set(entry.sha256, entry);
    distinctBytes += entry.size;
  }
  const meter = new ProgressMeter(options.onProgress, byContent.size, distinctBytes);
  const concurrency = options.concurrency ?? sink.concurrency ?? 8;
  const distinct = [...byContent.values()];
  const result: UploadFileSetResult = {
    distinct: distinct.length,
    uploaded: 0,
    bytesUploaded: 0,
    newBytes: 0,
  };
  for (let start = 0; start < distinct.length; start += MISSING_BATCH_SIZE) {
    const batch = distinct.slice(start, start + MISSING_BATCH_SIZE);
    let toUpload = batch;
    if (options.checkExisting !== false) {
      const missing = await sink.missing(batch.map((file) => file.sha256));
      toUpload = batch.filter((file) => missing.has(file.sha256));
      const present = batch.length - toUpload.length;
      meter.skipped(present, sumSizes(batch) - sumSizes(toUpload));
    }
    // Small files travel many to a request when the sink takes batches.
    const batched = sink.putBatch ? toUpload.filter((f) => f.size <= BATCH_FILE_BYTES) : [];
    const single = sink.putBatch ? toUpload.filter((f) => f.size > BATCH_FILE_BYTES) : toUpload;
    const uploadBatches = mapLimit(groupForBatches(batched), BATCHES_IN_FLIGHT, async (group) => {
      const puts = await (sink.putBatch as NonNullable<BlobSink['putBatch']>)(group, (n) => meter.bytes(n));
      group.forEach((file, i) => {
        const put = puts[i];
        if (!put || put.sha256 !== file.sha256 || put.size !== file.size) {
          options.cache?.forget([file.absolutePath]);
          throw conflict(
            `'${file.path}' changed after it was hashed (its content no longer matches); run again once it stops changing`,
            { field: options.field ?? 'path' },
          );
        }
        result.uploaded += 1;
        result.bytesUploaded += put.size;
        if (put.created) result.newBytes += put.size;
      });
      meter.files(group.length);
    });
    await mapLimit(single, concurrency, async (file) => {
      const put = await sink.put(
        countingStream(file, (n) => meter.bytes(n)),
        {
          sha256: file.sha256,
          size: file.size,
        },
      );
      if (put.sha256 !== file.sha256 || put.size !== file.size) {
        options.cache?.forget([file.absolutePath]);
        throw conflict(
          `'${file.path}' changed after it was hashed (its content no longer matches); run again once it stops changing`,
          { field: options.field ?? 'path' },
        );
      }
      meter.files(1);
      result.uploaded += 1;
      result.bytesUploaded += put.size;
      if (put.created) result.newBytes += put.size;
    });
    await uploadBatches;
  }
  meter.finish();
  return result;
}

const sumSizes = (files: readonly UploadableFile[]): number => files.reduce((total, f) => total + f.size, 0);

/** The file's bytes, counted as they are consumed; closing the stream early closes the file. */
function countingStream(file: UploadableFile, onBytes: (n: number) => void): Readable {
  async function* read() {
    for await (const chunk of createReadStream(file.absolutePath, {
      highWaterMark: readChunkBytes(file.size),
    })) {
      const bytes = chunk as Buffer;
      onBytes(bytes.length);
      yield bytes;
    }
  }
  return Readable.from(read(), { objectMode: false });
}

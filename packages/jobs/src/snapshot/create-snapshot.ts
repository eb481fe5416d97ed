import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { conflict, invalidArgument } from '@cairn/core';
import {
  type BlobSink,
  blobStoreSink,
  type FileSetProgress,
  type HashCache,
  type HashPool,
  hashFolder,
  manifestDigest,
  serializeManifest,
  uploadFileSet,
} from '@cairn/fileset';
import type { BlobStore } from '@cairn/store';
import type { SnapshotEntry, SnapshotManifest } from './manifest.js';

export interface SnapshotProgress extends FileSetProgress {
  /**
   * `hashing` reads every file once (or takes its hash from the cache); `uploading` streams the content
   * the destination lacks into it (content already there counts as skipped).
   */
  phase: 'hashing' | 'uploading';
}

export interface CreateSnapshotOptions {
  /** The job's `code` folder. */
  root: string;
  /** Where the content and the manifest go (a remote server, say). One of `sink` and `blobs` is needed. */
  sink?: BlobSink;
  /** Shorthand for `sink: blobStoreSink(blobs)`. */
  blobs?: BlobStore;
  /** Reuses the hashes of files whose stat is unchanged since an earlier snapshot, and remembers new ones. */
  cache?: HashCache;
  /** Threads that hash. Default: the process's shared pool. */
  pool?: HashPool;
  /** Called as work advances (at most about every 50 ms, and at the end of each phase). */
  onProgress?: (progress: SnapshotProgress) => void;
  /** Files uploaded at once. Default: the sink's preference (32 on S3, 8 on a local store). */
  concurrency?: number;
  /**
   * Ask the destination which content it lacks and upload only that (default true). False uploads every
   * distinct content (the destination dedups), for a sink where asking costs more than sending.
   */
  checkExisting?: boolean;
}

export interface SnapshotResult {
  /** The sha256 of the manifest blob. */
  id: string;
  /** Regular files in the snapshot (symlinks not counted). */
  files: number;
  totalBytes: number;
  /** Bytes of file content this snapshot added to the store (0 when every file was already there). */
  newBytes: number;
  /** Files read and hashed, and files whose hash came from the cache. */
  hashed: number;
  fromCache: number;
  manifest: SnapshotManifest;
  /** What was left out that the user may want to know about (symlinks leaving the folder, sockets, …). */
  warnings: string[];
}

/**
 * Snapshots `root`: every file's content as a blob (stored once however many snapshots share it), then
 * the manifest as a blob whose sha256 is the snapshot id. Files are hashed on all cores and streamed,
 * never held in memory, so there is no size limit; memory grows only with the number of files.
 */
export async function createSnapshot(options: CreateSnapshotOptions): Promise<SnapshotResult> {
  const { root, cache } = options;
  const sink = options.sink ?? (options.blobs && blobStoreSink(options.blobs));
  if (!sink) throw new Error('createSnapshot needs a sink or a blob store');
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) {
    throw invalidArgument(
      `The code folder '${root}' is not a folder; point 'code' at the folder to snapshot`,
      {
        field: 'code',
      },
    );
  }
  const folder = await hashFolder(root, {
    ignoreFiles: true,
    cache,
    pool: options.pool,
    field: 'code',
    onProgress: options.onProgress && ((p) => options.onProgress?.({ phase: 'hashing', ...p })),
  });
  const uploaded = await uploadFileSet(folder.entries, sink, {
    cache,
    concurrency: options.concurrency,
    checkExisting: options.checkExisting,
    field: 'code',
    onProgress: options.onProgress && ((p) => options.onProgress?.({ phase: 'uploading', ...p })),
  });

  const entries: SnapshotEntry[] = folder.entries.map((entry) =>
    entry.kind === 'symlink'
      ? { path: entry.path, symlink: entry.target }
      : { path: entry.path, size: entry.size, sha256: entry.sha256, mode: entry.mode },
  );
  const manifest: SnapshotManifest = { version: 1, entries };
  const expected = manifestDigest(manifest);
  const stored = await sink.put(Readable.from(serializeManifest(manifest)), expected);
  if (stored.sha256 !== expected.sha256) {
    throw conflict(
      `The destination stored the snapshot manifest as ${stored.sha256}, not ${expected.sha256}; take the snapshot again`,
      { field: 'code' },
    );
  }
  return {
    id: expected.sha256,
    files: folder.files,
    totalBytes: folder.totalBytes,
    newBytes: uploaded.newBytes,
    hashed: folder.counts.hashed,
    fromCache: folder.counts.fromCache,
    manifest,
    warnings: folder.warnings,
  };
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { conflict, invalidArgument } from '@cairn/core';
import type { BlobStore } from '@cairn/store';
import { defaultConcurrency } from './concurrency.js';
import { type SnapshotEntry, type SnapshotManifest, serializeManifest } from './manifest.js';
import { mapLimit } from './map-limit.js';
import { type WalkedFile, walkCodeFolder } from './walk.js';

export interface SnapshotProgress {
  /** `hashing` reads every file once; `uploading` streams the files the store lacks into it. */
  phase: 'hashing' | 'uploading';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface CreateSnapshotOptions {
  /** The job's `code` folder. */
  root: string;
  blobs: BlobStore;
  /** Called as work advances (at most about every 50 ms, and at the end of each phase). */
  onProgress?: (progress: SnapshotProgress) => void;
  /** Files read or uploaded at once. Default 32 on S3, 8 on a local store. */
  concurrency?: number;
  /**
   * Hash every file first and upload only content the store lacks (default true). Costs one extra local
   * read of new files; saves uploading files already stored, which is most of them on a re-run.
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
  manifest: SnapshotManifest;
  /** What was left out that the user may want to know about (symlinks leaving the folder, sockets, …). */
  warnings: string[];
}

const PROGRESS_INTERVAL_MS = 50;
const MAX_READ_CHUNK_BYTES = 1024 * 1024;
const MIN_READ_CHUNK_BYTES = 16 * 1024;

/** A read buffer fitted to the file: Node allocates one per read, so 1 MiB for a 1 KiB file is mostly GC. */
const readChunkBytes = (size: number): number =>
  Math.min(MAX_READ_CHUNK_BYTES, Math.max(MIN_READ_CHUNK_BYTES, size + 1));

/**
 * Snapshots `root` into `blobs`: every file's content as a blob (stored once however many snapshots
 * share it), then the manifest as a blob whose sha256 is the snapshot id. Files are streamed, never
 * held in memory, so there is no size limit; memory grows only with the number of files (the manifest).
 */
export async function createSnapshot(options: CreateSnapshotOptions): Promise<SnapshotResult> {
  const { root, blobs } = options;
  const concurrency = options.concurrency ?? defaultConcurrency(blobs);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) {
    throw invalidArgument(
      `The code folder '${root}' is not a folder; point 'code' at the folder to snapshot`,
      {
        field: 'code',
      },
    );
  }
  const walked = await walkCodeFolder(root);
  const files = walked.entries.filter((entry): entry is WalkedFile => entry.kind === 'file');
  const progress = new ProgressReporter(options.onProgress);

  const stored =
    options.checkExisting === false
      ? await uploadAll(blobs, files, concurrency, progress)
      : await uploadMissing(blobs, files, concurrency, progress);

  const entries: SnapshotEntry[] = walked.entries.map((entry) => {
    if (entry.kind === 'symlink') return { path: entry.path, symlink: entry.target };
    const content = stored.content.get(entry.path);
    if (!content) throw new Error(`internal: no content recorded for ${entry.path}`);
    return { path: entry.path, size: content.size, sha256: content.sha256, mode: entry.mode };
  });
  const manifest: SnapshotManifest = { version: 1, entries };
  const { sha256: id } = await blobs.put(Readable.from(serializeManifest(manifest)));
  let totalBytes = 0;
  for (const content of stored.content.values()) totalBytes += content.size;
  return {
    id,
    files: files.length,
    totalBytes,
    newBytes: stored.newBytes,
    manifest,
    warnings: walked.warnings,
  };
}

interface Content {
  sha256: string;
  size: number;
}

interface Stored {
  /** By path. */
  content: Map<string, Content>;
  newBytes: number;
}

async function uploadMissing(
  blobs: BlobStore,
  files: readonly WalkedFile[],
  concurrency: number,
  progress: ProgressReporter,
): Promise<Stored> {
  progress.start('hashing', files.length, sum(files.map((f) => f.size)));
  const hashed = await mapLimit(files, concurrency, async (file) => {
    const content = await hashFile(file, (n) => progress.bytes(n));
    progress.fileDone();
    return content;
  });
  progress.end();

  const content = new Map(files.map((file, i) => [file.path, hashed[i] as Content]));
  const firstPathOf = new Map<string, WalkedFile>();
  files.forEach((file, i) => {
    const sha256 = (hashed[i] as Content).sha256;
    if (!firstPathOf.has(sha256)) firstPathOf.set(sha256, file);
  });
  const distinct = [...firstPathOf.entries()];
  const present = await mapLimit(distinct, concurrency * 4, ([sha256]) => blobs.has(sha256));
  const missing = distinct.filter((_, i) => !present[i]);

  progress.start(
    'uploading',
    missing.length,
    sum(missing.map(([sha256]) => sizeOf(content, sha256, firstPathOf))),
  );
  const created = await mapLimit(missing, concurrency, async ([sha256, file]) => {
    const result = await blobs.put(countingStream(file, (n) => progress.bytes(n)));
    if (result.sha256 !== sha256) {
      throw conflict(
        `'${file.path}' changed while the snapshot was being taken; take the snapshot again once it stops changing`,
        { field: 'code' },
      );
    }
    progress.fileDone();
    return result.created ? result.size : 0;
  });
  progress.end();
  return { content, newBytes: sum(created) };
}

async function uploadAll(
  blobs: BlobStore,
  files: readonly WalkedFile[],
  concurrency: number,
  progress: ProgressReporter,
): Promise<Stored> {
  progress.start('uploading', files.length, sum(files.map((f) => f.size)));
  const results = await mapLimit(files, concurrency, async (file) => {
    const result = await blobs.put(countingStream(file, (n) => progress.bytes(n)));
    progress.fileDone();
    return result;
  });
  progress.end();
  return {
    content: new Map(files.map((file, i) => [file.path, results[i] as Content])),
    newBytes: sum(results.map((r) => (r.created ? r.size : 0))),
  };
}

function sizeOf(content: Map<string, Content>, sha256: string, firstPathOf: Map<string, WalkedFile>): number {
  const file = firstPathOf.get(sha256);
  return file ? (content.get(file.path)?.size ?? 0) : 0;
}

async function hashFile(file: WalkedFile, onBytes: (n: number) => void): Promise<Content> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file.absolutePath, {
    highWaterMark: readChunkBytes(file.size),
  })) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
    onBytes(bytes.length);
  }
  return { sha256: hash.digest('hex'), size };
}

/** The file's bytes, counted as they are consumed; closing the stream early closes the file. */
function countingStream(file: WalkedFile, onBytes: (n: number) => void): Readable {
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

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Turns per-chunk counts into throttled progress events, always emitting a phase's last state. */
class ProgressReporter {
  readonly #emit: ((progress: SnapshotProgress) => void) | undefined;
  #state: SnapshotProgress = { phase: 'hashing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  #lastEmit = 0;

  constructor(emit: ((progress: SnapshotProgress) => void) | undefined) {
    this.#emit = emit;
  }

  start(phase: SnapshotProgress['phase'], filesTotal: number, bytesTotal: number): void {
    this.#state = { phase, filesDone: 0, filesTotal, bytesDone: 0, bytesTotal };
    this.#send(true);
  }

  bytes(n: number): void {
    this.#state.bytesDone += n;
    this.#send(false);
  }

  fileDone(): void {
    this.#state.filesDone += 1;
    this.#send(false);
  }

  end(): void {
    this.#send(true);
  }

  #send(force: boolean): void {
    if (!this.#emit) return;
    const now = Date.now();
    if (!force && now - this.#lastEmit < PROGRESS_INTERVAL_MS) return;
    this.#lastEmit = now;
    this.#emit({ ...this.#state });
  }
}

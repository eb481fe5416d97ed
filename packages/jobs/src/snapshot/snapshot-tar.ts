import { Readable } from 'node:stream';
import { CairnError, ErrorCode } from '@cairn/core';
import type { BlobStore } from '@cairn/store';
import { isSymlinkEntry, type SnapshotEntry, type SnapshotManifest } from './manifest.js';
import { readManifest } from './read-manifest.js';
import { TAR_END, type TarEntryHeader, tarEntryBytes, tarHeader, tarPadding } from './tar-writer.js';

export interface SnapshotTarOptions {
  /**
   * Modification time of every entry, seconds since the epoch. Fixed by default (2000-01-01) so a
   * snapshot's tar is the same bytes every time (cacheable, resumable with ranges).
   */
  mtime?: number;
}

export interface SnapshotTar {
  manifest: SnapshotManifest;
  /** Exact length of the archive, for Content-Length. */
  bytes: number;
  /** The archive, streamed blob by blob. */
  stream: Readable;
}

const DEFAULT_MTIME = 946_684_800;
const SYMLINK_MODE = 0o777;

/**
 * A streaming tar of snapshot `id`, for the job side to fetch with one HTTP GET and `tar -x`. The
 * manifest is read before this resolves, so an unknown id fails here (NOT_FOUND) rather than mid-stream.
 * The stream errors if a blob is missing or its length differs from the manifest.
 */
export async function snapshotTar(
  blobs: BlobStore,
  id: string,
  options: SnapshotTarOptions = {},
): Promise<SnapshotTar> {
  const manifest = await readManifest(blobs, id);
  const mtime = options.mtime ?? DEFAULT_MTIME;
  const headers = manifest.entries.map((entry) => headerOf(entry, mtime));
  const bytes = headers.reduce((total, header) => total + tarEntryBytes(header), TAR_END.length);
  const stream = Readable.from(archive(blobs, manifest.entries, headers), { objectMode: false });
  return { manifest, bytes, stream };
}

/** Blobs requested ahead of the one being written, so small files do not each wait a round trip. */
const READ_AHEAD = 16;

async function* archive(
  blobs: BlobStore,
  entries: readonly SnapshotEntry[],
  headers: readonly TarEntryHeader[],
): AsyncGenerator<Buffer> {
  const opened = new Map<number, Promise<Readable>>();
  const open = (index: number) => {
    const entry = entries[index];
    if (!entry || isSymlinkEntry(entry) || opened.has(index)) return;
    const stream = openBlob(blobs, entry.sha256, entry.path);
    stream.catch(() => {}); // awaited when its turn comes; an early failure must not go unhandled
    opened.set(index, stream);
  };
  try {
    for (const [index, entry] of entries.entries()) {
      for (let ahead = index; ahead <= index + READ_AHEAD && ahead < entries.length; ahead++) open(ahead);
      yield tarHeader(headers[index] as TarEntryHeader);
      if (isSymlinkEntry(entry)) continue;
      const stream = await (opened.get(index) as Promise<Readable>);
      opened.delete(index);
      let written = 0;
      for await (const chunk of stream) {
        const bytes = chunk as Buffer;
        written += bytes.length;
        if (written > entry.size) break;
        yield bytes;
      }
      if (written !== entry.size) {
        throw new CairnError(
          ErrorCode.INTERNAL,
          `Blob ${entry.sha256} of '${entry.path}' holds ${written} bytes where the manifest says ${entry.size}`,
        );
      }
      yield tarPadding(entry.size);
    }
    yield TAR_END;
  } finally {
    // A consumer that stops early (or a failure) must not leave requested blobs holding connections.
    for (const pending of opened.values())
      pending.then(
        (stream) => stream.destroy(),
        () => {},
      );
  }
}

function headerOf(entry: SnapshotEntry, mtime: number): TarEntryHeader {
  return isSymlinkEntry(entry)
    ? { path: entry.path, size: 0, mode: SYMLINK_MODE, mtime, symlink: entry.symlink }
    : { path: entry.path, size: entry.size, mode: entry.mode, mtime };
}

async function openBlob(blobs: BlobStore, sha256: string, path: string): Promise<Readable> {
  try {
    return await blobs.get(sha256);
  } catch (err) {
    if (err instanceof CairnError && err.code === ErrorCode.NOT_FOUND) {
      throw new CairnError(
        ErrorCode.INTERNAL,
        `Blob ${sha256} of '${path}' is missing from the blob store`,
        {},
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { alreadyExists, CairnError, ErrorCode } from '@cairn/core';
import { mapLimit } from '@cairn/fileset';
import type { BlobStore } from '@cairn/store';
import { defaultConcurrency } from './concurrency.js';
import {
  isSymlinkEntry,
  type SnapshotFile,
  type SnapshotManifest,
  type SnapshotSymlink,
} from './manifest.js';
import { readManifest } from './read-manifest.js';

export interface MaterializeSnapshotOptions {
  blobs: BlobStore;
  id: string;
  /** Folder to write into; created if missing, and must be empty if it exists. */
  dest: string;
  /** Files written at once. Default 32 on S3, 8 on a local store. */
  concurrency?: number;
}

/**
 * Writes snapshot `id` into `dest`: every file with its mode, each checked against the manifest's size
 * and sha256 as it streams, then the symlinks. An empty `dest` is required so nothing already there
 * (a symlink, say) can redirect a write outside it.
 */
export async function materializeSnapshot(
  options: MaterializeSnapshotOptions,
): Promise<{ manifest: SnapshotManifest; files: number; bytes: number }> {
  const { blobs, id, dest } = options;
  const manifest = await readManifest(blobs, id);
  await mkdir(dest, { recursive: true });
  if ((await readdir(dest)).length > 0) {
    throw alreadyExists(
      `Cannot write snapshot ${id} into '${dest}': the folder is not empty; pick an empty or new one`,
      {
        field: 'dest',
      },
    );
  }
  const files = manifest.entries.filter((e): e is SnapshotFile => !isSymlinkEntry(e));
  const links = manifest.entries.filter((e): e is SnapshotSymlink => isSymlinkEntry(e));
  const folders = new FolderMaker();
  await mapLimit(files, options.concurrency ?? defaultConcurrency(blobs), async (file) => {
    const path = join(dest, file.path);
    await folders.make(dirname(path));
    await writeFile(blobs, path, file);
  });
  for (const link of links) {
    const path = join(dest, link.path);
    await folders.make(dirname(path));
    await symlink(link.symlink, path);
  }
  return { manifest, files: files.length, bytes: files.reduce((total, f) => total + f.size, 0) };
}

/** Creates each folder once however many files land in it. */
class FolderMaker {
  readonly #made = new Map<string, Promise<unknown>>();

  make(path: string): Promise<unknown> {
    let made = this.#made.get(path);
    if (!made) {
      made = mkdir(path, { recursive: true });
      this.#made.set(path, made);
    }
    return made;
  }
}

async function writeFile(blobs: BlobStore, path: string, file: SnapshotFile): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(
    await blobs.get(file.sha256),
    tap,
    createWriteStream(path, { flags: 'wx', mode: file.mode }),
  );
  // The process umask may have cleared bits of the requested mode.
  await chmod(path, file.mode);
  const sha256 = hash.digest('hex');
  if (size !== file.size || sha256 !== file.sha256) {
    throw new CairnError(
      ErrorCode.INTERNAL,
      `'${file.path}' came out of the blob store as ${size} bytes (sha256 ${sha256}), not the manifest's ${file.size} bytes (sha256 ${file.sha256})`,
    );
  }
}

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { alreadyExists, CairnError, ErrorCode } from '@cairn/core';
import type { BlobStore } from '@cairn/store';
import {
  isSymlinkEntry,
  type SnapshotFile,
  type SnapshotManifest,
  type SnapshotSymlink,
} from './manifest.js';
import { mapLimit } from './map-limit.js';
import { readManifest } from './read-manifest.js';

export interface MaterializeSnapshotOptions {
  blobs: BlobStore;
  id: string;
  /** Folder to write into; created if missing, and must be empty if it exists. */
  dest: string;
  /** Files written at once. Default 8. */
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
  await mapLimit(files, options.concurrency ?? 8, (file) => writeFile(blobs, dest, file));
  for (const link of links) {
    const path = join(dest, link.path);
    await mkdir(dirname(path), { recursive: true });
    await symlink(link.symlink, path);
  }
  return { manifest, files: files.length, bytes: files.reduce((total, f) => total + f.size, 0) };
}

async function writeFile(blobs: BlobStore, dest: string, file: SnapshotFile): Promise<void> {
  const path = join(dest, file.path);
  await mkdir(dirname(path), { recursive: true });
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

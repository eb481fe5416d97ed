import { posix } from 'node:path';
import type { BlobStore } from '@cairn/store';
import { isSymlinkEntry, type SnapshotFile } from '../../snapshot/manifest.js';
import { readManifest } from '../../snapshot/read-manifest.js';
import { ZipWriter } from './zip-writer.js';

export interface SnapshotZip {
  zip: Buffer;
  files: number;
  /** Symlinks that could not be written as files (Ray's unzip has no symlinks), one line each. */
  warnings: string[];
}

/**
 * Snapshot `id` as a ZIP package for Ray's `working_dir`. Ray's unzip writes every entry as a regular
 * file, so a symlink to a file of the snapshot becomes a copy of that file; links to folders or to
 * nothing are left out with a warning.
 */
export async function zipSnapshot(blobs: BlobStore, id: string): Promise<SnapshotZip> {
  const manifest = await readManifest(blobs, id);
  const files = new Map<string, SnapshotFile>();
  const links = new Map<string, string>();
  for (const entry of manifest.entries) {
    if (isSymlinkEntry(entry)) links.set(entry.path, entry.symlink);
    else files.set(entry.path, entry);
  }
  const zip = new ZipWriter();
  for (const file of files.values()) zip.addFile(file.path, await readBlob(blobs, file.sha256), file.mode);
  const warnings: string[] = [];
  for (const [path, target] of links) {
    const file = resolveLink(path, target, files, links);
    if (file) zip.addFile(path, await readBlob(blobs, file.sha256), file.mode);
    else
      warnings.push(
        `'${path}' (a symlink to '${target}') is left out: Ray's working_dir keeps only regular files`,
      );
  }
  return { zip: zip.finish(), files: files.size + links.size - warnings.length, warnings };
}

function resolveLink(
  path: string,
  target: string,
  files: Map<string, SnapshotFile>,
  links: Map<string, string>,
): SnapshotFile | undefined {
  let at = path;
  let to = target;
  for (let hop = 0; hop < 16; hop++) {
    const resolved = posix.normalize(posix.join(posix.dirname(at), to));
    const file = files.get(resolved);
    if (file) return file;
    const next = links.get(resolved);
    if (next === undefined) return undefined;
    at = resolved;
    to = next;
  }
  return undefined;
}

async function readBlob(blobs: BlobStore, sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await blobs.get(sha256)) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

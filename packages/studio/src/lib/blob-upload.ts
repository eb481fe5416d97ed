import type { CairnClient } from '@cairn/sdk';
import { sha256Hex } from './data-manifest.js';

/**
 * Sending files picked in the browser to the workspace's content-addressed blob store, the way the CLI
 * does: hash each file (SHA-256, Web Crypto), ask which contents the workspace lacks
 * (`POST blobs/missing`), upload only those (`PUT blobs/{sha256}`), then the manifest that names them.
 * Data versions (data-upload.ts) and job code folders (code-upload.ts) both go through here.
 */

/** A file picked in the browser and the path it gets in the manifest. */
export interface PickedFile {
  path: string;
  file: Blob;
}

/** A browser File as picking gives it (the subset used, so plain objects work in tests). */
export interface BrowserFile extends Blob {
  name: string;
  webkitRelativePath?: string;
}

/**
 * Paths for picked files: a folder pick (`webkitdirectory`) keeps each file's path below the picked
 * folder (the folder's own name dropped, as the CLI does for `--path folder`); single files keep
 * their names.
 */
export function pickedFiles(files: Iterable<BrowserFile>): PickedFile[] {
  return [...files].map((file) => {
    const relative = file.webkitRelativePath ?? '';
    const slash = relative.indexOf('/');
    return { path: relative && slash >= 0 ? relative.slice(slash + 1) : file.name, file };
  });
}

/** Files (or bytes) done of how many, in one phase of an upload. */
export interface TransferProgress {
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
}

export interface HashedFile {
  path: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
  file: Blob;
}

/** Hashes each file in turn (a browser holds one file in memory at a time). */
export async function hashFiles(
  picked: readonly PickedFile[],
  onProgress: (progress: TransferProgress) => void = () => {},
): Promise<HashedFile[]> {
  const totalBytes = picked.reduce((sum, p) => sum + p.file.size, 0);
  const hashed: HashedFile[] = [];
  let bytes = 0;
  for (const [i, p] of picked.entries()) {
    onProgress({ done: i, total: picked.length, bytes, totalBytes });
    const sha256 = await sha256Hex(await p.file.arrayBuffer());
    hashed.push({ path: p.path, size: p.file.size, sha256, file: p.file });
    bytes += p.file.size;
  }
  onProgress({ done: picked.length, total: picked.length, bytes, totalBytes });
  return hashed;
}

/** Uploads in flight at once. */
const UPLOAD_CONCURRENCY = 4;

export interface UploadedContents {
  /** Distinct contents the workspace lacked and that were sent (the manifest not counted). */
  uploaded: number;
  bytes: number;
}

/**
 * Uploads the contents of `files` the workspace lacks, then the manifest (last, so a manifest is never
 * stored before what it names). Content already in the workspace is never sent again; a file picked
 * twice with the same content is sent once.
 */
export async function uploadMissing(
  client: Pick<CairnClient, 'blobs'>,
  files: readonly HashedFile[],
  manifest: { id: string; bytes: Uint8Array },
  onProgress: (progress: TransferProgress) => void = () => {},
): Promise<UploadedContents> {
  const bySha = new Map<string, Blob>();
  for (const f of files) bySha.set(f.sha256, f.file);
  const missing = await client.blobs.missing([...bySha.keys(), manifest.id]);
  const toSend = [...bySha].filter(([sha256]) => missing.has(sha256));
  const totalBytes = toSend.reduce((sum, [, blob]) => sum + blob.size, 0);
  let bytes = 0;
  let done = 0;
  onProgress({ done, total: toSend.length, bytes, totalBytes });
  // A few uploads at once: many small files are bound by round trips, not bandwidth.
  let next = 0;
  const worker = async () => {
    while (next < toSend.length) {
      const [sha256, blob] = toSend[next++] as [string, Blob];
      await client.blobs.put(sha256, blob);
      bytes += blob.size;
      done++;
      onProgress({ done, total: toSend.length, bytes, totalBytes });
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, toSend.length) }, worker));
  if (missing.has(manifest.id)) await client.blobs.put(manifest.id, manifest.bytes);
  return { uploaded: toSend.length, bytes };
}

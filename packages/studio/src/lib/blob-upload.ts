import { BATCH_FILE_BYTES, BATCHES_IN_FLIGHT, groupForBatches } from '@cairn/fileset/batches';
import { mapLimit } from '@cairn/fileset/map-limit';
import type { CairnClient } from '@cairn/sdk';
import { createTar } from 'nanotar';
import { sha256Hex } from './data-manifest.js';

/**
 * Sending files picked in the browser to the workspace's content-addressed blob store, the way the CLI
 * does: hash each file (SHA-256, Web Crypto), ask which contents the workspace lacks
 * (`POST blobs/missing`), upload only those, then the manifest that names them. Small contents travel many
 * to a request (`POST blobs/batch`, a tar whose entries are named by sha256), big ones one to a request
 * (`PUT blobs/{sha256}`), with the CLI's limits (@cairn/fileset/batches).
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

/** Single uploads in flight at once. */
const UPLOAD_CONCURRENCY = 4;

export interface UploadedContents {
  /** Distinct contents the workspace lacked and that were sent (the manifest not counted). */
  uploaded: number;
  bytes: number;
}

interface Content {
  sha256: string;
  blob: Blob;
  size: number;
}

/** A batch as the server takes it: a tar whose entries are the contents, each named by its sha256. */
export async function batchTar(group: readonly Content[]): Promise<Uint8Array> {
  const files = [];
  for (const c of group) files.push({ name: c.sha256, data: new Uint8Array(await c.blob.arrayBuffer()) });
  return createTar(files);
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
  const toSend: Content[] = [...bySha]
    .filter(([sha256]) => missing.has(sha256))
    .map(([sha256, blob]) => ({ sha256, blob, size: blob.size }));
  const totalBytes = toSend.reduce((sum, c) => sum + c.size, 0);
  let bytes = 0;
  let done = 0;
  const sent = (contents: readonly Content[]) => {
    for (const c of contents) bytes += c.size;
    done += contents.length;
    onProgress({ done, total: toSend.length, bytes, totalBytes });
  };
  onProgress({ done, total: toSend.length, bytes, totalBytes });
  // Many small files are bound by round trips, not bandwidth: they go many to a request, and a few
  // requests are kept in flight.
  const small = toSend.filter((c) => c.size <= BATCH_FILE_BYTES);
  const big = toSend.filter((c) => c.size > BATCH_FILE_BYTES);
  await Promise.all([
    mapLimit(groupForBatches(small), BATCHES_IN_FLIGHT, async (group) => {
      const stored = await client.blobs.putBatch(await batchTar(group));
      group.forEach((c, i) => {
        if (stored[i]?.sha256 !== c.sha256) {
          throw new Error(
            `The server stored ${stored[i]?.sha256 ?? 'nothing'} for content ${c.sha256}: the upload was cut short; try again`,
          );
        }
      });
      sent(group);
    }),
    mapLimit(big, UPLOAD_CONCURRENCY, async (c) => {
      await client.blobs.put(c.sha256, c.blob);
      sent([c]);
    }),
  ]);
  if (missing.has(manifest.id)) await client.blobs.put(manifest.id, manifest.bytes);
  return { uploaded: toSend.length, bytes };
}

import type { CairnClient, CreateDataVersionRequest, DataVersion } from '@cairn/sdk';
import { buildDataManifest, type DataManifestEntry, sha256Hex } from './data-manifest.js';

/**
 * Registers files picked in the browser as a data version the way the CLI does: hash each file
 * (SHA-256, Web Crypto), ask which contents the workspace lacks, upload only those, upload the data
 * manifest naming them, and register `{name, manifestId}`. Content already in the workspace is never
 * sent again.
 */

/** A file picked in the browser and the path it gets in the version. */
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

/** What `uploadedFrom` says: the picked folder's name, or the file names. */
export function uploadedFromOf(files: Iterable<BrowserFile>): string {
  const list = [...files];
  const folder = list[0]?.webkitRelativePath?.split('/')[0];
  if (folder && list[0]?.webkitRelativePath?.includes('/')) return `${folder}/`;
  const names = list.map((f) => f.name);
  return names.length <= 3
    ? names.join(', ')
    : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** Uploads in flight at once. */
const UPLOAD_CONCURRENCY = 4;

export interface UploadProgress {
  phase: 'hashing' | 'uploading' | 'registering';
  /** Files done in this phase, and of how many. */
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
}

export interface UploadResult {
  version: DataVersion;
  /** Files whose content the workspace lacked and that were sent. */
  uploaded: number;
  files: number;
}

export async function uploadDataFiles(
  client: Pick<CairnClient, 'blobs' | 'data'>,
  picked: readonly PickedFile[],
  request: Omit<CreateDataVersionRequest, 'path' | 'manifestId'>,
  onProgress: (progress: UploadProgress) => void = () => {},
): Promise<UploadResult> {
  if (picked.length === 0) throw new Error('Pick at least one file to upload');
  const totalBytes = picked.reduce((sum, p) => sum + p.file.size, 0);
  const entries: DataManifestEntry[] = [];
  const bySha = new Map<string, Blob>();
  let bytes = 0;
  for (const [i, p] of picked.entries()) {
    onProgress({ phase: 'hashing', done: i, total: picked.length, bytes, totalBytes });
    const sha256 = await sha256Hex(await p.file.arrayBuffer());
    entries.push({ path: p.path, size: p.file.size, sha256 });
    bySha.set(sha256, p.file);
    bytes += p.file.size;
  }
  const manifest = await buildDataManifest(entries);
  const missing = await client.blobs.missing([...bySha.keys(), manifest.id]);
  const toSend = [...bySha].filter(([sha256]) => missing.has(sha256));
  const sendBytes = toSend.reduce((sum, [, blob]) => sum + blob.size, 0);
  let sent = 0;
  let done = 0;
  onProgress({ phase: 'uploading', done, total: toSend.length, bytes: sent, totalBytes: sendBytes });
  // A few uploads at once: many small files are bound by round trips, not bandwidth.
  let next = 0;
  const worker = async () => {
    while (next < toSend.length) {
      const [sha256, blob] = toSend[next++] as [string, Blob];
      await client.blobs.put(sha256, blob);
      sent += blob.size;
      done++;
      onProgress({ phase: 'uploading', done, total: toSend.length, bytes: sent, totalBytes: sendBytes });
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, toSend.length) }, worker));
  if (missing.has(manifest.id)) await client.blobs.put(manifest.id, manifest.bytes);
  onProgress({ phase: 'registering', done: 0, total: 1, bytes: sent, totalBytes: sendBytes });
  const version = await client.data.create({ ...request, manifestId: manifest.id });
  return { version, uploaded: toSend.length, files: picked.length };
}

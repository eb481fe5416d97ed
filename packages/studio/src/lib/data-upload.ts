import type { CairnClient, CreateDataVersionRequest, DataVersion } from '@cairn/sdk';
import { type BrowserFile, hashFiles, type PickedFile, uploadMissing } from './blob-upload.js';
import { buildDataManifest } from './data-manifest.js';

export { type BrowserFile, type PickedFile, pickedFiles } from './blob-upload.js';

/**
 * Registers files picked in the browser as a data version the way the CLI does: hash and upload the
 * contents the workspace lacks (blob-upload.ts), upload the data manifest naming them, and register
 * `{name, manifestId}`.
 */

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
  const hashed = await hashFiles(picked, (p) => onProgress({ phase: 'hashing', ...p }));
  const manifest = await buildDataManifest(hashed.map(({ path, size, sha256 }) => ({ path, size, sha256 })));
  const sent = await uploadMissing(client, hashed, manifest, (p) => onProgress({ phase: 'uploading', ...p }));
  onProgress({ phase: 'registering', done: 0, total: 1, bytes: sent.bytes, totalBytes: sent.bytes });
  const version = await client.data.create({ ...request, manifestId: manifest.id });
  return { version, uploaded: sent.uploaded, files: picked.length };
}

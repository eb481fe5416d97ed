import { invalidArgument } from '@cairn/core';
import { type BlobStore, type MetadataStore, missingWorkspaceBlobs } from '@cairn/store';
import { isSymlinkEntry, readManifest, type SnapshotFile } from '../snapshot/index.js';

/**
 * Checks a snapshot a client uploaded (`POST …/blobs/missing`, `PUT …/blobs/:sha256`) before a job may
 * use it: the manifest is well formed and it, and every file it names, were uploaded to this workspace.
 */
export async function verifyUploadedSnapshot(
  store: MetadataStore,
  blobs: BlobStore,
  workspaceId: string,
  snapshotId: string,
): Promise<void> {
  const [manifestMissing] = await missingWorkspaceBlobs(store.db, workspaceId, [snapshotId]);
  if (manifestMissing !== undefined) {
    throw invalidArgument(
      `Snapshot ${snapshotId} was not uploaded to this workspace: upload its manifest (PUT blobs/${snapshotId}) first`,
      { field: 'snapshotId' },
    );
  }
  const manifest = await readManifest(blobs, snapshotId);
  const files = manifest.entries.filter((e): e is SnapshotFile => !isSymlinkEntry(e));
  const missing = await missingWorkspaceBlobs(
    store.db,
    workspaceId,
    files.map((f) => f.sha256),
  );
  if (missing.length > 0) {
    const first = files.find((f) => f.sha256 === missing[0]);
    throw invalidArgument(
      `Snapshot ${snapshotId} names ${missing.length} file content(s) not uploaded to this workspace (first: '${first?.path}'); upload them, then submit again`,
      { field: 'snapshotId' },
    );
  }
}

// A code snapshot's manifest is a file-set manifest (format version 1, see @cairn/fileset); the sha256 of
// its canonical bytes is the snapshot id. These names are what @cairn/jobs has always exported.
import {
  diffManifests,
  type Manifest,
  type ManifestDiff,
  type ManifestEntry,
  type ManifestFile,
  type ManifestSymlink,
  parseManifest as parseFileSetManifest,
} from '@cairn/fileset';

export {
  comparePaths,
  EXECUTABLE_MODE,
  isSafeRelativePath,
  isSymlinkEntry,
  isTargetInsideRoot,
  REGULAR_MODE,
  serializeManifest,
} from '@cairn/fileset';

export type SnapshotFile = ManifestFile;
export type SnapshotSymlink = ManifestSymlink;
export type SnapshotEntry = ManifestEntry;
export type SnapshotManifest = Manifest;
export type SnapshotDiff = ManifestDiff;

/** Parses and checks the manifest of snapshot `id` (see `parseManifest` in @cairn/fileset). */
export const parseManifest = (json: string, id: string): SnapshotManifest =>
  parseFileSetManifest(json, { subject: `Snapshot ${id}`, field: 'snapshot' });

/** Paths only in `b` (added), only in `a` (removed), and in both with other content, mode or kind (changed). */
export const diffSnapshots: (a: SnapshotManifest, b: SnapshotManifest) => SnapshotDiff = diffManifests;

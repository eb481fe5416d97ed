import { invalidArgument } from '@cairn/core';
import { SHA256_PATTERN } from '@cairn/store';

/** A regular file: its content is the blob `sha256`. `mode` is 0o755 when executable, else 0o644. */
export interface SnapshotFile {
  path: string;
  size: number;
  sha256: string;
  mode: number;
}

/** A symbolic link inside the snapshot; `symlink` is its relative target, which stays inside the root. */
export interface SnapshotSymlink {
  path: string;
  symlink: string;
}

export type SnapshotEntry = SnapshotFile | SnapshotSymlink;

/**
 * What a snapshot holds: entries sorted by path (posix, relative to the code folder). Stored as a blob in
 * canonical JSON (`serializeManifest`), whose sha256 is the snapshot id, so equal trees get equal ids.
 * Directories are implied by paths; empty directories are not recorded (as in git).
 */
export interface SnapshotManifest {
  version: 1;
  entries: SnapshotEntry[];
}

export const EXECUTABLE_MODE = 0o755;
export const REGULAR_MODE = 0o644;

export const isSymlinkEntry = (entry: SnapshotEntry): entry is SnapshotSymlink => 'symlink' in entry;

/** Byte-wise (UTF-16 code unit) order, the same on every platform and locale. */
export const comparePaths = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Canonical JSON: fixed key order, no whitespace, one entry per chunk so a manifest of millions of
 * entries is never built as one string. The chunks concatenated are the blob the id names.
 */
export function* serializeManifest(manifest: SnapshotManifest): Generator<Buffer> {
  yield Buffer.from(`{"version":${manifest.version},"entries":[`);
  let first = true;
  for (const entry of manifest.entries) {
    const json = isSymlinkEntry(entry)
      ? `{"path":${JSON.stringify(entry.path)},"symlink":${JSON.stringify(entry.symlink)}}`
      : `{"path":${JSON.stringify(entry.path)},"size":${entry.size},"sha256":"${entry.sha256}","mode":${entry.mode}}`;
    yield Buffer.from(first ? json : `,${json}`);
    first = false;
  }
  yield Buffer.from(']}');
}

/** Whether `path` is a safe relative posix path: no empty, `.` or `..` segments, not absolute, no NUL. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Whether a symlink at `linkPath` pointing at `target` resolves inside the snapshot root (lexically). */
export function isTargetInsideRoot(linkPath: string, target: string): boolean {
  if (target === '' || target.startsWith('/') || target.includes('\0')) return false;
  const parts = linkPath.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return false;
      parts.pop();
    } else {
      parts.push(segment);
    }
  }
  return true;
}

/**
 * Parses and checks a manifest blob's JSON. A manifest is data a client may have written, so every path
 * is checked before anything is written to disk from it: relative, no `..`, sorted and unique, no entry
 * beneath a file or symlink, symlink targets inside the root.
 */
export function parseManifest(json: string, id: string): SnapshotManifest {
  const fail = (why: string) =>
    invalidArgument(`Snapshot ${id} has an invalid manifest: ${why}`, { field: 'snapshot' });
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw fail('it is not JSON');
  }
  if (!isRecord(raw) || raw.version !== 1 || !Array.isArray(raw.entries)) {
    throw fail('expected {"version":1,"entries":[...]}');
  }
  const entries: SnapshotEntry[] = [];
  const leaves = new Set<string>();
  let previous: string | null = null;
  for (const [index, item] of raw.entries.entries()) {
    const entry = parseEntry(item);
    if (!entry) throw fail(`entries[${index}] is not a file or symlink entry`);
    if (!isSafeRelativePath(entry.path))
      throw fail(`entries[${index}].path '${entry.path}' is not a safe relative path`);
    if (previous !== null && comparePaths(previous, entry.path) >= 0) {
      throw fail(`entries[${index}].path '${entry.path}' is out of order or repeated`);
    }
    const segments = entry.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      if (leaves.has(segments.slice(0, i).join('/'))) {
        throw fail(`entries[${index}].path '${entry.path}' lies beneath a file or symlink`);
      }
    }
    if (isSymlinkEntry(entry) && !isTargetInsideRoot(entry.path, entry.symlink)) {
      throw fail(`entries[${index}] symlink target '${entry.symlink}' leaves the snapshot`);
    }
    leaves.add(entry.path);
    entries.push(entry);
    previous = entry.path;
  }
  return { version: 1, entries };
}

function parseEntry(item: unknown): SnapshotEntry | null {
  if (!isRecord(item) || typeof item.path !== 'string') return null;
  if (typeof item.symlink === 'string') return { path: item.path, symlink: item.symlink };
  const { size, sha256, mode } = item;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return null;
  if (typeof sha256 !== 'string' || !SHA256_PATTERN.test(sha256)) return null;
  if (mode !== EXECUTABLE_MODE && mode !== REGULAR_MODE) return null;
  return { path: item.path, size, sha256, mode };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SnapshotDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Paths only in `b` (added), only in `a` (removed), and in both with other content, mode or kind (changed). */
export function diffSnapshots(a: SnapshotManifest, b: SnapshotManifest): SnapshotDiff {
  const before = new Map(a.entries.map((entry) => [entry.path, entry]));
  const diff: SnapshotDiff = { added: [], changed: [], removed: [] };
  for (const entry of b.entries) {
    const old = before.get(entry.path);
    if (!old) diff.added.push(entry.path);
    else if (!sameEntry(old, entry)) diff.changed.push(entry.path);
    before.delete(entry.path);
  }
  diff.removed = [...before.keys()];
  return diff;
}

function sameEntry(a: SnapshotEntry, b: SnapshotEntry): boolean {
  if (isSymlinkEntry(a) || isSymlinkEntry(b)) {
    return isSymlinkEntry(a) && isSymlinkEntry(b) && a.symlink === b.symlink;
  }
  return a.sha256 === b.sha256 && a.mode === b.mode;
}

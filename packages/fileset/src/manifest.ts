import { createHash } from 'node:crypto';
import { invalidArgument } from '@cairn/core';
import { SHA256_PATTERN } from '@cairn/store';

/** A regular file: its content is the blob `sha256`. `mode` is 0o755 when executable, else 0o644. */
export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  mode: number;
}

/** A symbolic link inside the file set; `symlink` is its relative target, which stays inside the root. */
export interface ManifestSymlink {
  path: string;
  symlink: string;
}

export type ManifestEntry = ManifestFile | ManifestSymlink;

/**
 * What a file set holds: entries sorted by path (posix, relative to the root folder). Stored as a blob in
 * canonical JSON (`serializeManifest`), whose sha256 names the set, so equal trees get equal names.
 * Directories are implied by paths; empty directories are not recorded (as in git).
 */
export interface Manifest {
  version: 1;
  entries: ManifestEntry[];
}

export const EXECUTABLE_MODE = 0o755;
export const REGULAR_MODE = 0o644;

/** The manifest mode of a file with these stat mode bits: executable by anyone or not. */
export const manifestMode = (statMode: number): number =>
  (statMode & 0o111) !== 0 ? EXECUTABLE_MODE : REGULAR_MODE;

export const isSymlinkEntry = (entry: ManifestEntry): entry is ManifestSymlink => 'symlink' in entry;

/** Byte-wise (UTF-16 code unit) order, the same on every platform and locale. */
export const comparePaths = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Canonical JSON: fixed key order, no whitespace, one entry per chunk so a manifest of millions of
 * entries is never built as one string. The chunks concatenated are the blob the name refers to.
 */
export function* serializeManifest(manifest: Manifest): Generator<Buffer> {
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

/** Whether a symlink at `linkPath` pointing at `target` resolves inside the root (lexically). */
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

export interface ParseManifestOptions {
  /** What the manifest belongs to, as the error message starts: `Snapshot 3f2a…`, `Data asset images:3`. */
  subject: string;
  /** The request field the error names. */
  field: string;
}

/**
 * Parses and checks a manifest blob's JSON. A manifest is data a client may have written, so every path
 * is checked before anything is written to disk from it: relative, no `..`, sorted and unique, no entry
 * beneath a file or symlink, symlink targets inside the root.
 */
export function parseManifest(json: string, options: ParseManifestOptions): Manifest {
  const fail = (why: string) =>
    invalidArgument(`${options.subject} has an invalid manifest: ${why}`, { field: options.field });
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw fail('it is not JSON');
  }
  if (!isRecord(raw) || raw.version !== 1 || !Array.isArray(raw.entries)) {
    throw fail('expected {"version":1,"entries":[...]}');
  }
  const entries: ManifestEntry[] = [];
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
      throw fail(`entries[${index}] symlink target '${entry.symlink}' leaves the root folder`);
    }
    leaves.add(entry.path);
    entries.push(entry);
    previous = entry.path;
  }
  return { version: 1, entries };
}

function parseEntry(item: unknown): ManifestEntry | null {
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

export interface ManifestDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Paths only in `b` (added), only in `a` (removed), and in both with other content, mode or kind (changed). */
export function diffManifests(a: Manifest, b: Manifest): ManifestDiff {
  const before = new Map(a.entries.map((entry) => [entry.path, entry]));
  const diff: ManifestDiff = { added: [], changed: [], removed: [] };
  for (const entry of b.entries) {
    const old = before.get(entry.path);
    if (!old) diff.added.push(entry.path);
    else if (!sameEntry(old, entry)) diff.changed.push(entry.path);
    before.delete(entry.path);
  }
  diff.removed = [...before.keys()];
  return diff;
}

function sameEntry(a: ManifestEntry, b: ManifestEntry): boolean {
  if (isSymlinkEntry(a) || isSymlinkEntry(b)) {
    return isSymlinkEntry(a) && isSymlinkEntry(b) && a.symlink === b.symlink;
  }
  return a.sha256 === b.sha256 && a.mode === b.mode;
}

/** The sha256 and length of the manifest's canonical bytes: its name, computed without storing it. */
export function manifestDigest(manifest: Manifest): { sha256: string; size: number } {
  const hash = createHash('sha256');
  let size = 0;
  for (const chunk of serializeManifest(manifest)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

import { invalidArgument } from '@cairn/core';
import { comparePaths, isSafeRelativePath, type ManifestDiff } from '@cairn/fileset';
import { SHA256_PATTERN } from '@cairn/store';

/**
 * One file of a data version: its content (`sha256`, `size`) and, for data referenced in place, what
 * the source showed when the version was made (`mtimeMs` and `inode` for local folders, `etag` for S3
 * and HTTP), so a later read can tell whether the bytes behind the path changed.
 */
export interface DataFileEntry {
  /** Relative to the version's root, posix; for a `uri_file` the file's own name. */
  path: string;
  size: number;
  sha256: string;
  mtimeMs: number | null;
  etag: string | null;
  inode: number | null;
}

/** The files of a data version, sorted by path. Its canonical JSON's sha256 is the manifest id. */
export interface DataManifest {
  version: 1;
  kind: 'data';
  entries: DataFileEntry[];
}

/** Canonical JSON, one entry per chunk (a manifest of millions of files is never one string). */
export function* serializeDataManifest(manifest: DataManifest): Generator<Buffer> {
  yield Buffer.from('{"version":1,"kind":"data","entries":[');
  let first = true;
  for (const e of manifest.entries) {
    const json = `{"path":${JSON.stringify(e.path)},"size":${e.size},"sha256":"${e.sha256}","mtimeMs":${e.mtimeMs === null ? 'null' : e.mtimeMs},"etag":${JSON.stringify(e.etag)},"inode":${e.inode === null ? 'null' : e.inode}}`;
    yield Buffer.from(first ? json : `,${json}`);
    first = false;
  }
  yield Buffer.from(']}');
}

/** A manifest from entries in any order: sorted, and refused when a path repeats or is unsafe. */
export function dataManifest(entries: readonly DataFileEntry[]): DataManifest {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  checkEntries(sorted, 'entries');
  return { version: 1, kind: 'data', entries: sorted };
}

/**
 * Parses a manifest blob a client may have written: every path safe, sorted and unique, every sha256
 * well formed, sizes whole and non-negative. Errors name the entry.
 */
export function parseDataManifest(text: string, id: string): DataManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidArgument(`Manifest ${id} is not JSON`, { field: 'manifestId' });
  }
  const obj = value as { version?: unknown; kind?: unknown; entries?: unknown };
  if (obj === null || typeof obj !== 'object' || obj.version !== 1 || obj.kind !== 'data') {
    throw invalidArgument(`Manifest ${id} is not a data manifest (version 1, kind "data")`, {
      field: 'manifestId',
    });
  }
  if (!Array.isArray(obj.entries)) {
    throw invalidArgument(`Manifest ${id} has no 'entries' list`, { field: 'manifestId' });
  }
  const entries: DataFileEntry[] = obj.entries.map((raw: unknown, i: number) => {
    const e = raw as Record<string, unknown>;
    const where = `manifest entry ${i}`;
    const bad = (why: string) => invalidArgument(`${where}: ${why}`, { field: 'manifestId', entry: i });
    if (e === null || typeof e !== 'object') throw bad('is not an object');
    if (typeof e.path !== 'string') throw bad("'path' is not a string");
    if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0)
      throw bad("'size' is not a whole number of bytes");
    if (typeof e.sha256 !== 'string' || !SHA256_PATTERN.test(e.sha256))
      throw bad("'sha256' is not a lowercase hex sha256");
    const optNumber = (v: unknown, name: string) => {
      if (v === undefined || v === null) return null;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`'${name}' is not a number`);
      return v;
    };
    if (e.etag !== undefined && e.etag !== null && typeof e.etag !== 'string')
      throw bad("'etag' is not a string");
    return {
      path: e.path,
      size: e.size,
      sha256: e.sha256,
      mtimeMs: optNumber(e.mtimeMs, 'mtimeMs'),
      etag: (e.etag as string | null | undefined) ?? null,
      inode: optNumber(e.inode, 'inode'),
    };
  });
  checkEntries(entries, 'manifestId');
  return { version: 1, kind: 'data', entries };
}

function checkEntries(entries: readonly DataFileEntry[], field: string): void {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as DataFileEntry;
    if (!isSafeRelativePath(entry.path)) {
      throw invalidArgument(`'${entry.path}' is not a safe relative path (no '..', no leading '/')`, {
        field,
        entry: i,
      });
    }
    const previous = entries[i - 1];
    if (previous && comparePaths(previous.path, entry.path) >= 0) {
      throw invalidArgument(
        previous.path === entry.path
          ? `'${entry.path}' appears twice in the manifest`
          : `The manifest is not sorted by path ('${previous.path}' before '${entry.path}')`,
        { field, entry: i },
      );
    }
    if (previous && entry.path.startsWith(`${previous.path}/`)) {
      throw invalidArgument(`'${entry.path}' is beneath the file '${previous.path}'`, { field, entry: i });
    }
  }
}

/** What differs between two versions' files, by path and content. */
export function diffDataManifests(before: DataManifest, after: DataManifest): ManifestDiff {
  const old = new Map(before.entries.map((e) => [e.path, e.sha256]));
  const diff: ManifestDiff = { added: [], changed: [], removed: [] };
  const seen = new Set<string>();
  for (const entry of after.entries) {
    seen.add(entry.path);
    const sha = old.get(entry.path);
    if (sha === undefined) diff.added.push(entry.path);
    else if (sha !== entry.sha256) diff.changed.push(entry.path);
  }
  for (const entry of before.entries) if (!seen.has(entry.path)) diff.removed.push(entry.path);
  return diff;
}

export const totalBytes = (manifest: DataManifest): number =>
  manifest.entries.reduce((sum, e) => sum + e.size, 0);

import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { conflict, invalidArgument, notFound } from '@cairn/core';
import { isSafeRelativePath, walkFolder } from '@cairn/fileset';
import type { SourceObject } from '../datastores/datastore-adapter.js';
import { type DataFileEntry, type DataManifest, dataManifest } from '../manifest/data-manifest.js';
import type { DataType } from './data-records.js';
import type { ResolvedSource } from './source.js';

/** Hashes local files (all cores, with a stat cache); resolves sha256s in the order given. */
export type LocalHasher = (files: readonly { absolutePath: string; size: number }[]) => Promise<string[]>;

export interface ScanOptions {
  type: DataType;
  source: ResolvedSource;
  /** A previous manifest of the same source: files whose size and mtime/inode or ETag match are not read. */
  known?: DataManifest | null;
  hashLocal?: LocalHasher;
  /** Remote files read at once. Default 8. */
  concurrency?: number;
}

export interface ScanResult {
  manifest: DataManifest;
  /** Files whose content was read (the rest matched `known`). */
  hashed: number;
  bytesHashed: number;
}

/** Whether the source still shows a file as it was when `entry` was recorded (no read needed). */
export function sourceUnchanged(entry: DataFileEntry, seen: SourceObject): boolean {
  if (entry.size !== seen.size) return false;
  let evidence = false;
  if (entry.etag !== null && seen.etag !== null) {
    if (entry.etag !== seen.etag) return false;
    evidence = true;
  }
  if (entry.mtimeMs !== null && seen.mtimeMs !== null) {
    if (entry.mtimeMs !== seen.mtimeMs) return false;
    evidence = true;
  }
  if (entry.inode !== null && seen.inode !== null && entry.inode !== seen.inode) return false;
  return evidence;
}

/** The files a data path names: one for `uri_file`, every file below it otherwise (paths made relative). */
export async function listSource(type: DataType, source: ResolvedSource): Promise<SourceObject[]> {
  if (type === 'uri_file') {
    const file = await source.adapter.stat(source.path);
    if (!file) throw notFound(`'${source.uri}' does not exist: check the path`, { field: 'path' });
    return [{ ...file, path: fileNameOf(source) }];
  }
  const prefix = source.path === '' ? '' : `${source.path.replace(/\/+$/, '')}/`;
  const files: SourceObject[] = [];
  const localRoot = source.adapter.localPath?.(source.path);
  if (localRoot !== undefined && (await stat(localRoot).catch(() => null))?.isDirectory()) {
    // A local folder is walked and stat'ed on the hash pool's threads: far less main-thread work per file
    // than one fs.stat promise each (100k files: about 3x faster).
    const walked = await walkFolder(localRoot, { ignoreFiles: false });
    for (const entry of walked.entries) {
      if (entry.kind !== 'file') continue;
      files.push({
        path: entry.path,
        size: entry.size,
        mtimeMs: entry.mtimeMs,
        etag: null,
        inode: entry.inode,
      });
    }
  } else {
    for await (const object of source.adapter.list(source.path)) {
      const relative = object.path.startsWith(prefix) ? object.path.slice(prefix.length) : object.path;
      if (!isSafeRelativePath(relative)) continue;
      files.push({ ...object, path: relative });
    }
  }
  if (files.length === 0) {
    throw notFound(`'${source.uri}' has no files: check the path (a folder must hold at least one file)`, {
      field: 'path',
    });
  }
  if (type === 'mltable' && !files.some((f) => f.path === 'MLTable')) {
    throw invalidArgument(
      `'${source.uri}' has no file named 'MLTable' at its top: an mltable asset is a folder with an MLTable file`,
      { field: 'path' },
    );
  }
  return files;
}

/** A single file's name in its version: the last segment of its path, or of its URL. */
function fileNameOf(source: ResolvedSource): string {
  const fromPath = posix.basename(source.path);
  if (fromPath) return fromPath;
  try {
    const fromUrl = decodeURIComponent(posix.basename(new URL(source.uri).pathname));
    if (isSafeRelativePath(fromUrl)) return fromUrl;
  } catch {
    // not a URL
  }
  return 'data';
}

/** The source path of a listed file (undoing `listSource`'s relative paths). */
export function sourcePathOf(type: DataType, source: ResolvedSource, relative: string): string {
  if (type === 'uri_file') return source.path;
  return source.path === '' ? relative : `${source.path.replace(/\/+$/, '')}/${relative}`;
}

/**
 * Reads a source into a manifest: lists it, reuses the content hash of every file `known` shows
 * unchanged, and hashes the rest (local files on all cores, remote ones streamed).
 */
export async function scanSource(options: ScanOptions): Promise<ScanResult> {
  const { type, source } = options;
  const listed = await listSource(type, source);
  const known = new Map((options.known?.entries ?? []).map((e) => [e.path, e]));
  const entries: DataFileEntry[] = [];
  const toHash: SourceObject[] = [];
  for (const object of listed) {
    const previous = known.get(object.path);
    if (previous && sourceUnchanged(previous, object)) entries.push({ ...previous, ...stateOf(object) });
    else toHash.push(object);
  }
  let bytesHashed = 0;
  const localPath = source.adapter.localPath?.bind(source.adapter);
  if (localPath && options.hashLocal && toHash.length > 0) {
    const sha256s = await options.hashLocal(
      toHash.map((o) => ({ absolutePath: localPath(sourcePathOf(type, source, o.path)), size: o.size })),
    );
    toHash.forEach((o, i) => {
      entries.push({ ...stateOf(o), sha256: sha256s[i] as string });
      bytesHashed += o.size;
    });
  } else {
    const concurrency = options.concurrency ?? 8;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < toHash.length; i = next++) {
        const object = toHash[i] as SourceObject;
        const { sha256, size } = await hashStream(source, sourcePathOf(type, source, object.path));
        if (size !== object.size) {
          throw conflict(
            `'${object.path}' changed while it was being read (${object.size} bytes listed, ${size} read); try again once it stops changing`,
            { field: 'path' },
          );
        }
        entries.push({ ...stateOf(object), sha256 });
        bytesHashed += size;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, toHash.length) }, worker));
  }
  return { manifest: dataManifest(entries), hashed: toHash.length, bytesHashed };
}

const stateOf = (o: SourceObject): Omit<DataFileEntry, 'sha256'> => ({
  path: o.path,
  size: o.size,
  mtimeMs: o.mtimeMs,
  etag: o.etag,
  inode: o.inode,
});

async function hashStream(source: ResolvedSource, path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await source.adapter.open(path)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** What changed at the source since `manifest` was recorded, judged by size and mtime/inode or ETag. */
export async function changesSince(
  type: DataType,
  source: ResolvedSource,
  manifest: DataManifest,
): Promise<{ changed: string[]; removed: string[]; added: string[] }> {
  const listed = await listSource(type, source).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'NOT_FOUND') return [];
    throw err;
  });
  const seen = new Map(listed.map((o) => [o.path, o]));
  const result = { changed: [] as string[], removed: [] as string[], added: [] as string[] };
  for (const entry of manifest.entries) {
    const now = seen.get(entry.path);
    if (!now) result.removed.push(entry.path);
    else if (!sourceUnchanged(entry, now)) result.changed.push(entry.path);
    seen.delete(entry.path);
  }
  result.added = [...seen.keys()];
  return result;
}

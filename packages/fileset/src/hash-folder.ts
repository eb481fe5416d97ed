import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { invalidArgument } from '@cairn/core';
import type { CachedHash, HashCache } from './hash-cache.js';
import { hashFiles } from './hash-files.js';
import type { HashPool, StatSignature } from './hash-pool.js';
import { manifestMode } from './manifest.js';
import type { ProgressListener } from './progress.js';
import { type WalkedFile, type WalkedSymlink, walkFolder } from './walk-folder.js';

export interface HashedFile extends WalkedFile {
  sha256: string;
}

export type HashedEntry = HashedFile | WalkedSymlink;

export interface HashFolderOptions {
  /** Honour `.gitignore`/`.amlignore`/`.cairnignore` and skip `.git` (code). Default false: every file. */
  ignoreFiles?: boolean;
  /** Reuse hashes of files whose stat is unchanged, and remember new ones. */
  cache?: HashCache;
  /** Default: the process's shared pool. */
  pool?: HashPool;
  /** Progress over all files; those whose hash came from the cache count as done at once (`filesSkipped`). */
  onProgress?: ProgressListener;
  /** The request field errors name. Default `path`. */
  field?: string;
}

export interface HashFolderResult {
  /** `root` made absolute. */
  root: string;
  /** Sorted by path. */
  entries: HashedEntry[];
  /** What was left out that the user may want to know about (symlinks leaving the folder, sockets, …). */
  warnings: string[];
  /** Regular files, and their bytes. */
  files: number;
  totalBytes: number;
  counts: {
    /** Files read and hashed. */
    hashed: number;
    /** Files whose hash came from the cache. */
    fromCache: number;
    bytesHashed: number;
  };
}

/**
 * A file modified less than this long before it was hashed is not cached: a second write within the
 * file system's timestamp granularity (up to 2 s on some) would leave its stat unchanged. As git's "racy
 * clean" check; such a file is simply hashed again next time.
 */
const RACY_WINDOW_MS = 2000;
/**
 * Cache rows written as hashes arrive, so a long run interrupted keeps most of its work. Large enough
 * that the main thread, which writes them, rarely keeps the hashing threads waiting for their next batch.
 */
const CACHE_FLUSH_ROWS = 10_000;

/**
 * Lists `root` (see `walkFolder`) and hashes every file on the pool's threads, taking the hash from
 * `cache` wherever the file's stat is unchanged. Memory grows with the number of files, not their size.
 */
export async function hashFolder(root: string, options: HashFolderOptions = {}): Promise<HashFolderResult> {
  const startedAt = Date.now();
  const field = options.field ?? 'path';
  const absoluteRoot = resolve(root);
  const info = await stat(absoluteRoot).catch(() => null);
  if (!info?.isDirectory()) {
    throw invalidArgument(`'${root}' is not a folder; give the path of a folder`, { field });
  }
  // The cache is read while the folder is listed: the listing mostly waits for the pool's stats.
  const [walked, cachedFolder] = await Promise.all([
    walkFolder(absoluteRoot, { ignoreFiles: options.ignoreFiles ?? false, pool: options.pool }),
    options.cache?.readFolder(absoluteRoot),
  ]);
  const files = walked.entries.filter((entry): entry is WalkedFile => entry.kind === 'file');
  const cached =
    (cachedFolder && options.cache?.match(cachedFolder, files)) ??
    new Array<string | null>(files.length).fill(null);

  // Indexed like `files`; filled from the cache now and from the pool as hashes arrive.
  const hashed = new Array<HashedFile>(files.length);
  const toHash: number[] = [];
  let cachedBytes = 0;
  files.forEach((file, i) => {
    const sha256 = cached[i];
    if (sha256) {
      hashed[i] = hashedFile(file, sha256, file);
      cachedBytes += file.size;
    } else {
      toHash.push(i);
    }
  });

  const fromCache = files.length - toHash.length;
  const unsaved: CachedHash[] = [];
  const save = () => options.cache?.store(unsaved.splice(0));
  let bytesHashed = 0;
  await hashFiles(
    toHash.map((i) => files[i]!),
    {
      pool: options.pool,
      field,
      onProgress:
        options.onProgress &&
        ((p) =>
          options.onProgress?.({
            ...p,
            filesDone: p.filesDone + fromCache,
            filesTotal: p.filesTotal + fromCache,
            bytesDone: p.bytesDone + cachedBytes,
            bytesTotal: p.bytesTotal + cachedBytes,
            filesSkipped: p.filesSkipped + fromCache,
          })),
      onHashed: (j, hash) => {
        const i = toHash[j]!;
        const file = hashedFile(files[i]!, hash.sha256, hash);
        hashed[i] = file;
        bytesHashed += file.size;
        if (options.cache && file.mtimeMs <= startedAt - RACY_WINDOW_MS) {
          unsaved.push(file);
          if (unsaved.length >= CACHE_FLUSH_ROWS) save();
        }
      },
    },
  ).finally(save);

  let next = 0;
  const entries = walked.entries.map((entry) => (entry.kind === 'file' ? hashed[next++]! : entry));
  let totalBytes = 0;
  for (const file of hashed) totalBytes += file.size;
  return {
    root: absoluteRoot,
    entries,
    warnings: walked.warnings,
    files: files.length,
    totalBytes,
    counts: { hashed: toHash.length, fromCache, bytesHashed },
  };
}

/** One shape for every entry (fast property access); `stat` is the listing's, or the hash's if newer. */
function hashedFile(file: WalkedFile, sha256: string, stat: StatSignature & { mode: number }): HashedFile {
  return {
    kind: 'file',
    path: file.path,
    absolutePath: file.absolutePath,
    size: stat.size,
    mode: stat === file ? file.mode : manifestMode(stat.mode),
    mtimeMs: stat.mtimeMs,
    ctimeMs: stat.ctimeMs,
    inode: stat.inode,
    dev: stat.dev,
    sha256,
  };
}

import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type FileStat, type HashPool, type StatSignature, sharedHashPool } from './hash-pool.js';
import { IGNORE_FILES, IgnoreRules } from './ignore-rules.js';
import { comparePaths, isTargetInsideRoot, manifestMode } from './manifest.js';

/** A regular file, with the stat signature (size, times, inode, device) taken as it was listed. */
export interface WalkedFile extends StatSignature {
  kind: 'file';
  /** Relative to the root, posix. */
  path: string;
  absolutePath: string;
  /** 0o755 when executable by anyone, else 0o644 (what a manifest records). */
  mode: number;
}

export interface WalkedSymlink {
  kind: 'symlink';
  path: string;
  target: string;
}

export type WalkedEntry = WalkedFile | WalkedSymlink;

export interface WalkResult {
  /** Sorted by path. */
  entries: WalkedEntry[];
  /** Things left out that the user may not expect (links leaving the root, sockets, …), one line each. */
  warnings: string[];
}

export interface WalkFolderOptions {
  /**
   * Honour `.gitignore`, `.amlignore` and `.cairnignore` in every folder and skip `.git` (code folders).
   * Default false: every file is taken (data folders).
   */
  ignoreFiles?: boolean;
  /** Threads that stat the files. Default: the process's shared pool. */
  pool?: HashPool;
}

/** Files stat'ed per request to the pool. */
const STAT_BATCH = 1024;

/**
 * Lists the regular files and symlinks under `root`. Symlinks are never followed: one whose target
 * stays inside the root is recorded as a link, one that leaves it (absolute, or `..` past the root) is
 * skipped with a warning, since its target would not exist elsewhere. Sockets, FIFOs and devices are
 * skipped with a warning. Folders are read here; files are stat'ed on the pool's threads in batches,
 * which is several times faster than one promise per file on the main thread.
 */
export async function walkFolder(root: string, options: WalkFolderOptions = {}): Promise<WalkResult> {
  const pool = options.pool ?? sharedHashPool();
  const honourIgnoreFiles = options.ignoreFiles ?? false;
  const links: WalkedSymlink[] = [];
  const warnings: string[] = [];
  const pendingStats: Array<Promise<Array<WalkedFile | null>>> = [];
  let unstated: string[] = [];
  const flush = () => {
    const batch = unstated;
    unstated = [];
    const stated = statBatch(pool, root, batch, warnings);
    // Awaited below; this keeps a failure while the walk is still listing from going unhandled.
    stated.catch(() => {});
    pendingStats.push(stated);
  };

  const pending: Array<{ dir: string; rules: IgnoreRules }> = [{ dir: '', rules: IgnoreRules.empty() }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const absoluteDir = next.dir === '' ? root : join(root, next.dir);
    const dirents = await readdir(absoluteDir, { withFileTypes: true });
    const rules = honourIgnoreFiles
      ? next.rules.enter(next.dir, await readIgnoreFiles(absoluteDir, dirents))
      : next.rules;
    for (const dirent of dirents) {
      const path = next.dir === '' ? dirent.name : `${next.dir}/${dirent.name}`;
      const kind = direntKind(dirent) ?? (await lstatKind(join(root, path)));
      if (honourIgnoreFiles && rules.ignores(path, kind === 'dir')) continue;
      if (kind === 'dir') pending.push({ dir: path, rules });
      else if (kind === 'file') {
        unstated.push(path);
        if (unstated.length >= STAT_BATCH) flush();
      } else if (kind === 'symlink') {
        const target = await readlink(join(root, path));
        if (isTargetInsideRoot(path, target)) links.push({ kind: 'symlink', path, target });
        else warnings.push(`skipped symlink ${path} -> ${target}: its target is outside the folder`);
      } else {
        warnings.push(`skipped ${path}: not a regular file, folder or symlink`);
      }
    }
  }
  if (unstated.length > 0) flush();
  const entries: WalkedEntry[] = links;
  for (const batch of await Promise.all(pendingStats)) {
    for (const file of batch) if (file) entries.push(file);
  }
  entries.sort((a, b) => comparePaths(a.path, b.path));
  return { entries, warnings };
}

type Kind = FileStat['kind'];

/** The dirent's type; null where the file system does not report types in directory listings. */
function direntKind(dirent: Dirent): Kind | null {
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isSymbolicLink()) return 'symlink';
  if (dirent.isFIFO() || dirent.isSocket() || dirent.isBlockDevice() || dirent.isCharacterDevice()) {
    return 'other';
  }
  return null;
}

async function lstatKind(absolutePath: string): Promise<Kind> {
  const stats = await lstat(absolutePath);
  return stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'symlink' : 'other';
}

async function statBatch(
  pool: HashPool,
  root: string,
  paths: readonly string[],
  warnings: string[],
): Promise<Array<WalkedFile | null>> {
  const absolutePaths = paths.map((path) => join(root, path));
  const stats = await pool.stat(absolutePaths);
  return stats.map((stat, i) => {
    const path = paths[i]!;
    if (stat?.kind !== 'file') {
      // Gone or replaced between the listing and the stat: the folder is being written to.
      warnings.push(`skipped ${path}: it changed while the folder was being listed`);
      return null;
    }
    const { size, mtimeMs, ctimeMs, inode, dev } = stat;
    const mode = manifestMode(stat.mode);
    return { kind: 'file', path, absolutePath: absolutePaths[i]!, size, mode, mtimeMs, ctimeMs, inode, dev };
  });
}

async function readIgnoreFiles(absoluteDir: string, dirents: readonly Dirent[]): Promise<string[]> {
  const present = new Set(dirents.filter((d) => d.isFile()).map((d) => d.name));
  const names = IGNORE_FILES.filter((name) => present.has(name));
  return Promise.all(names.map((name) => readFile(join(absoluteDir, name), 'utf8')));
}

import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { IGNORE_FILES, IgnoreRules } from './ignore-rules.js';
import { comparePaths, EXECUTABLE_MODE, isTargetInsideRoot, REGULAR_MODE } from './manifest.js';

export interface WalkedFile {
  kind: 'file';
  /** Relative to the root, posix. */
  path: string;
  absolutePath: string;
  size: number;
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

/**
 * Lists what a snapshot of `root` holds: regular files and symlinks that are not ignored (see
 * `IgnoreRules`). Symlinks are never followed; one whose target stays inside the root is recorded as a
 * link, one that leaves it (absolute, or `..` past the root) is skipped with a warning, since its
 * target would not exist where the job runs. Sockets, FIFOs and devices are skipped with a warning.
 */
export async function walkCodeFolder(root: string): Promise<WalkResult> {
  const entries: WalkedEntry[] = [];
  const warnings: string[] = [];
  const pending: Array<{ dir: string; rules: IgnoreRules }> = [{ dir: '', rules: IgnoreRules.empty() }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const absoluteDir = next.dir === '' ? root : join(root, next.dir);
    const dirents = await readdir(absoluteDir, { withFileTypes: true });
    const rules = next.rules.enter(next.dir, await readIgnoreFiles(absoluteDir, dirents));
    const visited = await Promise.all(
      dirents.map((dirent) => visit(root, next.dir, dirent, rules, warnings)),
    );
    for (const item of visited) {
      if (item === null) continue;
      if ('dir' in item) pending.push({ dir: item.dir, rules });
      else entries.push(item);
    }
  }
  entries.sort((a, b) => comparePaths(a.path, b.path));
  return { entries, warnings };
}

async function visit(
  root: string,
  parent: string,
  dirent: Dirent,
  rules: IgnoreRules,
  warnings: string[],
): Promise<WalkedEntry | { dir: string } | null> {
  const path = parent === '' ? dirent.name : `${parent}/${dirent.name}`;
  const absolutePath = join(root, path);
  if (dirent.isDirectory()) return rules.ignores(path, true) ? null : { dir: path };
  if (rules.ignores(path, false)) return null;
  if (dirent.isSymbolicLink()) {
    const target = await readlink(absolutePath);
    if (isTargetInsideRoot(path, target)) return { kind: 'symlink', path, target };
    warnings.push(`skipped symlink ${path} -> ${target}: its target is outside the code folder`);
    return null;
  }
  if (!dirent.isFile()) {
    warnings.push(`skipped ${path}: not a regular file, folder or symlink`);
    return null;
  }
  const stats = await lstat(absolutePath);
  const mode = (stats.mode & 0o111) !== 0 ? EXECUTABLE_MODE : REGULAR_MODE;
  return { kind: 'file', path, absolutePath, size: stats.size, mode };
}

async function readIgnoreFiles(absoluteDir: string, dirents: readonly Dirent[]): Promise<string[]> {
  const present = new Set(dirents.filter((d) => d.isFile()).map((d) => d.name));
  const names = IGNORE_FILES.filter((name) => present.has(name));
  return Promise.all(names.map((name) => readFile(join(absoluteDir, name), 'utf8')));
}

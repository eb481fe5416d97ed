import { createHash } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Disposable } from '../support/env.js';

export type TreeSpec = Record<
  string,
  string | Buffer | { content: string | Buffer; executable: true } | { symlink: string }
>;

/** A fresh temporary folder; `dispose` removes it. */
export async function tempFolder(prefix: string): Promise<{ path: string } & Disposable> {
  const path = await mkdtemp(join(tmpdir(), `cairn-${prefix}-`));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

/** Writes `spec` under `root`: plain content, executable files, and symlinks. */
export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [path, item] of Object.entries(spec)) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof item === 'object' && 'symlink' in item) {
      await symlink(item.symlink, target);
    } else if (typeof item === 'object' && 'executable' in item) {
      await writeFile(target, item.content);
      await chmod(target, 0o755);
    } else {
      await writeFile(target, item);
    }
  }
}

/** Every file and symlink under `root` (skipping `skip` names): path, content hash, executable bit, link target. */
export async function describeTree(root: string, skip: readonly string[] = []): Promise<string[]> {
  const lines: string[] = [];
  const visit = async (dir: string, prefix: string) => {
    for (const name of (await readdir(dir)).sort()) {
      if (skip.includes(name)) continue;
      const path = prefix ? `${prefix}/${name}` : name;
      const full = join(dir, name);
      const info = await lstat(full);
      if (info.isDirectory()) await visit(full, path);
      else if (info.isSymbolicLink()) lines.push(`${path} -> ${await readlink(full)}`);
      else {
        const sha = createHash('sha256')
          .update(await readFile(full))
          .digest('hex');
        lines.push(`${path} ${info.size} ${sha} ${(info.mode & 0o111) !== 0 ? 'x' : '-'}`);
      }
    }
  };
  await visit(root, '');
  return lines.sort();
}

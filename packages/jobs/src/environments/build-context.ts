import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { invalidArgument } from '@cairn/core';

/** A Docker build context recorded with an environment. Cairn cannot build it here (no Docker engine). */
export interface BuildContext {
  /** Absolute path of the context folder, or the URL as written. */
  path: string;
  /** Relative to the context. */
  dockerfilePath: string;
  /**
   * sha256 over the context's files (path, mode, content sha256, sorted by path; `.git` skipped), or
   * null for a remote context (a URL), which is not fetched.
   */
  sha256: string | null;
}

const isRemote = (path: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.startsWith('git@');

/** Checks the context and its Dockerfile exist and hashes the context's content. */
export async function readBuildContext(
  build: { path: string; dockerfile_path?: string | undefined },
  baseDir: string,
): Promise<BuildContext> {
  const dockerfilePath = build.dockerfile_path ?? 'Dockerfile';
  if (isRemote(build.path)) return { path: build.path, dockerfilePath, sha256: null };
  const root = resolve(baseDir, build.path);
  const stats = await lstat(root).catch(() => null);
  if (stats === null || !stats.isDirectory()) {
    throw invalidArgument(
      `build.path: ${root} is not a folder; give the Docker build context folder, relative to the environment's YAML file`,
      { field: 'build.path' },
    );
  }
  const dockerfile = resolve(root, dockerfilePath);
  const inside = relative(root, dockerfile);
  if (
    inside.startsWith('..') ||
    isAbsolute(inside) ||
    !(await lstat(dockerfile).catch(() => null))?.isFile()
  ) {
    throw invalidArgument(
      `build.dockerfile_path: no file ${dockerfilePath} in the build context ${root}; the path is relative to build.path`,
      { field: 'build.dockerfile_path' },
    );
  }
  return { path: root, dockerfilePath, sha256: await hashFolder(root) };
}

async function hashFolder(root: string): Promise<string> {
  const lines: string[] = [];
  const pending = [''];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== '.git') pending.push(path);
      } else if (entry.isSymbolicLink()) {
        lines.push(`${path}\0link\0${await readlink(join(root, path))}`);
      } else if (entry.isFile()) {
        const { mode } = await lstat(join(root, path));
        const kind = (mode & 0o111) !== 0 ? 'x' : 'f';
        lines.push(`${path}\0${kind}\0${await hashFile(join(root, path))}`);
      }
    }
  }
  lines.sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex');
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

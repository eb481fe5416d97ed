import { createHash } from 'node:crypto';
import { rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashCache } from './hash-cache.js';
import { type HashedEntry, type HashFolderOptions, hashFolder } from './hash-folder.js';
import { HashPool } from './hash-pool.js';
import type { FileSetProgress } from './progress.js';
import { type TestFolder, testFolder } from './test-folder.js';

const pool = new HashPool({ size: 2 });
afterAll(() => pool.close());

let folder: TestFolder;
let cacheFolder: TestFolder;
let cache: HashCache;
beforeEach(async () => {
  folder = await testFolder('folder');
  cacheFolder = await testFolder('cache');
  cache = HashCache.open(join(cacheFolder.path, 'hashes.sqlite'));
});
afterEach(async () => {
  cache.close();
  await Promise.all([folder.remove(), cacheFolder.remove()]);
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hash = (options: HashFolderOptions = {}) => hashFolder(folder.path, { pool, cache, ...options });
const shaOf = (entries: HashedEntry[], path: string) => {
  const entry = entries.find((e) => e.path === path);
  return entry?.kind === 'file' ? entry.sha256 : undefined;
};

/** Writes files and moves their mtime a minute back, out of the racy window, as an untouched folder is. */
async function writeAged(files: Record<string, string>): Promise<void> {
  await folder.write(files);
  for (const path of Object.keys(files)) await folder.age(path);
}

describe('hashFolder', () => {
  it('hashes every file with its stat, then takes unchanged files from the cache', async () => {
    await writeAged({ 'a.txt': 'alpha', 'sub/b.bin': 'beta', 'sub/deeper/c': '' });
    const first = await hash();
    expect(first.counts).toEqual({ hashed: 3, fromCache: 0, bytesHashed: 9 });
    expect(first.entries.map((e) => e.path)).toEqual(['a.txt', 'sub/b.bin', 'sub/deeper/c']);
    const info = await stat(join(folder.path, 'a.txt'));
    expect(first.entries[0]).toMatchObject({
      kind: 'file',
      path: 'a.txt',
      absolutePath: join(folder.path, 'a.txt'),
      size: 5,
      mode: 0o644,
      mtimeMs: info.mtimeMs,
      inode: info.ino,
      sha256: sha256('alpha'),
    });

    const again = await hash();
    expect(again.counts).toEqual({ hashed: 0, fromCache: 3, bytesHashed: 0 });
    expect(again.entries).toEqual(first.entries);
  });

  it('hashes again a file whose size, mtime or inode changed', async () => {
    await writeAged({ size: 'one', mtime: 'two', inode: 'three', same: 'four' });
    await hash();

    await writeAged({ size: 'one more' });
    await utimes(join(folder.path, 'mtime'), new Date(2001, 0, 1), new Date(2001, 0, 1));
    // Same bytes, same mtime, but a new file (as an editor saving through a rename does).
    const { mtime } = await stat(join(folder.path, 'inode'));
    await writeFile(join(folder.path, 'inode.tmp'), 'three');
    await rename(join(folder.path, 'inode.tmp'), join(folder.path, 'inode'));
    await utimes(join(folder.path, 'inode'), mtime, mtime);

    const next = await hash();
    expect(next.counts).toEqual({ hashed: 3, fromCache: 1, bytesHashed: 8 + 3 + 5 });
    expect(shaOf(next.entries, 'size')).toBe(sha256('one more'));
  });

  it('catches a same-size write whose mtime was put back (ctime changes)', async () => {
    await writeAged({ 'data.csv': 'a,b\n1,2\n' });
    const before = await stat(join(folder.path, 'data.csv'));
    await hash();
    await writeFile(join(folder.path, 'data.csv'), 'a,b\n3,4\n');
    await utimes(join(folder.path, 'data.csv'), before.atime, before.mtime);
    const next = await hash();
    expect(next.counts.hashed).toBe(1);
    expect(shaOf(next.entries, 'data.csv')).toBe(sha256('a,b\n3,4\n'));
  });

  it('does not cache a file written moments ago, whose next write could keep its stat', async () => {
    await folder.write({ 'fresh.txt': 'new' });
    await writeAged({ 'old.txt': 'old' });
    await hash();
    expect((await hash()).counts).toMatchObject({ hashed: 1, fromCache: 1 });
  });

  it('forgets files that are gone, and keeps other folders’ entries', async () => {
    await writeAged({ 'keep.txt': 'k', 'drop.txt': 'd' });
    const other = await testFolder('other');
    try {
      await other.write({ 'x.txt': 'x' });
      await other.age('x.txt');
      await hashFolder(other.path, { pool, cache });
      await hash();
      expect(cache.count()).toBe(3);
      await folder.remove();
      await writeAged({ 'keep.txt': 'k' });
      await hash();
      expect(cache.count()).toBe(2);
      expect((await hashFolder(other.path, { pool, cache })).counts.fromCache).toBe(1);
    } finally {
      await other.remove();
    }
  });

  it('takes every file by default, and honours ignore files only when asked', async () => {
    await writeAged({ '.gitignore': '*.log\n', 'train.log': 'x', 'data.csv': 'x', '.git/HEAD': 'ref' });
    const all = await hash();
    expect(all.entries.map((e) => e.path)).toEqual(['.git/HEAD', '.gitignore', 'data.csv', 'train.log']);
    const code = await hash({ ignoreFiles: true });
    expect(code.entries.map((e) => e.path)).toEqual(['.gitignore', 'data.csv']);
  });

  it('reports progress over all files, counting cached ones as skipped', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`f${i}.txt`] = `file ${i}`;
    await writeAged(files);
    const totalBytes = Object.values(files).reduce((total, c) => total + c.length, 0);
    const cold: FileSetProgress[] = [];
    await hash({ onProgress: (p) => cold.push(p) });
    expect(cold.at(-1)).toMatchObject({
      filesDone: 40,
      filesTotal: 40,
      bytesDone: totalBytes,
      filesSkipped: 0,
    });

    await writeAged({ 'f0.txt': 'changed!' });
    const warm: FileSetProgress[] = [];
    await hash({ onProgress: (p) => warm.push(p) });
    expect(warm.at(-1)).toMatchObject({
      filesDone: 40,
      filesTotal: 40,
      bytesDone: totalBytes + 2,
      bytesTotal: totalBytes + 2,
      filesSkipped: 39,
    });
  });

  it('rejects a path that is not a folder', async () => {
    await folder.write({ 'file.txt': 'x' });
    await expect(hashFolder(join(folder.path, 'file.txt'), { pool })).rejects.toThrow(/is not a folder/);
  });
});

import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CairnError, ErrorCode } from '@cairn/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceObject } from '../datastore-adapter.js';
import { openDatastore } from '../open-datastore.js';
import { LocalDatastore } from './local-datastore.js';

let root: string;
let outside: string;
let store: LocalDatastore;

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function collect(items: AsyncIterable<SourceObject>): Promise<SourceObject[]> {
  const out: SourceObject[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<CairnError> {
  const err = await promise.then(
    () => new Error(`expected ${code}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CairnError);
  expect((err as CairnError).code).toBe(code);
  return err as CairnError;
}

beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'cairn-local-ds-'));
  root = join(base, 'root');
  outside = join(base, 'outside.txt');
  await mkdir(join(root, 'sub', 'deep'), { recursive: true });
  await mkdir(join(root, 'empty'));
  await writeFile(join(root, 'a.csv'), 'x,y\n1,2\n');
  await writeFile(join(root, 'sub', 'b.txt'), 'hello world');
  await writeFile(join(root, 'sub', 'deep', 'c.bin'), Buffer.alloc(1000, 7));
  await writeFile(join(root, '.hidden'), 'h');
  await writeFile(outside, 'outside');
  await symlink(join(root, 'a.csv'), join(root, 'link-to-a.csv'));
  await symlink(join(root, 'sub'), join(root, 'link-to-sub'));
  await symlink(join(root, 'missing'), join(root, 'dangling'));
  const opened = await openDatastore({ name: 'raw', type: 'local', path: root });
  if (opened.type !== 'local') throw new Error('expected a local datastore');
  store = opened;
});
afterEach(async () => {
  await chmod(root, 0o755).catch(() => undefined);
  await rm(join(root, '..'), { recursive: true, force: true });
});

describe('local datastore', () => {
  it('checks that the folder exists and is a folder', async () => {
    await store.check();
    const missing = new LocalDatastore({ name: 'gone', type: 'local', path: join(root, 'nope') });
    const err = await failure(missing.check(), ErrorCode.NOT_FOUND);
    expect(err.message).toMatch(/Datastore 'gone': folder .*nope does not exist/);
    const file = new LocalDatastore({ name: 'f', type: 'local', path: join(root, 'a.csv') });
    await failure(file.check(), ErrorCode.INVALID_ARGUMENT);
  });

  it('stats files with size, mtime and inode; folders and missing paths give null', async () => {
    const info = await stat(join(root, 'sub', 'b.txt'));
    expect(await store.stat('/sub/./b.txt')).toEqual({
      path: 'sub/b.txt',
      size: 11,
      mtimeMs: info.mtimeMs,
      etag: null,
      inode: info.ino,
    });
    expect(await store.stat('sub')).toBeNull();
    expect(await store.stat('nope.txt')).toBeNull();
    expect(await store.stat('a.csv/inside')).toBeNull();
  });

  it('lists every file recursively, following links to files but not to folders', async () => {
    const all = await collect(store.list());
    expect(all.map((o) => o.path).sort()).toEqual([
      '.hidden',
      'a.csv',
      'link-to-a.csv',
      'sub/b.txt',
      'sub/deep/c.bin',
    ]);
    expect(all.find((o) => o.path === 'sub/deep/c.bin')?.size).toBe(1000);
    expect((await collect(store.list('sub/'))).map((o) => o.path)).toEqual(['sub/b.txt', 'sub/deep/c.bin']);
    expect((await collect(store.list('a.csv'))).map((o) => o.path)).toEqual(['a.csv']);
    expect(await collect(store.list('empty'))).toEqual([]);
    const err = await failure(collect(store.list('nope')), ErrorCode.NOT_FOUND);
    expect(err.message).toMatch(/Datastore 'raw' has no file or folder "nope"/);
  });

  it('lists a large folder in full', async () => {
    await mkdir(join(root, 'many'));
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => writeFile(join(root, 'many', `f${i}`), String(i))),
    );
    const many = await collect(store.list('many'));
    expect(many).toHaveLength(300);
    expect(new Set(many.map((o) => o.path)).size).toBe(300);
  });

  it('opens a file whole or a range of it', async () => {
    expect(await readAll(await store.open('sub/b.txt'))).toBe('hello world');
    expect(await readAll(await store.open('sub/b.txt', { offset: 6 }))).toBe('world');
    expect(await readAll(await store.open('sub/b.txt', { offset: 0, length: 5 }))).toBe('hello');
    expect(await readAll(await store.open('sub/b.txt', { offset: 3, length: 0 }))).toBe('');
    await failure(store.open('nope.txt'), ErrorCode.NOT_FOUND);
    await failure(store.open('sub'), ErrorCode.INVALID_ARGUMENT);
    await failure(store.open('sub/b.txt', { offset: -1 }), ErrorCode.INVALID_ARGUMENT);
  });

  it('maps paths under its folder and refuses any that lead outside it', async () => {
    expect(store.localPath('sub/b.txt')).toBe(join(root, 'sub', 'b.txt'));
    expect(store.localPath('')).toBe(root);
    expect(store.localPath('/a.csv')).toBe(join(root, 'a.csv'));
    for (const leaving of ['../outside.txt', 'sub/../../outside.txt', '..']) {
      expect(() => store.localPath(leaving)).toThrow(/leads outside the datastore/);
      await failure(store.open(leaving), ErrorCode.INVALID_ARGUMENT);
      await failure(store.stat(leaving), ErrorCode.INVALID_ARGUMENT);
    }
  });

  it.skipIf(process.getuid?.() === 0)('says when the server may not read the folder', async () => {
    await chmod(root, 0o000);
    await failure(store.check(), ErrorCode.PERMISSION_DENIED);
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { CairnError, type ErrorCode } from '@cairn/core';
import type { Dialect } from '@cairn/store';
import { ArtifactRepository } from '@cairn/tracking';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobKind, openTestBlobStore } from '../support/blob-stores.js';
import type { Disposable } from '../support/env.js';
import { openTestMetadataStore } from '../support/metadata-stores.js';

const COMBINATIONS: [Dialect, BlobKind][] = [
  ['sqlite', 'local'],
  ['postgres', 's3'],
  ['sqlite', 's3'],
  ['postgres', 'local'],
];

const bytes = (s: string) => Readable.from([Buffer.from(s)]);
const sha256Of = (s: string) => createHash('sha256').update(s).digest('hex');

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString();
}

async function errorOf(promise: Promise<unknown>): Promise<CairnError> {
  const err = await promise.then(
    () => new Error('expected an error, but it succeeded'),
    (e: unknown) => e,
  );
  if (!(err instanceof CairnError)) throw err;
  return err;
}

async function expectError(promise: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  const err = await errorOf(promise);
  expect(err.code).toBe(code);
  if (field !== undefined) expect(err.details.field).toBe(field);
}

describe.each(COMBINATIONS)('artifact repository on %s + %s blobs', (dialect, blobKind) => {
  let repo: ArtifactRepository;
  let handles: Disposable[];
  let ws: string;
  let insertRows: (paths: string[], sha256: string) => Promise<void>;

  beforeEach(async () => {
    const meta = await openTestMetadataStore(dialect);
    const blob = await openTestBlobStore(blobKind);
    handles = [blob, meta];
    repo = new ArtifactRepository({ store: meta.store, blobs: blob.blobs });
    ws = `ws-${randomUUID()}`;
    // Many-file fixtures are written as rows pointing at one stored blob: the listing logic is what is under test.
    insertRows = async (paths, sha256) => {
      for (let i = 0; i < paths.length; i += 500) {
        await meta.store.db
          .insertInto('artifact_files')
          .values(
            paths
              .slice(i, i + 500)
              .map((path) => ({ workspace_id: ws, path, sha256, size: 1, created_at: 1 })),
          )
          .execute();
      }
    };
  });
  afterEach(async () => {
    for (const h of handles) await h.dispose();
  });

  it('puts a file and opens it whole and by range', async () => {
    const put = await repo.put(ws, '1/run/artifacts/notes.txt', bytes('hello artifacts'));
    expect(put).toEqual({ path: '1/run/artifacts/notes.txt', size: 15, sha256: sha256Of('hello artifacts') });

    const whole = await repo.open(ws, '1/run/artifacts/notes.txt');
    expect(whole.size).toBe(15);
    expect(await text(whole.stream)).toBe('hello artifacts');
    const part = await repo.open(ws, '1/run/artifacts/notes.txt', { start: 6, end: 8 });
    expect(part.size).toBe(15);
    expect(await text(part.stream)).toBe('art');
  });

  it('replaces a file written again at the same path', async () => {
    await repo.put(ws, 'a/f.txt', bytes('one'));
    await repo.put(ws, 'a/f.txt', bytes('second'));
    expect(await text((await repo.open(ws, 'a/f.txt')).stream)).toBe('second');
    expect(await repo.list(ws, 'a')).toEqual([{ path: 'f.txt', isDir: false, fileSize: 6 }]);
  });

  it('answers NOT_FOUND for a missing file and keeps workspaces apart', async () => {
    await repo.put(ws, 'x/y.txt', bytes('y'));
    await expectError(repo.open(ws, 'x/nope.txt'), 'NOT_FOUND', 'path');
    await expectError(repo.open(`${ws}-other`, 'x/y.txt'), 'NOT_FOUND', 'path');
    expect(await repo.list(`${ws}-other`, 'x')).toEqual([]);
  });

  it('lists immediate children, folders derived from deeper paths, sorted bytewise, relative to the folder', async () => {
    const root = '7/r1/artifacts';
    for (const p of ['model/MLmodel', 'model/data/model.pkl', 'a.txt', 'a-b/c', 'a0', 'b.json']) {
      await repo.put(ws, `${root}/${p}`, bytes(p));
    }
    await repo.put(ws, '7/r10/artifacts/other.txt', bytes('neighbour run'));

    expect(await repo.list(ws, root)).toEqual([
      { path: 'a-b', isDir: true, fileSize: null },
      { path: 'a.txt', isDir: false, fileSize: 5 },
      { path: 'a0', isDir: false, fileSize: 2 },
      { path: 'b.json', isDir: false, fileSize: 6 },
      { path: 'model', isDir: true, fileSize: null },
    ]);
    expect(await repo.list(ws, `${root}/model/`)).toEqual([
      { path: 'MLmodel', isDir: false, fileSize: 13 },
      { path: 'data', isDir: true, fileSize: null },
    ]);
    expect(await repo.list(ws, '7')).toEqual([
      { path: 'r1', isDir: true, fileSize: null },
      { path: 'r10', isDir: true, fileSize: null },
    ]);
    expect(await repo.list(ws, '')).toEqual([{ path: '7', isDir: true, fileSize: null }]);
    expect(await repo.list(ws, `${root}/a.txt`)).toEqual([]);
    expect(await repo.list(ws, `${root}/missing`)).toEqual([]);
  });

  it('lists folders holding thousands of entries in full, skipping over big subfolders', async () => {
    const { sha256 } = await repo.put(ws, 'big/seed', bytes('s'));
    const files = Array.from({ length: 2500 }, (_, i) => `big/f${String(i).padStart(5, '0')}`);
    const deep = Array.from({ length: 3000 }, (_, i) => `big/deep/d${i}`);
    await insertRows([...files, ...deep, 'big/zz/last'], sha256);

    const listed = await repo.list(ws, 'big');
    expect(listed).toHaveLength(2500 + 3);
    expect(listed[0]).toEqual({ path: 'deep', isDir: true, fileSize: null });
    expect(listed.filter((e) => e.isDir).map((e) => e.path)).toEqual(['deep', 'zz']);
    expect(listed.at(-2)).toEqual({ path: 'seed', isDir: false, fileSize: 1 });
    expect((await repo.list(ws, 'big/deep')).length).toBe(3000);
  });

  it('deletes a file, or a folder and everything under it, leaving look-alike neighbours', async () => {
    for (const p of ['d/x', 'd/sub/y', 'd.txt', 'd0', 'e/z']) await repo.put(ws, p, bytes(p));
    expect(await repo.delete(ws, 'd/x')).toBe(1);
    expect(await repo.delete(ws, 'd')).toBe(1);
    expect(await repo.list(ws, '')).toEqual([
      { path: 'd.txt', isDir: false, fileSize: 5 },
      { path: 'd0', isDir: false, fileSize: 2 },
      { path: 'e', isDir: true, fileSize: null },
    ]);
    expect(await repo.delete(ws, 'nothing/here')).toBe(0);
    await expectError(repo.delete(ws, ''), 'INVALID_ARGUMENT', 'path');
  });

  it('copies a tree by reference, and refuses to copy a folder into itself', async () => {
    await repo.put(ws, '1/run/artifacts/model/MLmodel', bytes('flavors: {}'));
    await repo.put(ws, '1/run/artifacts/model/data/w.bin', bytes('weights'));
    await repo.put(ws, '1/run/artifacts/model-card.md', bytes('card'));

    expect(await repo.copyTree(ws, '1/run/artifacts/model', '1/models/m-1/artifacts')).toBe(2);
    expect(await repo.list(ws, '1/models/m-1/artifacts')).toEqual([
      { path: 'MLmodel', isDir: false, fileSize: 11 },
      { path: 'data', isDir: true, fileSize: null },
    ]);
    const copied = await repo.stat(ws, '1/models/m-1/artifacts/data/w.bin');
    expect(copied?.sha256).toBe((await repo.stat(ws, '1/run/artifacts/model/data/w.bin'))?.sha256);
    expect(await text((await repo.open(ws, '1/models/m-1/artifacts/data/w.bin')).stream)).toBe('weights');

    expect(await repo.copyTree(ws, '1/run/artifacts/model-card.md', 'cards/m-1.md')).toBe(1);
    expect(await text((await repo.open(ws, 'cards/m-1.md')).stream)).toBe('card');
    await expectError(repo.copyTree(ws, '1/run', '1/run/artifacts/again'), 'INVALID_ARGUMENT', 'toDir');
    await expectError(repo.copyTree(ws, '../x', 'y'), 'INVALID_ARGUMENT', 'fromDir');
  });

  it('rejects path traversal and malformed paths with INVALID_ARGUMENT naming path', async () => {
    const bad = [
      '../escape',
      '1/run/../../etc/passwd',
      '/etc/passwd',
      'a\\..\\b',
      'nul\0byte',
      'a//b',
      'dir/',
      '',
    ];
    for (const p of bad) {
      await expectError(repo.put(ws, p, bytes('x')), 'INVALID_ARGUMENT', 'path');
      await expectError(repo.open(ws, p), 'INVALID_ARGUMENT', 'path');
    }
    await expectError(repo.list(ws, '../'), 'INVALID_ARGUMENT', 'path');
    await expectError(repo.delete(ws, '/abs'), 'INVALID_ARGUMENT', 'path');
    await expectError(repo.createMultipart(ws, 'a/../b', 2), 'INVALID_ARGUMENT', 'path');
    expect(await repo.list(ws, '')).toEqual([]);
  });

  it('keeps the path space a tree: no file where a folder is, nor under a file', async () => {
    await repo.put(ws, 'm/file', bytes('f'));
    await expectError(repo.put(ws, 'm', bytes('x')), 'CONFLICT', 'path');
    await expectError(repo.put(ws, 'm/file/inner', bytes('x')), 'CONFLICT', 'path');
    await repo.put(ws, 'm.txt', bytes('fine'));
  });

  it('stores no row when the upload fails midway', async () => {
    const failing = (async function* () {
      yield Buffer.from('half');
      throw new Error('client went away');
    })();
    await expect(repo.put(ws, 'broken.bin', failing)).rejects.toThrow('client went away');
    expect(await repo.stat(ws, 'broken.bin')).toBeNull();
  });

  it('assembles a multipart upload from parts sent out of order', async () => {
    const id = await repo.createMultipart(ws, '3/r/artifacts/big.bin', 3);
    expect(await repo.getMultipart(id)).toEqual({
      uploadId: id,
      workspaceId: ws,
      path: '3/r/artifacts/big.bin',
      numParts: 3,
    });
    const e2 = await repo.putPart(id, 2, bytes('BBBB'));
    const e1 = await repo.putPart(id, 1, bytes('wrong'));
    const e1b = await repo.putPart(id, 1, bytes('AAAA')); // a retried part replaces the first attempt
    const e3 = await repo.putPart(id, 3, bytes('CC'));
    expect(e1).not.toBe(e1b);

    await expectError(
      repo.completeMultipart(id, [
        { partNumber: 1, etag: e1 },
        { partNumber: 2, etag: e2 },
      ]),
      'INVALID_ARGUMENT',
      'parts[0].etag',
    );
    const file = await repo.completeMultipart(id, [
      { partNumber: 1, etag: `"${e1b}"` },
      { partNumber: 2, etag: e2 },
      { partNumber: 3, etag: e3.toUpperCase() },
    ]);
    expect(file).toEqual({ path: '3/r/artifacts/big.bin', size: 10, sha256: sha256Of('AAAABBBBCC') });
    expect(await text((await repo.open(ws, '3/r/artifacts/big.bin')).stream)).toBe('AAAABBBBCC');
    await expectError(repo.getMultipart(id), 'NOT_FOUND', 'upload_id');
    await expectError(repo.putPart(id, 1, bytes('late')), 'NOT_FOUND', 'upload_id');
  });

  it('validates multipart inputs and aborts uploads', async () => {
    await expectError(repo.createMultipart(ws, 'f.bin', 0), 'INVALID_ARGUMENT', 'num_parts');
    await expectError(repo.createMultipart(ws, 'f.bin', 10_001), 'INVALID_ARGUMENT', 'num_parts');
    const id = await repo.createMultipart(ws, 'f.bin', 2);
    await expectError(repo.putPart(id, 3, bytes('x')), 'INVALID_ARGUMENT', 'part_number');
    await expectError(repo.putPart(id, 0, bytes('x')), 'INVALID_ARGUMENT', 'part_number');
    await repo.putPart(id, 1, bytes('x'));
    await expectError(repo.completeMultipart(id, []), 'INVALID_ARGUMENT', 'parts');
    await expectError(
      repo.completeMultipart(id, [{ partNumber: 2, etag: sha256Of('x') }]),
      'INVALID_ARGUMENT',
      'parts[0].part_number',
    );
    await repo.abortMultipart(id);
    await expectError(repo.abortMultipart(id), 'NOT_FOUND', 'upload_id');
    await expectError(repo.putPart(id, 1, bytes('x')), 'NOT_FOUND', 'upload_id');
    expect(await repo.stat(ws, 'f.bin')).toBeNull();
    await expectError(repo.putPart(randomUUID(), 1, bytes('x')), 'NOT_FOUND', 'upload_id');
  });
});

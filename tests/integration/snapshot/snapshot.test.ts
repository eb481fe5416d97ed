import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError, ErrorCode } from '@cairn/core';
import {
  createSnapshot,
  diffSnapshots,
  materializeSnapshot,
  readManifest,
  type SnapshotProgress,
  snapshotTar,
} from '@cairn/jobs';
import type { BlobStore } from '@cairn/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOB_KINDS, openTestBlobStore } from '../support/blob-stores.js';
import type { Disposable } from '../support/env.js';
import { describeTree, type TreeSpec, tempFolder, writeTree } from './code-folder.js';

const LONG_PATH = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(74)}.py`;

/** A code folder with the awkward cases: a 200-character path, an executable, a symlink, binary and empty files. */
function awkwardTree(): TreeSpec {
  return {
    'train.py': 'import mlflow\nprint("train")\n',
    'run.sh': { content: '#!/bin/sh\necho run\n', executable: true },
    [LONG_PATH]: 'long = True\n',
    'data/weights.bin': randomBytes(3 * 1024 * 1024 + 17),
    'data/empty.txt': '',
    'données/café.txt': 'unicode names\n',
    'latest.py': { symlink: 'train.py' },
  };
}

async function expectCairnError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const err = await promise.then(
    () => new Error(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CairnError);
  expect((err as CairnError).code).toBe(code);
}

function extractWithSystemTar(stream: NodeJS.ReadableStream, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-f', '-', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    tar.on('error', reject);
    tar.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`tar -x exited ${code}: ${stderr}`)),
    );
    stream.on('error', reject);
    stream.pipe(tar.stdin);
  });
}

describe.each(BLOB_KINDS)('code snapshots on %s blobs', (kind) => {
  let blobs: BlobStore;
  const cleanup: Disposable[] = [];

  beforeEach(async () => {
    const store = await openTestBlobStore(kind);
    blobs = store.blobs;
    cleanup.push(store);
  });

  afterEach(async () => {
    for (const item of cleanup.splice(0).reverse()) await item.dispose();
  });

  async function folder(spec: TreeSpec): Promise<string> {
    const dir = await tempFolder('code');
    cleanup.push(dir);
    await writeTree(dir.path, spec);
    return dir.path;
  }

  it('stores shared files once: newBytes counts only content the store lacked', async () => {
    const shared = randomBytes(200_000);
    const first = await folder({ 'a.py': 'a = 1\n', 'lib/shared.bin': shared, 'copy.bin': shared });
    const a = await createSnapshot({ root: first, blobs });
    expect(a.files).toBe(3);
    expect(a.totalBytes).toBe(6 + 2 * shared.length);
    expect(a.newBytes).toBe(6 + shared.length);

    const again = await createSnapshot({ root: first, blobs });
    expect(again.id).toBe(a.id);
    expect(again.newBytes).toBe(0);

    const second = await folder({ 'a.py': 'a = 2\n', 'lib/shared.bin': shared, 'b.py': 'new file\n' });
    const b = await createSnapshot({ root: second, blobs });
    expect(b.id).not.toBe(a.id);
    expect(b.newBytes).toBe(6 + 9);
    expect(diffSnapshots(a.manifest, b.manifest)).toEqual({
      added: ['b.py'],
      changed: ['a.py'],
      removed: ['copy.bin'],
    });

    // Uploading without the hash pass stores the same blobs and yields the same id.
    const direct = await createSnapshot({ root: second, blobs, checkExisting: false });
    expect(direct.id).toBe(b.id);
    expect(direct.newBytes).toBe(0);
    expect(await readManifest(blobs, b.id)).toEqual(b.manifest);
  });

  it('materializes byte-identical, with modes and symlinks', async () => {
    const root = await folder(awkwardTree());
    const snapshot = await createSnapshot({ root, blobs });
    expect(snapshot.manifest.entries.find((e) => e.path === 'run.sh')).toMatchObject({ mode: 0o755 });
    const dest = await tempFolder('materialized');
    cleanup.push(dest);
    const written = await materializeSnapshot({ blobs, id: snapshot.id, dest: dest.path });
    expect(written.files).toBe(snapshot.files);
    expect(await describeTree(dest.path)).toEqual(await describeTree(root));
    await expectCairnError(
      materializeSnapshot({ blobs, id: snapshot.id, dest: dest.path }),
      ErrorCode.ALREADY_EXISTS,
    );
  });

  it('streams a tar that the system tar extracts byte-identical', async () => {
    const root = await folder(awkwardTree());
    const snapshot = await createSnapshot({ root, blobs });
    const tar = await snapshotTar(blobs, snapshot.id);
    const dest = await tempFolder('untarred');
    cleanup.push(dest);
    let streamed = 0;
    tar.stream.on('data', (chunk: Buffer) => {
      streamed += chunk.length;
    });
    await extractWithSystemTar(tar.stream, dest.path);
    expect(streamed).toBe(tar.bytes);
    expect(await describeTree(dest.path)).toEqual(await describeTree(root));
    expect(await describeTree(dest.path)).toContainEqual(expect.stringMatching(/^run\.sh .* x$/));
    expect((await describeTree(dest.path)).some((line) => line.startsWith(`${LONG_PATH} `))).toBe(true);
  });

  it('honours .gitignore, .amlignore and .cairnignore at every level', async () => {
    const root = await folder({
      '.gitignore': '*.pyc\noutputs/\n',
      '.amlignore': 'data/\n',
      'src/.cairnignore': 'scratch.py\n!important.pyc\n',
      'train.py': 'x',
      'outputs/model.pkl': 'x',
      'data/big.csv': 'x',
      'm.pyc': 'x',
      'src/scratch.py': 'x',
      'src/important.pyc': 'x',
      'src/model.py': 'x',
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
    const snapshot = await createSnapshot({ root, blobs });
    expect(snapshot.manifest.entries.map((e) => e.path)).toEqual([
      '.amlignore',
      '.gitignore',
      'src/.cairnignore',
      'src/important.pyc',
      'src/model.py',
      'train.py',
    ]);
  });

  it('reports progress up to the totals, and fails clearly on bad input', async () => {
    const spec: TreeSpec = {};
    for (let i = 0; i < 50; i++) spec[`f${i}.txt`] = `file ${i} ${randomBytes(8).toString('hex')}`;
    const root = await folder(spec);
    const events: SnapshotProgress[] = [];
    await createSnapshot({ root, blobs, onProgress: (p) => events.push(p) });
    const last = (phase: SnapshotProgress['phase']) => events.filter((e) => e.phase === phase).at(-1);
    expect(last('hashing')).toMatchObject({ filesDone: 50, filesTotal: 50 });
    expect(last('uploading')).toMatchObject({ filesDone: 50, filesTotal: 50 });
    expect(last('uploading')?.bytesDone).toBe(last('uploading')?.bytesTotal);

    await expectCairnError(readManifest(blobs, 'f'.repeat(64)), ErrorCode.NOT_FOUND);
    await expectCairnError(snapshotTar(blobs, 'not-an-id'), ErrorCode.INVALID_ARGUMENT);
    const missing = join(root, 'missing');
    await expectCairnError(createSnapshot({ root: missing, blobs }), ErrorCode.INVALID_ARGUMENT);
    await mkdir(join(root, 'empty-dir'));
    await writeFile(join(root, 'f0.txt'), 'changed');
    expect((await createSnapshot({ root, blobs })).newBytes).toBe(7);
  });
});

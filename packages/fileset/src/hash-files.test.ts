import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError, ErrorCode } from '@cairn/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFiles } from './hash-files.js';
import { HashPool } from './hash-pool.js';
import type { FileSetProgress } from './progress.js';
import { type TestFolder, testFolder } from './test-folder.js';

const pool = new HashPool({ size: 2 });
afterAll(() => pool.close());

let folder: TestFolder;
beforeEach(async () => {
  folder = await testFolder('hash');
});
afterEach(() => folder.remove());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('hashFiles', () => {
  it('gives the same sha256 as node:crypto for empty, small, batched and large files', async () => {
    const contents: Record<string, Buffer> = {
      empty: Buffer.alloc(0),
      tiny: Buffer.from('x'),
      'exactly-4MiB': randomBytes(4 * 1024 * 1024),
      'alone-9MiB': randomBytes(9 * 1024 * 1024),
      'streamed-21MiB': randomBytes(21 * 1024 * 1024 + 17),
    };
    for (let i = 0; i < 300; i++) contents[`small/${i}`] = randomBytes(i * 13);
    await folder.write(contents);
    const names = Object.keys(contents);
    const files = names.map((name) => ({
      absolutePath: join(folder.path, name),
      size: contents[name]!.length,
    }));
    const events: FileSetProgress[] = [];
    const hashed = await hashFiles(files, { pool, onProgress: (p) => events.push(p) });
    expect(hashed.map((h) => h.sha256)).toEqual(names.map((name) => sha256(contents[name]!)));
    expect(hashed.map((h) => h.size)).toEqual(names.map((name) => contents[name]!.length));
    const totalBytes = files.reduce((total, f) => total + f.size, 0);
    expect(events.at(-1)).toMatchObject({
      filesDone: files.length,
      filesTotal: files.length,
      bytesDone: totalBytes,
      bytesTotal: totalBytes,
      filesSkipped: 0,
    });
    expect(events.at(-1)?.bytesPerSecond).toBeGreaterThan(0);
    expect(events.every((e, i) => i === 0 || e.bytesDone >= events[i - 1]!.bytesDone)).toBe(true);
  });

  it('fails with CONFLICT, naming the file, when one is gone', async () => {
    await folder.write({ 'here.txt': 'x' });
    const files = [
      { absolutePath: join(folder.path, 'here.txt'), size: 1 },
      { absolutePath: join(folder.path, 'gone.txt'), path: 'gone.txt', size: 1 },
    ];
    const error = await hashFiles(files, { pool, field: 'code' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CairnError);
    expect(error).toMatchObject({ code: ErrorCode.CONFLICT, details: { field: 'code' } });
    expect((error as Error).message).toContain("'gone.txt'");
  });

  it('serves many callers at once on a pool smaller than the work', async () => {
    await folder.write({ a: 'a', b: 'bb' });
    const file = (name: string) => ({ absolutePath: join(folder.path, name), size: 1 });
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => hashFiles([file(i % 2 ? 'a' : 'b')], { pool })),
    );
    const b = sha256(await readFile(join(folder.path, 'b')));
    expect(runs.map((r) => r[0]!.sha256)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? sha256(Buffer.from('a')) : b)),
    );
  });
});

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CairnError, ErrorCode } from '@cairn/core';
import { LocalBlobStore } from '@cairn/store';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobSink, blobStoreSink } from './blob-sink.js';
import { HashCache } from './hash-cache.js';
import { hashFolder } from './hash-folder.js';
import { HashPool } from './hash-pool.js';
import type { FileSetProgress } from './progress.js';
import { type TestFolder, testFolder } from './test-folder.js';
import { uploadFileSet } from './upload-file-set.js';

const pool = new HashPool({ size: 2 });
afterAll(() => pool.close());

let folder: TestFolder;
let storeFolder: TestFolder;
let store: LocalBlobStore;
beforeEach(async () => {
  folder = await testFolder('upload');
  storeFolder = await testFolder('store');
  store = new LocalBlobStore(storeFolder.path);
});
afterEach(() => Promise.all([folder.remove(), storeFolder.remove()]));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The store's sink, recording what was asked and sent. */
function recordingSink(inner: BlobSink = blobStoreSink(store)) {
  const calls = { missing: [] as number[], put: [] as string[] };
  const sink: BlobSink = {
    async missing(sha256s) {
      calls.missing.push(sha256s.length);
      return inner.missing(sha256s);
    },
    async put(body, expected) {
      calls.put.push(expected.sha256);
      return inner.put(body, expected);
    },
  };
  return { sink, calls };
}

describe('uploadFileSet', () => {
  it('uploads each distinct content the sink lacks, once', async () => {
    await folder.write({ 'a.txt': 'same', 'b.txt': 'same', 'c.txt': 'other' });
    await store.put(Readable.from([Buffer.from('other')]));
    const { entries } = await hashFolder(folder.path, { pool });
    const { sink, calls } = recordingSink();
    const events: FileSetProgress[] = [];
    const result = await uploadFileSet(entries, sink, { onProgress: (p) => events.push(p) });
    expect(result).toEqual({ distinct: 2, uploaded: 1, bytesUploaded: 4, newBytes: 4 });
    expect(calls).toEqual({ missing: [2], put: [sha256('same')] });
    expect(await store.has(sha256('same'))).toBe(true);
    expect(events.at(-1)).toMatchObject({
      filesDone: 2,
      filesTotal: 2,
      bytesDone: 9,
      bytesTotal: 9,
      filesSkipped: 1,
    });

    const again = recordingSink();
    expect((await uploadFileSet(entries, again.sink)).uploaded).toBe(0);
    expect(again.calls.put).toEqual([]);
  });

  it('asks the sink about at most 10,000 contents at a time', async () => {
    const entries = Array.from({ length: 25_000 }, (_, i) => ({
      path: `f${i}`,
      absolutePath: `/nonexistent/f${i}`,
      size: 1,
      sha256: i.toString(16).padStart(64, '0'),
    }));
    const asked: number[] = [];
    const sink: BlobSink = {
      async missing(sha256s) {
        asked.push(sha256s.length);
        return new Set();
      },
      put: () => Promise.reject(new Error('nothing is missing')),
    };
    await uploadFileSet(entries, sink);
    expect(asked).toEqual([10_000, 10_000, 5_000]);
  });

  it('fails with CONFLICT when a file changes while it is uploaded, and forgets its cached hash', async () => {
    await folder.write({ 'log.txt': 'before' });
    await folder.age('log.txt');
    const cacheFolder = await testFolder('cache');
    const cache = HashCache.open(join(cacheFolder.path, 'hashes.sqlite'));
    try {
      const { entries } = await hashFolder(folder.path, { pool, cache });
      expect(cache.count()).toBe(1);
      const inner = blobStoreSink(store);
      const sink: BlobSink = {
        missing: (sha256s) => inner.missing(sha256s),
        async put(body: Readable, expected) {
          // The upload has started but not read the file yet: another process writes to it.
          await writeFile(join(folder.path, 'log.txt'), 'after!');
          return inner.put(body, expected);
        },
      };
      const error = await uploadFileSet(entries, sink, { cache, field: 'path' }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(CairnError);
      expect(error).toMatchObject({ code: ErrorCode.CONFLICT, details: { field: 'path' } });
      expect((error as Error).message).toContain("'log.txt' changed");
      expect(cache.count()).toBe(0);
    } finally {
      cache.close();
      await cacheFolder.remove();
    }
  });
});

import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { CairnError, ErrorCode } from '@cairn/core';
import type { BlobStore } from '@cairn/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOB_KINDS, openTestBlobStore, openTestS3BlobStore } from '../support/blob-stores.js';
import type { Disposable } from '../support/env.js';

const MiB = 1024 * 1024;
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** `total` bytes of a deterministic, non-repeating pattern, generated chunk by chunk (never all in memory). */
async function* generated(total: number, chunk = MiB, seed = 1): AsyncGenerator<Uint8Array> {
  let state = seed;
  for (let offset = 0; offset < total; offset += chunk) {
    const buf = Buffer.allocUnsafe(Math.min(chunk, total - offset));
    for (let i = 0; i + 4 <= buf.length; i += 4) {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      buf.writeUInt32LE(state, i);
    }
    buf.fill(7, buf.length - (buf.length % 4));
    yield buf;
  }
}

async function expectCairnError(
  promise: Promise<unknown>,
  code: ErrorCode,
  field?: string,
): Promise<CairnError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CairnError);
  const cairn = err as CairnError;
  expect(cairn.code).toBe(code);
  if (field) expect(cairn.details.field).toBe(field);
  return cairn;
}

describe.each(BLOB_KINDS)('%s blob store', (kind) => {
  let blobs: BlobStore;
  let handle: Disposable;
  beforeEach(async () => {
    const opened = await openTestBlobStore(kind);
    blobs = opened.blobs;
    handle = opened;
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it('puts, gets, reports size, and deletes a blob', async () => {
    const body = Buffer.from(`hello ${kind} ${Math.random()}`);
    const put = await blobs.put(Readable.from([body]));
    expect(put).toEqual({ sha256: sha256Of(body), size: body.length, created: true });
    expect(await blobs.has(put.sha256)).toBe(true);
    expect(await blobs.size(put.sha256)).toBe(body.length);
    expect(await readAll(await blobs.get(put.sha256))).toEqual(body);

    await blobs.delete(put.sha256);
    expect(await blobs.has(put.sha256)).toBe(false);
    expect(await blobs.size(put.sha256)).toBeNull();
    await blobs.delete(put.sha256); // deleting twice is fine
  });

  it('stores identical content once (created: false the second time)', async () => {
    const body = Buffer.from('same bytes, twice');
    const first = await blobs.put(Readable.from([body]));
    const second = await blobs.put(
      (async function* () {
        yield body.subarray(0, 4);
        yield body.subarray(4);
      })(),
    );
    expect(first.created).toBe(true);
    expect(second).toEqual({ sha256: first.sha256, size: body.length, created: false });
  });

  it('stores an empty blob', async () => {
    const put = await blobs.put(Readable.from([]));
    expect(put).toEqual({ sha256: sha256Of(Buffer.alloc(0)), size: 0, created: true });
    expect(await blobs.size(put.sha256)).toBe(0);
    expect((await readAll(await blobs.get(put.sha256))).length).toBe(0);
  });

  it('reads inclusive byte ranges', async () => {
    const body = Buffer.from('0123456789abcdef');
    const { sha256 } = await blobs.put(Readable.from([body]));
    expect((await readAll(await blobs.get(sha256, { start: 2, end: 5 }))).toString()).toBe('2345');
    expect((await readAll(await blobs.get(sha256, { start: 10 }))).toString()).toBe('abcdef');
    expect((await readAll(await blobs.get(sha256, { start: 15, end: 15 }))).toString()).toBe('f');
    expect((await readAll(await blobs.get(sha256, { start: 0, end: 100 }))).toString()).toBe(body.toString());
    expect((await readAll(await blobs.get(sha256, { start: 16 }))).length).toBe(0);
  });

  it('answers NOT_FOUND for an unknown blob and INVALID_ARGUMENT for a malformed digest', async () => {
    const unknown = sha256Of(Buffer.from(`never stored ${Math.random()}`));
    await expectCairnError(blobs.get(unknown), ErrorCode.NOT_FOUND);
    expect(await blobs.has(unknown)).toBe(false);
    expect(await blobs.size(unknown)).toBeNull();
    await expectCairnError(blobs.get('../../etc/passwd'), ErrorCode.INVALID_ARGUMENT);
  });

  it('fails the put, storing nothing, when the source stream fails', async () => {
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('source broke');
    })();
    await expect(blobs.put(failing)).rejects.toThrow('source broke');
    expect(await blobs.has(sha256Of(Buffer.from('partial')))).toBe(false);
  });

  it('streams a 200 MB body in and out with bounded memory', async () => {
    const total = 200 * MiB;
    const expected = createHash('sha256');
    for await (const chunk of generated(total, MiB, 42)) expected.update(chunk);
    const digest = expected.digest('hex');

    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const put = await blobs.put(generated(total, MiB, 42));
      expect(put).toMatchObject({ sha256: digest, size: total, created: true });
      const readBack = createHash('sha256');
      let read = 0;
      for await (const chunk of await blobs.get(put.sha256)) {
        readBack.update(chunk as Uint8Array);
        read += (chunk as Uint8Array).length;
      }
      expect(read).toBe(total);
      expect(readBack.digest('hex')).toBe(digest);
    } finally {
      clearInterval(sampler);
    }
    const grownMiB = (peak - before) / MiB;
    console.log(`${kind}: 200 MiB put+get, peak RSS growth ${grownMiB.toFixed(1)} MiB`);
    expect(grownMiB).toBeLessThan(120);
  });
});

describe('S3 blob store specifics', () => {
  it('moves objects above the copy threshold with a multipart copy', async () => {
    const opened = await openTestBlobStore('s3', {
      copyThresholdBytes: 6 * MiB,
      copyPartBytes: 5 * MiB,
      partBytes: 5 * MiB,
    });
    try {
      const total = 12 * MiB + 123;
      const expected = createHash('sha256');
      for await (const chunk of generated(total, MiB, 7)) expected.update(chunk);
      const put = await opened.blobs.put(generated(total, MiB, 7));
      expect(put).toMatchObject({ sha256: expected.digest('hex'), size: total, created: true });
      expect(await opened.blobs.size(put.sha256)).toBe(total);
      const back = createHash('sha256');
      for await (const chunk of await opened.blobs.get(put.sha256)) back.update(chunk as Uint8Array);
      expect(back.digest('hex')).toBe(put.sha256);
    } finally {
      await opened.dispose();
    }
  });

  it('names s3.endpoint when the endpoint does not answer', async () => {
    const port = await closedPort();
    const store = openTestS3BlobStore('x', {}, { endpoint: `http://127.0.0.1:${port}` });
    try {
      const err = await expectCairnError(store.verify(), ErrorCode.UNAVAILABLE, 's3.endpoint');
      expect(err.message).toContain(`127.0.0.1:${port}`);
      await expectCairnError(
        store.put(Readable.from([Buffer.from('x')])),
        ErrorCode.UNAVAILABLE,
        's3.endpoint',
      );
    } finally {
      await store.close();
    }
  });

  it('names the credentials settings when the secret is wrong', async () => {
    const store = openTestS3BlobStore('x', {}, { secretAccessKey: 'not-the-secret' });
    try {
      const err = await expectCairnError(store.verify(), ErrorCode.UNAVAILABLE, 's3.accessKeyId');
      expect(err.message).toContain('CAIRN_S3_SECRET_ACCESS_KEY');
      await expectCairnError(
        store.put(Readable.from([Buffer.from('x')])),
        ErrorCode.UNAVAILABLE,
        's3.accessKeyId',
      );
    } finally {
      await store.close();
    }
  });

  it('names blobUri when the bucket does not exist', async () => {
    const store = openTestS3BlobStore('x', {}, { bucket: `missing-${Date.now()}` });
    try {
      const err = await expectCairnError(store.verify(), ErrorCode.UNAVAILABLE, 'blobUri');
      expect(err.message).toContain('does not exist');
    } finally {
      await store.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

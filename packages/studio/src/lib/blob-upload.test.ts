import { BATCH_FILE_BYTES } from '@cairn/fileset/batches';
import { parseTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import { type HashedFile, uploadMissing } from './blob-upload.js';
import { sha256Hex } from './data-manifest.js';

const encoder = new TextEncoder();

async function hashed(path: string, bytes: Uint8Array<ArrayBuffer>): Promise<HashedFile> {
  return { path, size: bytes.length, sha256: await sha256Hex(bytes), file: new Blob([bytes]) };
}

/** A workspace's blob API in memory, recording each request. */
function fakeBlobs(present: Iterable<string> = []) {
  const stored = new Map<string, Uint8Array>();
  const calls: string[] = [];
  const have = new Set(present);
  const blobs = {
    async missing(sha256s: readonly string[]) {
      calls.push(`missing ${sha256s.length}`);
      return new Set(sha256s.filter((s) => !have.has(s)));
    },
    async put(sha256: string, data: Blob | Uint8Array) {
      const bytes = new Uint8Array(data instanceof Blob ? await data.arrayBuffer() : data);
      calls.push(`put ${sha256.slice(0, 8)}`);
      stored.set(sha256, bytes);
      return { sha256: await sha256Hex(bytes), size: bytes.length, created: true };
    },
    async putBatch(tar: Uint8Array) {
      const entries = parseTar(tar);
      calls.push(`batch ${entries.length}`);
      return Promise.all(
        entries.map(async (e) => {
          const bytes = new Uint8Array(e.data ?? []);
          stored.set(e.name, bytes);
          return { sha256: await sha256Hex(bytes), size: bytes.length, created: true };
        }),
      );
    },
  };
  return { client: { blobs } as never, blobs, stored, calls };
}

describe('uploadMissing', () => {
  it('sends small contents in one tar batch and big ones alone, only what the workspace lacks, the manifest last', async () => {
    const a = await hashed('a.txt', encoder.encode('alpha'));
    const b = await hashed('sub/b.txt', encoder.encode('beta'));
    const dup = await hashed('copy-of-a.txt', encoder.encode('alpha'));
    const known = await hashed('known.txt', encoder.encode('already there'));
    const big = await hashed('big.bin', new Uint8Array(BATCH_FILE_BYTES + 1).fill(7));
    const manifestBytes = encoder.encode('{"manifest":true}');
    const manifest = { id: await sha256Hex(manifestBytes), bytes: manifestBytes };
    const fake = fakeBlobs([known.sha256]);
    const progress: number[] = [];

    const result = await uploadMissing(fake.client, [a, b, dup, known, big], manifest, (p) =>
      progress.push(p.done),
    );

    expect(result).toEqual({ uploaded: 3, bytes: 5 + 4 + BATCH_FILE_BYTES + 1 });
    expect(fake.calls[0]).toBe('missing 5'); // four distinct contents and the manifest
    expect(fake.calls).toContain('batch 2');
    expect(fake.calls).toContain(`put ${big.sha256.slice(0, 8)}`);
    expect(fake.calls.at(-1)).toBe(`put ${manifest.id.slice(0, 8)}`);
    expect(new TextDecoder().decode(fake.stored.get(a.sha256))).toBe('alpha');
    expect(new TextDecoder().decode(fake.stored.get(b.sha256))).toBe('beta');
    expect(fake.stored.has(known.sha256)).toBe(false);
    expect(progress.at(-1)).toBe(3);
  });

  it('fails in words when the server stored something else for a batch entry', async () => {
    const a = await hashed('a.txt', encoder.encode('alpha'));
    const fake = fakeBlobs();
    fake.blobs.putBatch = async () => [];
    const manifest = { id: 'f'.repeat(64), bytes: new Uint8Array() };
    await expect(uploadMissing(fake.client, [a], manifest)).rejects.toThrow(/cut short; try again/);
    expect(fake.stored.has(manifest.id)).toBe(false);
  });
});

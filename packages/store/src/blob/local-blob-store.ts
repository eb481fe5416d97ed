import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument, notFound } from '@cairn/core';
import { type BlobStore, type PutResult, SHA256_PATTERN } from './blob-store.js';

/**
 * Blobs as files under `root/sha256/ab/cd/<hash>`. A put streams into a temporary file while hashing,
 * fsyncs it, then renames it into place, so a crash never leaves a partial blob under a real name.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local';
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  #pathOf(sha256: string): string {
    if (!SHA256_PATTERN.test(sha256)) throw invalidArgument(`'${sha256}' is not a sha256 digest`);
    return join(this.#root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(body: Readable | AsyncIterable<Uint8Array>): Promise<PutResult> {
    const tmpDir = join(this.#root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const out = createWriteStream(tmp, { flush: true });
      await pipeline(body, tap, out);
      const sha256 = hash.digest('hex');
      const dest = this.#pathOf(sha256);
      if (await exists(dest)) {
        await rm(tmp, { force: true });
        return { sha256, size, created: false };
      }
      await mkdir(join(dest, '..'), { recursive: true });
      await rename(tmp, dest);
      return { sha256, size, created: true };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(sha256: string, range?: { start: number; end?: number }): Promise<Readable> {
    const path = this.#pathOf(sha256);
    if (!(await exists(path))) throw notFound(`Blob ${sha256} does not exist`);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  /**
   * Removes temporary files left by puts that never finished (a crash mid-upload). Only files older
   * than `olderThanMs` go, so a put in flight in another process on the same folder is left alone.
   */
  async sweepTemporaryFiles(olderThanMs = 60 * 60 * 1000): Promise<number> {
    const tmpDir = join(this.#root, 'tmp');
    let removed = 0;
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch {
      return 0;
    }
    const cutoff = Date.now() - olderThanMs;
    for (const name of names) {
      const path = join(tmpDir, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < cutoff) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async has(sha256: string): Promise<boolean> {
    return exists(this.#pathOf(sha256));
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.#pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.#pathOf(sha256), { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

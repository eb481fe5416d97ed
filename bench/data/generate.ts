// Test data for bench/data: folders of small random files, one large random file, and a partial edit.
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const FILES_PER_FOLDER = 1000;
const RANDOM_POOL_BYTES = 64 * 1024 * 1024;

/** Path of small file `i` under `root`: 1000 files per folder, as a data set of images or shards is laid out. */
export const smallFilePath = (root: string, i: number): string =>
  join(
    root,
    `part-${String(Math.floor(i / FILES_PER_FOLDER)).padStart(4, '0')}`,
    `${String(i).padStart(7, '0')}.bin`,
  );

/**
 * Writes `count` files of 1–8 KiB of random bytes (each a different slice of a random pool, so no two are
 * alike) and returns their total size.
 */
export function writeSmallFiles(root: string, count: number): number {
  const pool = randomBytes(RANDOM_POOL_BYTES);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    if (i % FILES_PER_FOLDER === 0) mkdirSync(join(smallFilePath(root, i), '..'), { recursive: true });
    const size = randomInt(1024, 8192 + 1);
    const at = randomInt(0, RANDOM_POOL_BYTES - size);
    writeFileSync(smallFilePath(root, i), pool.subarray(at, at + size));
    bytes += size;
  }
  return bytes;
}

/** Writes one file of `size` random bytes, 16 MiB at a time. */
export function writeLargeFile(path: string, size: number): void {
  const chunk = 16 * 1024 * 1024;
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += chunk) {
      writeSync(fd, randomBytes(Math.min(chunk, size - written)));
    }
  } finally {
    closeSync(fd);
  }
}

/** Rewrites `fraction` of the `count` small files under `root` with new random content; returns how many. */
export function modifySmallFiles(root: string, count: number, fraction: number): number {
  const chosen = new Set<number>();
  const target = Math.round(count * fraction);
  while (chosen.size < target) chosen.add(randomInt(0, count));
  for (const i of chosen) writeFileSync(smallFilePath(root, i), randomBytes(randomInt(1024, 8192 + 1)));
  return chosen.size;
}

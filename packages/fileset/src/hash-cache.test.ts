import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CachedHash, HashCache } from './hash-cache.js';

let cache: HashCache;
beforeEach(() => {
  cache = HashCache.open(':memory:');
});
afterEach(() => cache.close());

const row = (absolutePath: string, sha: string): CachedHash => ({
  absolutePath,
  sha256: sha.repeat(64),
  size: 10,
  mtimeMs: 1_700_000_000_123.25,
  ctimeMs: 1_700_000_000_456.789,
  inode: 2 ** 40 + 7,
  dev: 2049,
});

describe('HashCache', () => {
  it('hits only when size, mtime, ctime, inode and device all match', () => {
    const stored = row('/data/a', 'a');
    cache.store([stored]);
    const changes = [
      {},
      { size: 11 },
      { mtimeMs: stored.mtimeMs + 0.001 },
      { ctimeMs: 1 },
      { inode: 8 },
      { dev: 1 },
    ];
    for (const [i, change] of changes.entries()) {
      const found = cache.lookupFolder('/data', [{ ...stored, ...change }]);
      expect(found, `change ${JSON.stringify(change)}`).toEqual([i === 0 ? stored.sha256 : null]);
    }
  });

  it('looks up one folder in one range, pruning rows of files no longer there', () => {
    cache.store([row('/data/a', 'a'), row('/data/sub/b', 'b'), row('/data-other/c', 'c'), row('/dat', 'd')]);
    expect(cache.lookupFolder('/data', [row('/data/sub/b', 'b')])).toEqual(['b'.repeat(64)]);
    // /data/a was not listed: gone. Paths that merely start with the same letters are another folder.
    expect(cache.count()).toBe(3);
    expect(cache.lookupFolder('/data-other/', [row('/data-other/c', 'c')])).toEqual(['c'.repeat(64)]);
  });

  it('stores many rows across transactions and forgets on request', () => {
    const rows = Array.from({ length: 12_001 }, (_, i) => row(`/big/${i}`, 'e'));
    cache.store(rows);
    expect(cache.count()).toBe(12_001);
    cache.forget(['/big/0', '/big/1']);
    expect(cache.lookupFolder('/big', rows).filter(Boolean)).toHaveLength(11_999);
  });
});

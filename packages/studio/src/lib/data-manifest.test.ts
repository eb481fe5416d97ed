import { createHash } from 'node:crypto';
import { dataManifest, serializeDataManifest } from '@cairn/data';
import { describe, expect, it } from 'vitest';
import { buildDataManifest, comparePaths, sha256Hex, sortManifestEntries } from './data-manifest.js';

// @cairn/data is imported here only, to prove the browser's manifest is the one the server and CLI write.
async function both(files: Record<string, string>) {
  const entries = await Promise.all(
    Object.entries(files).map(async ([path, text]) => {
      const bytes = new TextEncoder().encode(text);
      return { path, size: bytes.length, sha256: await sha256Hex(bytes) };
    }),
  );
  const studio = await buildDataManifest(entries);
  const reference = Buffer.concat([
    ...serializeDataManifest(
      dataManifest(entries.map((e) => ({ ...e, mtimeMs: null, etag: null, inode: null }))),
    ),
  ]);
  return { studio, reference, referenceId: createHash('sha256').update(reference).digest('hex') };
}

describe('buildDataManifest', () => {
  it('writes the bytes and id @cairn/data computes for the same files', async () => {
    const { studio, reference, referenceId } = await both({
      'train/b.csv': 'x,y\n1,2\n',
      'train/a.csv': 'x,y\n',
      'README.md': '# data\n',
      'a-b.txt': 'dash',
      'a.b': 'dot',
      'a/c.txt': 'slash',
      'Zebra.txt': 'upper before lower',
      'zebra.txt': 'lower',
      'quote"and\\backslash.txt': 'escapes',
      'café/naïve.txt': 'accents',
      '😀.txt': 'astral (surrogate pair)',
      '\uff5e.txt': 'BMP above the surrogates',
    });
    expect(Buffer.from(studio.bytes).equals(reference)).toBe(true);
    expect(studio.id).toBe(referenceId);
  });

  it('matches for a single file and for an empty content', async () => {
    const { studio, referenceId } = await both({ 'empty.bin': '' });
    expect(studio.id).toBe(referenceId);
  });

  it('sorts by UTF-16 code units, not code points or locale', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FF5E in UTF-16 order.
    expect(['\uff5e', '😀', 'b', 'B', 'a/b', 'a-b'].sort(comparePaths)).toEqual([
      'B',
      'a-b',
      'a/b',
      'b',
      '😀',
      '\uff5e',
    ]);
  });

  it('refuses unsafe, repeated and nested paths, naming them', () => {
    const e = (path: string) => ({ path, size: 1, sha256: 'a'.repeat(64) });
    expect(() => sortManifestEntries([e('../x')])).toThrow("'../x' is not a safe relative path");
    expect(() => sortManifestEntries([e('/abs')])).toThrow('not a safe relative path');
    expect(() => sortManifestEntries([e('x'), e('x')])).toThrow("'x' is picked twice");
    expect(() => sortManifestEntries([e('x'), e('x/y')])).toThrow("'x/y' is beneath the file 'x'");
  });
});

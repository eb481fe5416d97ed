import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BlobSink, blobStoreSink, HashCache } from '@cairn/fileset';
import { LocalBlobStore } from '@cairn/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnapshot } from './create-snapshot.js';
import { readManifest } from './read-manifest.js';

let work: string;
let code: string;
let store: LocalBlobStore;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'cairn-create-snapshot-'));
  code = join(work, 'code');
  store = new LocalBlobStore(join(work, 'blobs'));
});
afterEach(() => rm(work, { recursive: true, force: true }));

/** Writes the files with an mtime a minute back, as in a folder not touched for a while. */
async function writeCode(files: Record<string, string>): Promise<void> {
  const past = Date.now() / 1000 - 60;
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(code, path)), { recursive: true });
    await writeFile(join(code, path), content);
    await utimes(join(code, path), past, past);
  }
}

function countingSink(): { sink: BlobSink; puts: string[] } {
  const inner = blobStoreSink(store);
  const puts: string[] = [];
  return {
    puts,
    sink: {
      missing: (sha256s) => inner.missing(sha256s),
      put: (body, expected) => {
        puts.push(expected.sha256);
        return inner.put(body, expected);
      },
    },
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('createSnapshot through a sink', () => {
  it('keeps the manifest format and id, and uploads only what the sink lacks', async () => {
    await writeCode({
      'train.py': 'print(1)\n',
      'lib/util.py': 'x = 1\n',
      '.gitignore': '*.log\n',
      'out.log': 'x',
    });
    const { sink, puts } = countingSink();
    const snapshot = await createSnapshot({ root: code, sink });
    const manifestJson =
      `{"version":1,"entries":[{"path":".gitignore","size":6,"sha256":"${sha256('*.log\n')}","mode":420},` +
      `{"path":"lib/util.py","size":6,"sha256":"${sha256('x = 1\n')}","mode":420},` +
      `{"path":"train.py","size":9,"sha256":"${sha256('print(1)\n')}","mode":420}]}`;
    expect(snapshot.id).toBe(sha256(manifestJson));
    expect(snapshot).toMatchObject({ files: 3, totalBytes: 21, newBytes: 21, hashed: 3, fromCache: 0 });
    expect(puts).toHaveLength(4);
    expect(await readManifest(store, snapshot.id)).toEqual(snapshot.manifest);

    const again = countingSink();
    const second = await createSnapshot({ root: code, sink: again.sink });
    expect(second.id).toBe(snapshot.id);
    expect(again.puts).toEqual([snapshot.id]);
  });

  it('takes unchanged files from the hash cache, and gives the same id as a BlobStore caller', async () => {
    await writeCode({ 'a.py': 'a', 'b.py': 'b' });
    const cache = HashCache.open(join(work, 'hashes.sqlite'));
    try {
      const first = await createSnapshot({ root: code, blobs: store, cache });
      expect(first).toMatchObject({ hashed: 2, fromCache: 0 });
      await writeCode({ 'b.py': 'B' });
      const second = await createSnapshot({ root: code, sink: blobStoreSink(store), cache });
      expect(second).toMatchObject({ hashed: 1, fromCache: 1, newBytes: 1 });
      const uncached = await createSnapshot({ root: code, blobs: store });
      expect(uncached.id).toBe(second.id);
    } finally {
      cache.close();
    }
  });
});

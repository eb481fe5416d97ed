/**
 * Manual measurement (not a test): times createSnapshot, materializeSnapshot and snapshotTar and reports
 * the process's peak RSS, for a folder of many small files or one large file, on local or S3 blobs.
 * Run each case in its own process so the peak belongs to it:
 *   npx tsx tests/integration/snapshot/measure-snapshot.ts small local 10000
 *   npx tsx tests/integration/snapshot/measure-snapshot.ts large s3 500     (MB; S3 needs .services/seaweedfs.env)
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createSnapshot, materializeSnapshot, snapshotTar } from '@cairn/jobs';
import { type BlobKind, openTestBlobStore } from '../support/blob-stores.js';
import { tempFolder } from './code-folder.js';

const [shape = 'small', kind = 'local', countArg] = process.argv.slice(2);
const MiB = 1024 * 1024;

const rssMiB = () => Math.round(process.memoryUsage().rss / MiB);
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, rssMiB());
}, 10);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  peak = rssMiB();
  const start = performance.now();
  const result = await fn();
  const ms = Math.round(performance.now() - start);
  console.log(`${label.padEnd(44)} ${String(ms).padStart(7)} ms   peak RSS ${Math.max(peak, rssMiB())} MiB`);
  return result;
}

const folder = await tempFolder('measure');
const store = await openTestBlobStore(kind as BlobKind);
try {
  if (shape === 'small') {
    const count = Number(countArg ?? 10_000);
    for (let i = 0; i < count; i += 100) {
      await mkdir(join(folder.path, `pkg${i / 100}`), { recursive: true });
    }
    for (let i = 0; i < count; i++) {
      await writeFile(join(folder.path, `pkg${Math.floor(i / 100)}`, `m${i}.py`), randomBytes(1024));
    }
    console.log(`${count} files of 1 KiB on ${kind} blobs (RSS at start ${rssMiB()} MiB)`);
  } else {
    const mb = Number(countArg ?? 500);
    const out = createWriteStream(join(folder.path, 'weights.bin'));
    for (let i = 0; i < mb; i++) {
      if (!out.write(randomBytes(MiB)))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
    console.log(`one ${mb} MB file on ${kind} blobs (RSS at start ${rssMiB()} MiB)`);
  }
  const first = await timed('createSnapshot, all new (hash pass)', () =>
    createSnapshot({ root: folder.path, blobs: store.blobs }),
  );
  await timed('createSnapshot, all stored (hash pass)', () =>
    createSnapshot({ root: folder.path, blobs: store.blobs }),
  );
  await timed('createSnapshot, all stored (no hash pass)', () =>
    createSnapshot({ root: folder.path, blobs: store.blobs, checkExisting: false }),
  );
  const fresh = await openTestBlobStore(kind as BlobKind);
  await timed('createSnapshot, all new (no hash pass)', () =>
    createSnapshot({ root: folder.path, blobs: fresh.blobs, checkExisting: false }),
  );
  await fresh.dispose();
  const dest = await tempFolder('measure-dest');
  await timed('materializeSnapshot', () =>
    materializeSnapshot({ blobs: store.blobs, id: first.id, dest: dest.path }),
  );
  await dest.dispose();
  await timed('snapshotTar (streamed to a null sink)', async () => {
    const tar = await snapshotTar(store.blobs, first.id);
    await pipeline(tar.stream, new Writable({ write: (_chunk, _enc, done) => done() }));
  });
  console.log(
    `manifest: ${first.manifest.entries.length} entries, totalBytes ${first.totalBytes}, id ${first.id}`,
  );
} finally {
  clearInterval(sampler);
  await store.dispose();
  await folder.dispose();
}

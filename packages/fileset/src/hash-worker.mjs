// One thread of the hash pool (hash-pool.ts). Plain JavaScript with only node: imports, so it loads the
// same way whether the parent runs through tsx, vitest or the esbuild bundle (scripts/build.mjs copies it
// next to dist/cairn.mjs). Requests: { id, op: 'stat' | 'hash', paths }. Replies, one result per path in
// order: { id, stats: { kinds, numbers } } (typed arrays, transferred) or { id, hashes, progress };
// { id, progress: bytes } while a large file is read; { id, failure } when a request could not be served.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, read, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** Read size. Large reads keep the per-call overhead negligible next to hashing. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Files up to this size are read synchronously into one reused buffer: no promise or allocation per file. */
const SYNC_LIMIT_BYTES = 16 * 1024 * 1024;
/** A large file reports how far it has got every this many bytes. */
const PROGRESS_BYTES = 64 * 1024 * 1024;

const syncBuffer = Buffer.allocUnsafe(CHUNK_BYTES);
const asyncBuffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];

/** Stat fields sent per path in a stat reply: a Float64Array of this many numbers per path. */
const STAT_FIELDS = 6;
const KIND = { file: 0, dir: 1, symlink: 2, other: 3, failed: 4 };

const kindOf = (st) =>
  st.isFile() ? KIND.file : st.isDirectory() ? KIND.dir : st.isSymbolicLink() ? KIND.symlink : KIND.other;

/**
 * What stat can tell about a file's identity and content. Unchanged size, mtime, ctime, inode and device
 * mean the file was not written, replaced or moved in between (ctime also catches a write whose mtime
 * was put back, as `cp -p` and `rsync -t` do). Times are in ms with a fraction (sub-microsecond).
 */
const describe = (st) => ({
  size: st.size,
  mode: st.mode,
  mtimeMs: st.mtimeMs,
  ctimeMs: st.ctimeMs,
  inode: st.ino,
  dev: st.dev,
});

const sameStat = (a, b) =>
  a.size === b.size &&
  a.mtimeMs === b.mtimeMs &&
  a.ctimeMs === b.ctimeMs &&
  a.ino === b.ino &&
  a.dev === b.dev;

const failure = (err) => ({ error: err?.code ?? 'EIO', message: err?.message ?? String(err) });

/** lstat of every path, packed into typed arrays that are transferred, not copied. */
function statAll(paths) {
  const kinds = new Uint8Array(paths.length);
  const numbers = new Float64Array(paths.length * STAT_FIELDS);
  paths.forEach((path, i) => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      kinds[i] = KIND.failed; // gone (or unreachable) since it was listed
      return;
    }
    kinds[i] = kindOf(st);
    numbers.set([st.size, st.mode, st.mtimeMs, st.ctimeMs, st.ino, st.dev], i * STAT_FIELDS);
  });
  return { kinds, numbers };
}

/**
 * Never follows a symlink (the listing saw a regular file; a link now is a change), and never blocks on
 * a FIFO that replaced a file (O_NONBLOCK does nothing for regular files).
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const readAt = (fd, buffer, position) =>
  new Promise((resolve, reject) =>
    read(fd, buffer, 0, buffer.length, position, (err, bytesRead) =>
      err ? reject(err) : resolve(bytesRead),
    ),
  );

/** The hash of what was read, if the file's stat after reading is the one before: else it changed meanwhile. */
function finish(hash, size, before, after) {
  if (!sameStat(before, after) || size !== before.size) {
    return { error: 'CHANGED', message: 'the file changed while it was being read' };
  }
  return { sha256: hash.digest('hex'), ...describe(before) };
}

/** Reads the `before.size` bytes stat announced, synchronously, into one reused buffer. */
function hashSmall(fd, before) {
  const hash = createHash('sha256');
  let size = 0;
  while (size < before.size) {
    const n = readSync(fd, syncBuffer, 0, CHUNK_BYTES, size);
    if (n === 0) break;
    hash.update(n === CHUNK_BYTES ? syncBuffer : syncBuffer.subarray(0, n));
    size += n;
  }
  return finish(hash, size, before, fstatSync(fd));
}

/** Double-buffered: the next chunk is read (on libuv's thread pool) while this one is hashed. */
async function hashLarge(fd, before, onBytes) {
  const hash = createHash('sha256');
  let size = 0;
  let reported = 0;
  let current = 0;
  let pending = readAt(fd, asyncBuffers[0], 0);
  for (;;) {
    const bytesRead = await pending;
    if (bytesRead === 0) break;
    const chunk = asyncBuffers[current];
    size += bytesRead;
    current ^= 1;
    pending = readAt(fd, asyncBuffers[current], size);
    hash.update(bytesRead === CHUNK_BYTES ? chunk : chunk.subarray(0, bytesRead));
    if (size - reported >= PROGRESS_BYTES) {
      onBytes(size - reported);
      reported = size;
    }
  }
  onBytes(size - reported);
  return finish(hash, size, before, fstatSync(fd));
}

async function hashOne(path, onBytes) {
  let fd;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    return err?.code === 'ELOOP' ? { error: 'CHANGED', message: 'it is now a symlink' } : failure(err);
  }
  try {
    const before = fstatSync(fd);
    if (!before.isFile()) return { error: 'CHANGED', message: 'it is no longer a regular file' };
    if (before.size > SYNC_LIMIT_BYTES) return await hashLarge(fd, before, onBytes);
    const result = hashSmall(fd, before);
    if (result.sha256) onBytes(result.size);
    return result;
  } catch (err) {
    return failure(err);
  } finally {
    closeSync(fd);
  }
}

async function serve({ id, op, paths }) {
  if (op === 'stat') return { id, stats: statAll(paths) };
  if (op !== 'hash') throw new Error(`unknown request '${op}'`);
  const hashes = [];
  // Small files' bytes are reported with the reply; only a large file sends progress on its own.
  let unreported = 0;
  for (const path of paths) {
    hashes.push(
      await hashOne(path, (bytes) => {
        unreported += bytes;
        if (unreported >= PROGRESS_BYTES) {
          parentPort.postMessage({ id, progress: unreported });
          unreported = 0;
        }
      }),
    );
  }
  return { id, hashes, progress: unreported };
}

// Requests are served one at a time, in order: each uses the shared buffers.
let queue = Promise.resolve();
parentPort.on('message', (request) => {
  queue = queue.then(async () => {
    try {
      const reply = await serve(request);
      const transfer = reply.stats ? [reply.stats.kinds.buffer, reply.stats.numbers.buffer] : [];
      parentPort.postMessage(reply, transfer);
    } catch (err) {
      parentPort.postMessage({ id: request.id, failure: err?.stack ?? String(err) });
    }
  });
});

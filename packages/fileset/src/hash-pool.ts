import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** A plain .mjs file (see its header), so it loads under tsx, vitest and the bundle alike. */
const WORKER_URL = new URL('./hash-worker.mjs', import.meta.url);

/** Requests kept queued on each thread, so it does not wait while the main thread is busy for a moment. */
const IN_FLIGHT_PER_WORKER = 3;

/**
 * What stat tells about a file's identity and content: unchanged size, mtime, ctime, inode and device
 * mean it was not written, replaced or moved in between (ctime also catches a write whose mtime was put
 * back, as `cp -p` and `rsync -t` do). Times are in ms with a sub-microsecond fraction.
 */
export interface StatSignature {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  inode: number;
  dev: number;
}

export const sameSignature = (a: StatSignature, b: StatSignature): boolean =>
  a.size === b.size &&
  a.mtimeMs === b.mtimeMs &&
  a.ctimeMs === b.ctimeMs &&
  a.inode === b.inode &&
  a.dev === b.dev;

/** A path's kind and what lstat says about it. */
export interface FileStat extends StatSignature {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Raw st_mode bits. */
  mode: number;
}

/** A file's sha256, with its stat as it was when reading started; `size` is the bytes read. */
export interface FileHash extends Omit<FileStat, 'kind'> {
  sha256: string;
}

/** Must match hash-worker.mjs: kinds by code, and the numbers sent per path. */
const KINDS = ['file', 'dir', 'symlink', 'other'] as const;
const STAT_FIELDS = 6;

/** Why one path could not be served: a Node error code (`ENOENT`, `EACCES`, …) or `CHANGED`. */
export interface PathFailure {
  error: string;
  message: string;
}

export const isPathFailure = (value: object): value is PathFailure => 'error' in value;

type Reply =
  | { id: number; stats: { kinds: Uint8Array; numbers: Float64Array } }
  | { id: number; hashes: Array<FileHash | PathFailure>; progress: number }
  | { id: number; progress: number }
  | { id: number; failure: string };

interface Task {
  op: 'stat' | 'hash';
  paths: readonly string[];
  onBytes: ((bytes: number) => void) | undefined;
  resolve: (results: object) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
}

export interface HashPoolOptions {
  /** Threads. Default `os.availableParallelism()`, at least 2 (one reads while another hashes). */
  size?: number;
}

/**
 * Worker threads that stat and hash files, so hashing uses every core and never blocks the event loop.
 * Threads start on first use and stay; while idle they do not keep the process alive. Requests carry
 * many paths each (the callers batch), so messaging costs little per file.
 */
export class HashPool {
  readonly size: number;
  readonly #slots: Array<Slot | null>;
  readonly #queue: Array<{ id: number; task: Task }> = [];
  #nextId = 1;
  #closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.max(2, availableParallelism()));
    this.#slots = Array.from({ length: this.size }, () => null);
  }

  /** One lstat per path (symlinks not followed); null for a path that is gone or cannot be reached. */
  async stat(paths: readonly string[]): Promise<Array<FileStat | null>> {
    if (paths.length === 0) return [];
    const { kinds, numbers } = (await this.#submit('stat', paths, undefined)) as unknown as {
      kinds: Uint8Array;
      numbers: Float64Array;
    };
    return Array.from(kinds, (code, i) => {
      const kind = KINDS[code];
      if (kind === undefined) return null;
      const at = i * STAT_FIELDS;
      return {
        kind,
        size: numbers[at]!,
        mode: numbers[at + 1]!,
        mtimeMs: numbers[at + 2]!,
        ctimeMs: numbers[at + 3]!,
        inode: numbers[at + 4]!,
        dev: numbers[at + 5]!,
      };
    });
  }

  /** The sha256 of each path's content, read in order on one thread; `onBytes` as reading advances. */
  hash(paths: readonly string[], onBytes?: (bytes: number) => void): Promise<Array<FileHash | PathFailure>> {
    return this.#submit('hash', paths, onBytes) as Promise<Array<FileHash | PathFailure>>;
  }

  /** Stops the threads; requests still queued or running fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing = new Error('the hash pool was closed');
    for (const { task } of this.#queue.splice(0)) task.reject(closing);
    await Promise.all(
      this.#slots.map(async (slot, i) => {
        if (!slot) return;
        this.#slots[i] = null;
        for (const task of slot.tasks.values()) task.reject(closing);
        await slot.worker.terminate();
      }),
    );
  }

  #submit(op: Task['op'], paths: readonly string[], onBytes: Task['onBytes']): Promise<object> {
    if (this.#closed) return Promise.reject(new Error('the hash pool was closed'));
    if (paths.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task: { op, paths, onBytes, resolve, reject } });
      this.#dispatch();
    });
  }

  /** Hands queued requests to the least busy threads, starting threads as needed. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      let best = -1;
      let bestLoad = IN_FLIGHT_PER_WORKER;
      for (let i = 0; i < this.#slots.length; i++) {
        const load = this.#slots[i]?.tasks.size ?? 0;
        if (load < bestLoad) {
          best = i;
          bestLoad = load;
        }
      }
      if (best < 0) return;
      const slot = this.#slots[best] ?? this.#start(best);
      const { id, task } = this.#queue.shift()!;
      if (slot.tasks.size === 0) slot.worker.ref();
      slot.tasks.set(id, task);
      slot.worker.postMessage({ id, op: task.op, paths: task.paths });
    }
  }

  #start(index: number): Slot {
    // execArgv: [] so a parent started with `--import tsx` does not load tsx into every thread.
    const worker = new Worker(WORKER_URL, { execArgv: [] });
    const slot: Slot = { worker, tasks: new Map() };
    this.#slots[index] = slot;
    worker.on('message', (reply: Reply) => this.#receive(slot, reply));
    const lost = (err: Error) => {
      if (this.#slots[index] === slot) this.#slots[index] = null;
      for (const task of slot.tasks.values()) task.reject(err);
      slot.tasks.clear();
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', (err) => lost(new Error(`a hash thread failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => lost(new Error(`a hash thread exited with code ${code}`)));
    return slot;
  }

  #receive(slot: Slot, reply: Reply): void {
    const task = slot.tasks.get(reply.id);
    if (!task) return;
    if ('failure' in reply) {
      this.#settle(slot, reply.id);
      task.reject(new Error(`a hash thread could not serve a request: ${reply.failure}`));
    } else if ('stats' in reply) {
      this.#settle(slot, reply.id);
      task.resolve(reply.stats);
    } else if ('hashes' in reply) {
      this.#settle(slot, reply.id);
      if (reply.progress > 0) task.onBytes?.(reply.progress);
      task.resolve(reply.hashes);
    } else {
      task.onBytes?.(reply.progress);
    }
  }

  #settle(slot: Slot, id: number): void {
    slot.tasks.delete(id);
    if (slot.tasks.size === 0) slot.worker.unref();
    this.#dispatch();
  }
}

let shared: HashPool | null = null;

/**
 * The process's default pool, started on first use. Its threads do not keep the process alive while
 * idle, so nothing needs to close it; pass your own `HashPool` where threads must be stopped.
 */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}

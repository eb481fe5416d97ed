import { open, readFile, rename, writeFile } from 'node:fs/promises';
import type { LogSink } from '../compute-adapter.js';

export interface LogOffsets {
  stdout: number;
  stderr: number;
}

export interface LogTailOptions {
  stdoutPath: string;
  stderrPath: string;
  /**
   * Where the offsets already handed to the sink are kept (a small JSON file in the job folder), so that
   * a new adapter after a server restart resumes where the old one stopped instead of replaying.
   */
  offsetsPath: string;
  sink: LogSink;
  intervalMs: number;
}

const CHUNK = 1024 * 1024;

/** Reads the offsets a previous tail saved; zeros when there are none (nothing was delivered yet). */
export async function readLogOffsets(path: string): Promise<LogOffsets> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { stdout, stderr } = parsed as Record<string, unknown>;
      if (typeof stdout === 'number' && typeof stderr === 'number') return { stdout, stderr };
    }
  } catch {
    // Missing or half-written: start from the beginning.
  }
  return { stdout: 0, stderr: 0 };
}

/**
 * Follows a job's stdout and stderr files by offset, handing new bytes to the sink every `intervalMs`.
 * Reads are serialised, so a timer tick and `finish()` never deliver the same bytes twice.
 */
export class LogTail {
  readonly #options: LogTailOptions;
  readonly #offsets: LogOffsets;
  #timer: NodeJS.Timeout | null = null;
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: LogTailOptions, offsets: LogOffsets) {
    this.#options = options;
    this.#offsets = { ...offsets };
  }

  get offsets(): LogOffsets {
    return { ...this.#offsets };
  }

  start(): void {
    this.#schedule();
  }

  /** One last read of everything written so far, then stop. */
  finish(): Promise<void> {
    void this.stop();
    return this.#enqueue();
  }

  /** Stops reading; resolves once a read in flight has delivered its bytes and saved its offsets. */
  stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    return this.#chain;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#enqueue().then(() => this.#schedule());
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  #enqueue(): Promise<void> {
    this.#chain = this.#chain
      .then(() => this.#drain())
      .catch(() => {
        // A read error (file on a flaky shared mount) is retried on the next tick.
      });
    return this.#chain;
  }

  async #drain(): Promise<void> {
    const movedOut = await this.#drainFile('stdout', this.#options.stdoutPath);
    const movedErr = await this.#drainFile('stderr', this.#options.stderrPath);
    if (movedOut || movedErr) {
      const tmp = `${this.#options.offsetsPath}.tmp`;
      await writeFile(tmp, JSON.stringify(this.#offsets));
      await rename(tmp, this.#options.offsetsPath);
    }
  }

  async #drainFile(stream: 'stdout' | 'stderr', path: string): Promise<boolean> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // not started yet
      throw err;
    }
    let moved = false;
    try {
      const { size } = await handle.stat();
      while (this.#offsets[stream] < size) {
        const length = Math.min(CHUNK, size - this.#offsets[stream]);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, this.#offsets[stream]);
        if (bytesRead === 0) break;
        this.#options.sink.write(stream, buffer.subarray(0, bytesRead));
        this.#offsets[stream] += bytesRead;
        moved = true;
      }
    } finally {
      await handle.close();
    }
    return moved;
  }
}

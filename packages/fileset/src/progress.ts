/** How far a pass over a file set has got. */
export interface FileSetProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Of `filesDone`, those that needed no work (hash found in the cache, content already stored). */
  filesSkipped: number;
  /** Bytes actually read (hashed or uploaded) per second since the pass started; skipped files excluded. */
  bytesPerSecond: number;
}

export type ProgressListener = (progress: FileSetProgress) => void;

const PROGRESS_INTERVAL_MS = 50;

/** Turns per-batch counts into throttled progress events (at most every 50 ms, and always the last). */
export class ProgressMeter {
  readonly #emit: ProgressListener | undefined;
  readonly #startedAt = performance.now();
  readonly #state: FileSetProgress;
  #bytesWorked = 0;
  #lastEmit = 0;

  constructor(emit: ProgressListener | undefined, filesTotal: number, bytesTotal: number) {
    this.#emit = emit;
    this.#state = {
      filesDone: 0,
      filesTotal,
      bytesDone: 0,
      bytesTotal,
      filesSkipped: 0,
      bytesPerSecond: 0,
    };
    this.#send(true);
  }

  /** Bytes read so far, within files not yet done. */
  bytes(n: number): void {
    this.#bytesWorked += n;
    this.#state.bytesDone += n;
    this.#send(false);
  }

  /** Files finished; their bytes were counted with `bytes`. */
  files(n: number): void {
    this.#state.filesDone += n;
    this.#send(false);
  }

  /** Files that needed no work, done at once with their bytes. */
  skipped(files: number, bytes: number): void {
    this.#state.filesDone += files;
    this.#state.filesSkipped += files;
    this.#state.bytesDone += bytes;
    this.#send(false);
  }

  finish(): FileSetProgress {
    this.#send(true);
    return { ...this.#state };
  }

  #send(force: boolean): void {
    if (!this.#emit) return;
    const now = performance.now();
    if (!force && now - this.#lastEmit < PROGRESS_INTERVAL_MS) return;
    this.#lastEmit = now;
    const seconds = (now - this.#startedAt) / 1000;
    this.#state.bytesPerSecond = seconds > 0 ? Math.round(this.#bytesWorked / seconds) : 0;
    this.#emit({ ...this.#state });
  }
}

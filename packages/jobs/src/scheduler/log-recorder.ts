import { StringDecoder } from 'node:string_decoder';
import type { JobLogChunkRow, MetadataStore } from '@cairn/store';
import type { LogSink } from '../compute/compute-adapter.js';
import type { JobBus } from '../jobs/job-bus.js';

type Stream = 'stdout' | 'stderr';

const COALESCE_MS = 30;
const MAX_PENDING_CHARS = 64 * 1024;
const TAIL_LINES = 20;

/**
 * A job's LogSink: output arriving within a few milliseconds is joined into one chunk, numbered (dense
 * `seq` per job), published at once to live streams and appended to `job_log_chunks`. Keeps the last
 * lines of stderr for the failure summary.
 */
export class LogRecorder implements LogSink {
  readonly #decoders: Record<Stream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  readonly #pending: Record<Stream, string> = { stdout: '', stderr: '' };
  #timer: NodeJS.Timeout | null = null;
  #seq: number;
  #stderrTail: string[] = [];
  #stderrPartial = '';
  #writes: Promise<void> = Promise.resolve();
  #failure: unknown = null;

  constructor(
    private readonly store: MetadataStore,
    private readonly bus: JobBus,
    private readonly workspaceId: string,
    private readonly jobId: string,
    /** The highest seq already stored (after a restart). */
    lastSeq = 0,
  ) {
    this.#seq = lastSeq;
  }

  write(stream: Stream, chunk: Uint8Array): void {
    this.#pending[stream] += this.#decoders[stream].write(Buffer.from(chunk));
    if (this.#pending[stream].length >= MAX_PENDING_CHARS) this.#emit();
    else this.#timer ??= setTimeout(() => this.#emit(), COALESCE_MS);
  }

  /** Writes what is pending and waits until every chunk is stored. */
  async flush(): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) this.#pending[stream] += this.#decoders[stream].end();
    this.#emit();
    await this.#writes;
    if (this.#failure) throw this.#failure;
  }

  /** The last lines of stderr, oldest first. */
  stderrTail(): string {
    const lines = this.#stderrPartial === '' ? this.#stderrTail : [...this.#stderrTail, this.#stderrPartial];
    return lines.slice(-TAIL_LINES).join('\n');
  }

  #emit(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const rows: JobLogChunkRow[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const data = this.#pending[stream];
      if (data === '') continue;
      this.#pending[stream] = '';
      if (stream === 'stderr') this.#keepTail(data);
      const at = Date.now();
      const seq = ++this.#seq;
      rows.push({ workspace_id: this.workspaceId, job_id: this.jobId, seq, stream, data, at });
    }
    if (rows.length === 0) return;
    // Published only once stored: a follower subscribes first and then reads what is stored, so every
    // chunk reaches it by one way or the other (a chunk published before it was stored could be missed).
    const publish = () => {
      for (const r of rows) {
        this.bus.publish(this.workspaceId, this.jobId, {
          type: 'log',
          seq: r.seq,
          stream: r.stream as Stream,
          data: r.data,
          at: r.at,
        });
      }
    };
    this.#writes = this.#writes
      .then(() => this.store.db.insertInto('job_log_chunks').values(rows).execute())
      .then(publish, (err: unknown) => {
        this.#failure ??= err;
        publish();
      });
  }

  #keepTail(data: string): void {
    const parts = (this.#stderrPartial + data).split('\n');
    this.#stderrPartial = parts.pop() ?? '';
    this.#stderrTail.push(...parts);
    if (this.#stderrTail.length > TAIL_LINES * 2) this.#stderrTail = this.#stderrTail.slice(-TAIL_LINES);
  }
}

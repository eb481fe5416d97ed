import { EventEmitter } from 'node:events';
import type { JobStatus } from './job-status.js';

export interface JobLogEvent {
  type: 'log';
  seq: number;
  stream: 'stdout' | 'stderr';
  data: string;
  at: number;
}

export interface JobStatusEvent {
  type: 'status';
  status: JobStatus;
  at: number;
  message: string | null;
}

export type JobEvent = JobLogEvent | JobStatusEvent;

const key = (workspaceId: string, jobId: string) => `${workspaceId}\u0000${jobId}`;

/**
 * In-process fan-out between the job service, the scheduler and live streams: log chunks and status
 * changes of a job, and a wake-up when a job is queued or canceled. (Across server replicas the
 * scheduler's slow poll of the table takes its place.)
 */
export class JobBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  publish(workspaceId: string, jobId: string, event: JobEvent): void {
    this.#emitter.emit(key(workspaceId, jobId), event);
  }

  /** Returns the function that unsubscribes. */
  subscribe(workspaceId: string, jobId: string, listener: (event: JobEvent) => void): () => void {
    const k = key(workspaceId, jobId);
    this.#emitter.on(k, listener);
    return () => this.#emitter.off(k, listener);
  }

  /** A job was queued or asked to cancel: the scheduler looks at the queue now. */
  notifyWork(): void {
    this.#emitter.emit('work');
  }

  onWork(listener: () => void): () => void {
    this.#emitter.on('work', listener);
    return () => this.#emitter.off('work', listener);
  }
}

import type { RunStatus } from '@cairn/core';

/** A job's lifecycle; every transition is recorded in `job_events` with its time. */
export const JobStatus = [
  'queued',
  'preparing',
  'running',
  'finalizing',
  'completed',
  'failed',
  'canceled',
] as const;
export type JobStatus = (typeof JobStatus)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'canceled'];
export const isTerminal = (status: string): boolean =>
  (TERMINAL_STATUSES as readonly string[]).includes(status);

/** The status of the job's tracking run for each job status. */
export function runStatusFor(status: JobStatus): RunStatus {
  switch (status) {
    case 'queued':
    case 'preparing':
      return 'SCHEDULED';
    case 'running':
    case 'finalizing':
      return 'RUNNING';
    case 'completed':
      return 'FINISHED';
    case 'failed':
      return 'FAILED';
    case 'canceled':
      return 'KILLED';
  }
}

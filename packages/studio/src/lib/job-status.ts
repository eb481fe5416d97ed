import type { JobStatus, JobStatusEvent } from '@cairn/sdk';

/** Job statuses in the order a job moves through them; the last three are final. */
export const JOB_STATUSES: readonly JobStatus[] = [
  'queued',
  'preparing',
  'running',
  'finalizing',
  'completed',
  'failed',
  'canceled',
];
/** Statuses of a job that has not ended (a page showing one keeps itself fresh). */
export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'preparing', 'running', 'finalizing'];

export const isActiveStatus = (status: JobStatus): boolean => ACTIVE_STATUSES.includes(status);

/** A status from the query string (`?status=running`), or null for none or an unknown one. */
export function parseStatusFilter(value: string | null | undefined): JobStatus | null {
  return JOB_STATUSES.find((s) => s === value) ?? null;
}

/** How often a page polls while it shows jobs that have not ended: every 2 s, else not at all. */
export function pollInterval(statuses: Iterable<JobStatus>, ms = 2000): number | false {
  for (const s of statuses) if (isActiveStatus(s)) return ms;
  return false;
}

/** How long a job ran (until now while it runs); null before it started. */
export function jobDuration(
  job: { startedAt: number | null; endedAt: number | null },
  now: number = Date.now(),
): number | null {
  if (job.startedAt === null) return null;
  return (job.endedAt ?? now) - job.startedAt;
}

export interface StatusStep {
  status: JobStatus;
  at: number;
  message: string | null;
  /** Until the next transition, or until now for the current status of a job still going; null at the end. */
  durationMs: number | null;
  current: boolean;
}

/** A job's status history as steps with how long each lasted (events oldest first, as the API sends). */
export function statusTimeline(events: readonly JobStatusEvent[], now: number = Date.now()): StatusStep[] {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  return sorted.map((e, i) => {
    const next = sorted[i + 1];
    const last = next === undefined;
    return {
      status: e.status,
      at: e.at,
      message: e.message,
      durationMs: next ? next.at - e.at : isActiveStatus(e.status) ? now - e.at : null,
      current: last,
    };
  });
}

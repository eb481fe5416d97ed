import type { ObservedState } from '../compute-adapter.js';

/** The fields of Ray's `GET /api/jobs/{id}` answer (JobDetails) that Cairn reads. */
export interface RayJobInfo {
  status: 'PENDING' | 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED' | string;
  message?: string | null;
  error_type?: string | null;
  driver_exit_code?: number | null;
  submission_id?: string | null;
  metadata?: Record<string, string> | null;
}

export const RAY_TERMINAL_STATUSES: ReadonlySet<string> = new Set(['STOPPED', 'SUCCEEDED', 'FAILED']);

/**
 * Ray's job status as Cairn's observed state. PENDING is `preparing`: Ray is setting up the runtime env
 * (downloading the working_dir, installing pip packages) or waiting for the entrypoint's resources.
 */
export function rayJobState(info: RayJobInfo): ObservedState {
  const message = info.message?.trim() || null;
  switch (info.status) {
    case 'PENDING':
      return { state: 'preparing' };
    case 'RUNNING':
      return { state: 'running' };
    case 'SUCCEEDED':
      return { state: 'completed' };
    case 'STOPPED':
      return { state: 'canceled', reason: message ?? 'The Ray job was stopped' };
    case 'FAILED':
      return {
        state: 'failed',
        exitCode: info.driver_exit_code ?? exitCodeFromMessage(message),
        reason:
          message ?? `The Ray job failed${info.error_type ? ` (${info.error_type})` : ''} without a message`,
      };
    default:
      return {
        state: 'failed',
        exitCode: null,
        reason: `Ray reported status '${info.status}', which Cairn does not know${message ? `: ${message}` : ''}`,
      };
  }
}

/** Ray's supervisor writes "Job entrypoint command failed with exit code N, …". */
export function exitCodeFromMessage(message: string | null): number | null {
  const match = message?.match(/exit code (-?\d+)/);
  return match ? Number(match[1]) : null;
}

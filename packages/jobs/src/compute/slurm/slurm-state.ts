import type { ObservedState } from '../compute-adapter.js';

/** What Slurm says about a job: `JobState`, and from scontrol also `ExitCode` (`code:signal`) and `Reason`. */
export interface SlurmJobView {
  state: string;
  exitCode?: string | null;
  reason?: string | null;
  timeLimit?: string | null;
}

const NO_REASON = new Set(['', 'None', 'NonZeroExitCode', '(null)']);

/** `3:0` → { code: 3, signal: 0 }; null when absent or malformed. */
export function parseSlurmExitCode(text: string | null | undefined): { code: number; signal: number } | null {
  const match = /^(\d+):(\d+)$/.exec(text?.trim() ?? '');
  if (!match) return null;
  return { code: Number(match[1]), signal: Number(match[2]) };
}

/** Parses `scontrol show job -o ID` (one line of `Key=Value` pairs) into a map; values hold no spaces except the last ones. */
export function parseScontrolRecord(text: string): Map<string, string> {
  const record = new Map<string, string>();
  // Keys are words (with '/', ':' or '_') followed by '='; a value runs until the next key.
  const pattern = /(?:^|\s)([A-Za-z][\w/:]*)=(.*?)(?=\s+[A-Za-z][\w/:]*=|\s*$)/gs;
  for (const match of text.matchAll(pattern)) {
    const key = match[1];
    if (key !== undefined && !record.has(key)) record.set(key, (match[2] ?? '').trim());
  }
  return record;
}

function withReason(text: string, reason: string | null | undefined): string {
  return reason && !NO_REASON.has(reason) ? `${text} (Slurm reason: ${reason})` : text;
}

/** How a job that ended with FAILED or similar is described: its exit code, or the signal that killed it. */
function failure(view: SlurmJobView, what: string): ObservedState {
  const exit = parseSlurmExitCode(view.exitCode);
  if (exit && exit.signal > 0) {
    return {
      state: 'failed',
      exitCode: null,
      reason: withReason(`${what}: killed by signal ${exit.signal}`, view.reason),
    };
  }
  if (exit && exit.code !== 0) {
    return {
      state: 'failed',
      exitCode: exit.code,
      reason: withReason(`${what}: exited with code ${exit.code}`, view.reason),
    };
  }
  return { state: 'failed', exitCode: exit?.code ?? null, reason: withReason(what, view.reason) };
}

/**
 * Slurm's job state (from `squeue -o %T` or scontrol's `JobState`) as Cairn's lifecycle. Every state in
 * Slurm's documented list is named; one that is not (a newer Slurm) fails the job with its name rather
 * than leaving it waiting forever.
 */
export function mapSlurmState(view: SlurmJobView): ObservedState {
  // squeue may print `CANCELLED by 0`; the state is the first word.
  const state = view.state.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  switch (state) {
    case 'PENDING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'RESV_DEL_HOLD':
      return { state: 'queued' };
    case 'CONFIGURING':
    case 'POWER_UP_NODE':
      return { state: 'preparing' };
    case 'RUNNING':
    case 'COMPLETING':
    case 'SUSPENDED':
    case 'STOPPED':
    case 'RESIZING':
    case 'SIGNALING':
    case 'STAGE_OUT':
    case 'UPDATE_DB':
      return { state: 'running' };
    case 'COMPLETED':
      return { state: 'completed' };
    case 'FAILED':
      return failure(view, 'failed');
    case 'OUT_OF_MEMORY':
      return failure(view, 'ran out of memory (Slurm OUT_OF_MEMORY): ask for more with resources.memory_gb');
    case 'NODE_FAIL':
      return failure(view, 'the node running the job failed (Slurm NODE_FAIL)');
    case 'BOOT_FAIL':
      return failure(view, 'the node could not boot (Slurm BOOT_FAIL)');
    case 'PREEMPTED':
      return failure(view, 'preempted by Slurm');
    case 'DEADLINE':
      return failure(view, 'missed its Slurm deadline');
    case 'SPECIAL_EXIT':
      return failure(view, 'failed (Slurm SPECIAL_EXIT)');
    case 'REVOKED':
      return failure(view, 'revoked by Slurm (federation)');
    case 'TIMEOUT': {
      const limit = view.timeLimit && view.timeLimit !== 'UNLIMITED' ? ` of ${view.timeLimit}` : '';
      return { state: 'failed', exitCode: null, reason: `timed out: reached its Slurm time limit${limit}` };
    }
    case 'CANCELLED':
      return { state: 'canceled', reason: withReason('canceled in Slurm (scancel)', view.reason) };
    default:
      return {
        state: 'failed',
        exitCode: null,
        reason: `Slurm reports the unknown job state '${view.state.trim()}'`,
      };
  }
}

export function isTerminal(state: ObservedState): boolean {
  return state.state !== 'queued' && state.state !== 'preparing' && state.state !== 'running';
}

import type { ComputeTarget, Job, JobStatus } from '@cairn/sdk';

/**
 * What each compute target is doing, from the jobs that have not ended: how many are queued, being
 * prepared, running or finalizing on it, and which are running. Targets come in the server's order
 * (`local` first); a job on a target no longer listed still shows, under its name.
 */
export interface ComputeLoad {
  name: string;
  kind: string;
  target: ComputeTarget | null;
  counts: Record<'queued' | 'preparing' | 'running' | 'finalizing', number>;
  /** Started jobs (preparing, running, finalizing), oldest start first. */
  started: Job[];
}

const zero = () => ({ queued: 0, preparing: 0, running: 0, finalizing: 0 });

export function computeLoad(targets: readonly ComputeTarget[], activeJobs: readonly Job[]): ComputeLoad[] {
  const byName = new Map<string, ComputeLoad>();
  for (const t of targets)
    byName.set(t.name, { name: t.name, kind: t.kind, target: t, counts: zero(), started: [] });
  for (const job of activeJobs) {
    // A sweep holds no slot of its own: its trials do.
    if (job.type === 'sweep') continue;
    let load = byName.get(job.compute);
    if (!load) {
      load = { name: job.compute, kind: 'unknown', target: null, counts: zero(), started: [] };
      byName.set(job.compute, load);
    }
    const status = job.status as JobStatus;
    if (status === 'queued' || status === 'preparing' || status === 'running' || status === 'finalizing') {
      load.counts[status]++;
      if (status !== 'queued') load.started.push(job);
    }
  }
  for (const load of byName.values()) {
    load.started.sort((a, b) => (a.startedAt ?? a.createdAt) - (b.startedAt ?? b.createdAt));
  }
  return [...byName.values()];
}

/** A target's settings in one line: `partition gpu · 2 GPUs per job`, `http://ray:8265`, `4 CPUs`. */
export function computeSettings(target: ComputeTarget): string {
  const s = target.spec;
  const parts: string[] = [];
  const add = (label: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') parts.push(`${label} ${String(value)}`);
  };
  switch (target.kind) {
    case 'local':
      add('cpus', s.cpus);
      add('memory GB', s.memory_gb);
      add('gpus', Array.isArray(s.gpus) ? s.gpus.join(',') : s.gpus);
      break;
    case 'slurm':
      add('partition', s.partition);
      add('account', s.account);
      add('GPUs per job', s.gpus_per_job);
      add('time limit s', s.time_limit);
      add('via', s.submit_host);
      break;
    case 'ray':
      add('address', s.address);
      break;
    default:
      add('namespace', s.namespace);
  }
  return parts.length > 0 ? parts.join(' · ') : target.builtIn ? "the server's machine" : 'cluster defaults';
}

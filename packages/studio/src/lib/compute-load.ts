import type { ComputeTarget, Job, JobCount } from '@cairn/sdk';

/**
 * What each compute target is doing: how many jobs are queued, being prepared, running or finalizing
 * on it (the server's counts, `jobs.counts`), and which started jobs are on it (listed, oldest start
 * first). Targets come in the server's order (`local` first); jobs on a target no longer listed still
 * show, under its name.
 */
export interface ComputeLoad {
  name: string;
  kind: string;
  target: ComputeTarget | null;
  counts: Record<ActiveStatus, number>;
  /** Started jobs (preparing, running, finalizing), oldest start first. */
  started: Job[];
}

type ActiveStatus = 'queued' | 'preparing' | 'running' | 'finalizing';
const isActive = (status: string): status is ActiveStatus =>
  status === 'queued' || status === 'preparing' || status === 'running' || status === 'finalizing';

const zero = () => ({ queued: 0, preparing: 0, running: 0, finalizing: 0 });

export function computeLoad(
  targets: readonly ComputeTarget[],
  counts: readonly JobCount[],
  startedJobs: readonly Job[] = [],
): ComputeLoad[] {
  const byName = new Map<string, ComputeLoad>();
  for (const t of targets)
    byName.set(t.name, { name: t.name, kind: t.kind, target: t, counts: zero(), started: [] });
  const loadOf = (compute: string) => {
    let load = byName.get(compute);
    if (!load) {
      load = { name: compute, kind: 'unknown', target: null, counts: zero(), started: [] };
      byName.set(compute, load);
    }
    return load;
  };
  // A sweep holds no slot of its own: its trials do.
  for (const c of counts) {
    if (c.type !== 'sweep' && isActive(c.status)) loadOf(c.compute).counts[c.status] += c.count;
  }
  for (const job of startedJobs) {
    if (job.type !== 'sweep' && isActive(job.status) && job.status !== 'queued')
      loadOf(job.compute).started.push(job);
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

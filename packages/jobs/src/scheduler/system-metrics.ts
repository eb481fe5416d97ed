import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metric } from '@cairn/core';

/** One process of a job's process group, from `/proc/<pid>/stat`. */
export interface ProcessSample {
  pid: number;
  /** utime + stime, in clock ticks (USER_HZ, 100 a second on Linux). */
  cpuTicks: number;
  /** Resident set size in pages. */
  rssPages: number;
}

export interface GpuSample {
  index: number;
  utilizationPercent: number;
  memoryUsedMb: number;
}

/** The job's process-group leader (its `/bin/sh`) and the GPU indices it holds. */
export interface SampledProcess {
  pid: number;
  gpus: readonly number[];
}

export interface SystemMetricsOptions {
  target: SampledProcess;
  /** Between samples. Default 10 s. */
  intervalMs?: number;
  /** Before the first sample. Default 1 s (or `intervalMs` when smaller). */
  firstDelayMs?: number;
  /** Stores one sample's metrics (the scheduler logs them onto the job's run). */
  write: (metrics: Metric[]) => Promise<void>;
  /** A sample that could not be read or stored; the job goes on. */
  onError?: (err: unknown) => void;
  procRoot?: string;
  /** Where `nvidia-smi` is looked up; a missing binary means no GPU metrics. */
  nvidiaSmi?: string;
}

const USER_HZ = 100;

/**
 * Parses `/proc/<pid>/stat`: the fields after the `(comm)` (which may hold spaces and parentheses)
 * are pgrp (5th), utime (14th), stime (15th) and rss (24th). Null when the text is not a stat line.
 */
export function parseProcStat(
  text: string,
): { pid: number; pgrp: number; cpuTicks: number; rssPages: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is the state (field 3), so field n is rest[n - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  const pgrp = field(5);
  const utime = field(14);
  const stime = field(15);
  const rss = field(24);
  if (![pid, pgrp, utime, stime, rss].every(Number.isFinite)) return null;
  return { pid, pgrp, cpuTicks: utime + stime, rssPages: Math.max(0, rss) };
}

/** Every live process whose process group is `pgid`; one that exits while being read is skipped. */
export async function readProcessGroup(pgid: number, procRoot = '/proc'): Promise<ProcessSample[]> {
  const names = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n));
  const samples = await Promise.all(
    names.map(async (name) => {
      try {
        const stat = parseProcStat(await readFile(join(procRoot, name, 'stat'), 'utf8'));
        if (stat === null || stat.pgrp !== pgid) return null;
        return { pid: stat.pid, cpuTicks: stat.cpuTicks, rssPages: stat.rssPages };
      } catch {
        return null; // Gone between the listing and the read (ENOENT, ESRCH).
      }
    }),
  );
  return samples.filter((s): s is ProcessSample => s !== null);
}

/** `nvidia-smi --query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits` lines. */
export function parseNvidiaSmi(text: string): GpuSample[] {
  const out: GpuSample[] = [];
  for (const line of text.split('\n')) {
    const [index, util, mem] = line.split(',').map((s) => Number(s.trim()));
    if (line.trim() === '' || !Number.isInteger(index)) continue;
    out.push({
      index: index as number,
      utilizationPercent: Number.isFinite(util) ? (util as number) : Number.NaN,
      memoryUsedMb: Number.isFinite(mem) ? (mem as number) : Number.NaN,
    });
  }
  return out;
}

/** The GPUs' state, or none where `nvidia-smi` is missing or fails. */
export function queryGpus(nvidiaSmi = 'nvidia-smi'): Promise<GpuSample[]> {
  return new Promise((resolve) => {
    execFile(
      nvidiaSmi,
      ['--query-gpu=index,utilization.gpu,memory.used', '--format=csv,noheader,nounits'],
      { timeout: 5_000 },
      (err, stdout) => resolve(err ? [] : parseNvidiaSmi(stdout)),
    );
  });
}

let pageSize: Promise<number> | null = null;
/** The kernel page size (rss is counted in pages): `getconf PAGESIZE`, else 4 KiB. */
function pageBytes(): Promise<number> {
  pageSize ??= new Promise((resolve) => {
    execFile('getconf', ['PAGESIZE'], { timeout: 5_000 }, (err, stdout) => {
      const n = Number(stdout.trim());
      resolve(!err && Number.isInteger(n) && n > 0 ? n : 4096);
    });
  });
  return pageSize;
}

/**
 * Samples a local job's process group into its run while it runs: CPU (100 = one core busy, from the
 * utime+stime growth of every process in the group), resident memory, and the utilisation and memory
 * of the GPUs it holds. A process that ends between two samples loses its last partial interval.
 */
export class SystemMetricsSampler {
  readonly #o: SystemMetricsOptions;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> = Promise.resolve();
  #stopped = false;
  #step = 0;
  #last: { at: number; ticks: Map<number, number> } | null = null;

  constructor(options: SystemMetricsOptions) {
    this.#o = options;
  }

  start(): void {
    const interval = this.#o.intervalMs ?? 10_000;
    // The baseline the first sample's CPU is measured against.
    this.#inFlight = this.#baseline().catch((err: unknown) => this.#o.onError?.(err));
    this.#schedule(this.#o.firstDelayMs ?? Math.min(1_000, interval));
  }

  /** No sample after this resolves. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#inFlight = this.#sample()
        .catch((err: unknown) => this.#o.onError?.(err))
        .finally(() => this.#schedule(this.#o.intervalMs ?? 10_000));
    }, delay);
    this.#timer.unref();
  }

  async #baseline(): Promise<void> {
    const procs = await readProcessGroup(this.#o.target.pid, this.#o.procRoot);
    this.#last = { at: performance.now(), ticks: new Map(procs.map((p) => [p.pid, p.cpuTicks])) };
  }

  async #sample(): Promise<void> {
    if (this.#stopped) return;
    const { pid, gpus } = this.#o.target;
    const [procs, gpuState, page] = await Promise.all([
      readProcessGroup(pid, this.#o.procRoot),
      gpus.length > 0 ? queryGpus(this.#o.nvidiaSmi) : Promise.resolve([]),
      pageBytes(),
    ]);
    const at = performance.now();
    const timestamp = Date.now();
    const step = ++this.#step;
    const metrics: Metric[] = [];
    const metric = (key: string, value: number) => metrics.push({ key, value, timestamp, step });

    const ticks = new Map(procs.map((p) => [p.pid, p.cpuTicks]));
    if (this.#last !== null && procs.length > 0) {
      let delta = 0;
      for (const p of procs) delta += Math.max(0, p.cpuTicks - (this.#last.ticks.get(p.pid) ?? 0));
      const seconds = (at - this.#last.at) / 1000;
      if (seconds > 0) metric('system/cpu_utilization_percentage', round((delta / USER_HZ / seconds) * 100));
    }
    this.#last = { at, ticks };
    if (procs.length > 0) {
      const rss = procs.reduce((sum, p) => sum + p.rssPages, 0);
      metric('system/memory_usage_megabytes', round((rss * page) / 1024 ** 2));
    }
    for (const g of gpuState) {
      if (!gpus.includes(g.index)) continue;
      // `[N/A]` (some GPUs do not report utilisation) is left out.
      if (Number.isFinite(g.utilizationPercent))
        metric(`system/gpu_${g.index}_utilization_percentage`, g.utilizationPercent);
      if (Number.isFinite(g.memoryUsedMb))
        metric(`system/gpu_${g.index}_memory_usage_megabytes`, g.memoryUsedMb);
    }
    if (metrics.length > 0 && !this.#stopped) await this.#o.write(metrics);
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Summary of repeated timings, in ms. */
export interface Timing {
  n: number;
  median: number;
  p95: number;
  min: number;
}

export function summarize(samples: number[]): Timing {
  if (samples.length === 0) return { n: 0, median: Number.NaN, p95: Number.NaN, min: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    min: sorted[0] as number,
  };
}

/** Linear-interpolated quantile of an ascending array. */
function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export interface RepeatOptions {
  /** Untimed calls after the cold one. */
  warmup: number;
  /** Timed calls wanted. */
  reps: number;
  /** Timed calls made even when the budget has run out. */
  minReps: number;
  /** Time after which no further timed call starts once `minReps` are done. */
  budgetMs: number;
  /** A cold call slower than this means a slow server: no warm-up and a single timed call minimum. */
  slowMs: number;
}

/**
 * Runs `fn` repeatedly after a cold call that took `coldMs`: warm-up calls, then timed calls until
 * `reps` are done or the budget has passed, so a slow server cannot stretch the benchmark without bound.
 */
export async function repeat(
  fn: () => Promise<number>,
  coldMs: number,
  opts: RepeatOptions,
): Promise<number[]> {
  const slow = coldMs > opts.slowMs;
  const deadline = performance.now() + opts.budgetMs;
  if (!slow) for (let i = 0; i < opts.warmup; i++) await fn();
  const minReps = slow ? 1 : opts.minReps;
  const samples: number[] = [];
  while (samples.length < opts.reps) {
    samples.push(await fn());
    if (samples.length >= minReps && performance.now() > deadline) break;
  }
  return samples;
}

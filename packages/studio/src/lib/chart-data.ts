import type { MetricBucket, MetricPoint } from '@cairn/sdk';

/**
 * Turning the server's downsampled buckets (or raw history) into the x/y arrays uPlot draws, plus
 * smoothing and log-scale clean-up. Pure functions over arrays, so they are tested without a browser.
 */
export interface XY {
  x: number[];
  /** null leaves a gap (NaN, ±Infinity, or values a log scale cannot show). */
  y: (number | null)[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * One or two points per bucket: its minimum and maximum at the steps where they occurred, in step
 * order, so a spike inside a bucket of a million-point series is still drawn at its true height and x.
 */
export function bucketsToXY(buckets: readonly MetricBucket[]): XY {
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (const b of buckets) {
    if (b.count <= 1 || b.minStep === b.maxStep) {
      x.push(b.count <= 1 ? b.stepEnd : b.minStep);
      y.push(finite(b.count <= 1 ? b.last : b.min));
      continue;
    }
    const low = { step: b.minStep, value: b.min };
    const high = { step: b.maxStep, value: b.max };
    const [first, second] = low.step < high.step ? [low, high] : [high, low];
    x.push(first.step, second.step);
    y.push(finite(first.value), finite(second.value));
  }
  return { x, y };
}

/** Raw history points against step, or against seconds since the first point (relative wall time). */
export function pointsToXY(points: readonly MetricPoint[], axis: 'step' | 'time'): XY {
  const t0 = points.length > 0 ? Math.min(...points.map((p) => p.timestamp)) : 0;
  const sorted = axis === 'time' ? [...points].sort((a, b) => a.timestamp - b.timestamp) : points;
  return {
    x: sorted.map((p) => (axis === 'step' ? p.step : (p.timestamp - t0) / 1000)),
    y: sorted.map((p) => finite(p.value)),
  };
}

/**
 * Exponential moving average with TensorBoard's debiasing (so the curve starts at the data, not at 0);
 * `weight` 0 returns the values unchanged. Gaps stay gaps and do not reset the average.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...values];
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null) return null;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}

/** For a log scale: values ≤ 0 cannot be drawn, so they become gaps. */
export function forLogScale(values: readonly (number | null)[]): (number | null)[] {
  return values.map((v) => (v !== null && v > 0 ? v : null));
}

/** The step range a zoom selects, widened to whole steps; null when it covers the whole series. */
export function zoomRange(
  min: number,
  max: number,
  full: { first: number; last: number },
): { startStep: number; endStep: number } | null {
  const startStep = Math.max(full.first, Math.floor(min));
  const endStep = Math.min(full.last, Math.ceil(max));
  if (startStep <= full.first && endStep >= full.last) return null;
  if (endStep < startStep) return null;
  return { startStep, endStep };
}

/** Tick positions for a log axis: powers of ten, with 2× and 5× added when the range spans two decades or less. */
export function logSplits(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const steps = hi - lo <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of steps) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) out.push(Number(v.toPrecision(12)));
    }
  }
  return out;
}

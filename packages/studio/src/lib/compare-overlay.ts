import type { XY } from './chart-data.js';

/**
 * uPlot draws series over one shared x array: several runs' series (each with its own steps) are merged
 * onto the sorted union of their x values, each series null where it has no point (drawn with spanGaps).
 * Where a series has two points at one x (a bucket's min and max at the same step), the later wins.
 */
export function alignSeries(series: readonly (XY | null)[]): [number[], ...(number | null)[][]] {
  const xs = new Set<number>();
  for (const s of series) if (s) for (const x of s.x) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array<number | null>(x.length).fill(null);
    if (s) for (let i = 0; i < s.x.length; i++) y[index.get(s.x[i]!)!] = s.y[i] ?? null;
    return y;
  });
  return [x, ...ys];
}

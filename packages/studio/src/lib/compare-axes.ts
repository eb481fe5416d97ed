import type { ColumnValue } from './compare-diff.js';

/**
 * Axes for the compare charts (parallel coordinates, scatter, bars): a column whose present values are
 * all numbers (or numeric strings, as params arrive) is numeric and scaled linearly; anything else is
 * categorical, its distinct values sorted and spread evenly. Positions are fractions 0..1 of the axis.
 */
export type Axis =
  | { kind: 'numeric'; column: string; min: number; max: number }
  | { kind: 'categorical'; column: string; categories: string[] };

/** A param's string as a number when it is one (`'0.01'`, `'1e-3'`), else null. */
export function asNumber(v: ColumnValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function buildAxis(column: string, values: readonly ColumnValue[]): Axis {
  const present = values.filter((v): v is string | number => v !== null);
  const numbers = present.map(asNumber);
  if (present.length > 0 && numbers.every((n) => n !== null)) {
    const ns = numbers as number[];
    return { kind: 'numeric', column, min: Math.min(...ns), max: Math.max(...ns) };
  }
  const categories = [...new Set(present.map(String))].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  return { kind: 'categorical', column, categories };
}

/**
 * Where a value sits on the axis, 0 (bottom/left) to 1 (top/right); null when missing or not on it.
 * A numeric axis over a single value puts it in the middle; categories sit at even spacing (one: middle).
 */
export function position(axis: Axis, v: ColumnValue): number | null {
  if (v === null) return null;
  if (axis.kind === 'numeric') {
    const n = asNumber(v);
    if (n === null) return null;
    if (axis.max === axis.min) return 0.5;
    return (n - axis.min) / (axis.max - axis.min);
  }
  const i = axis.categories.indexOf(String(v));
  if (i < 0) return null;
  return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
}

/** Labelled ticks along the axis: the categories, or about `count` round numbers between min and max. */
export function axisTicks(axis: Axis, count = 5): { at: number; label: string }[] {
  if (axis.kind === 'categorical') {
    return axis.categories.map((c, i) => ({
      at: axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1),
      label: c,
    }));
  }
  if (axis.max === axis.min) return [{ at: 0.5, label: formatTick(axis.min) }];
  const step = niceStep((axis.max - axis.min) / Math.max(1, count - 1));
  const out: { at: number; label: string }[] = [];
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + step * 1e-9; v += step) {
    const value = Number(v.toPrecision(12));
    out.push({ at: (value - axis.min) / (axis.max - axis.min), label: formatTick(value) });
  }
  return out;
}

/** 1, 2 or 5 times a power of ten, the nearest to `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

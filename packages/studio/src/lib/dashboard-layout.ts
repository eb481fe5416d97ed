import type { DashboardChart, DashboardChartPosition, DashboardLayout } from '@cairn/sdk';

/**
 * Editing a dashboard's layout (version 1) without React: add, remove, move and place charts on the
 * grid, describe one. Every edit returns a layout whose charts all have a position, compacted upwards
 * and listed in reading order (top to bottom, then left to right), so the saved order is the order a
 * keyboard user steps through.
 */
export const emptyLayout = (): DashboardLayout => ({ version: 1, filter: '', charts: [] });

/** The grid: 12 columns (the server checks `x + w <= 12`), rows of 40 px, charts 1-40 rows tall. */
export const GRID = { columns: 12, rowHeight: 40, margin: 12, maxHeight: 40 } as const;
/** A chart placed without a size: half the width (two per row), 8 rows (about 400 px) tall. */
export const DEFAULT_SIZE = { w: 6, h: 8 } as const;
/** The smallest a chart can be resized to in the studio (the server accepts down to 1 × 1). */
export const MIN_SIZE = { w: 3, h: 4 } as const;

/** A chart's place on the grid (what the grid component takes and gives back). */
export interface GridItem extends DashboardChartPosition {
  i: string;
}

/** An id no chart of the layout has (`c1`, `c2`, …). */
export function nextChartId(layout: DashboardLayout): string {
  const taken = new Set(layout.charts.map((c) => c.id));
  let i = layout.charts.length + 1;
  while (taken.has(`c${i}`)) i++;
  return `c${i}`;
}

/** A chart before it has an id or a position (each kind of the union without them). */
export type NewChart = DashboardChart extends infer C
  ? C extends DashboardChart
    ? Omit<C, 'id' | 'position'>
    : never
  : never;

const clampInt = (v: number, min: number, max: number) =>
  Math.max(min, Math.min(max, Number.isFinite(v) ? Math.round(v) : min));

/** A position the server accepts: whole numbers, `w` 1-12, `x + w <= 12`, `h` 1-40, `y >= 0`. */
export function clampPosition(p: DashboardChartPosition): DashboardChartPosition {
  const w = clampInt(p.w, 1, GRID.columns);
  return {
    x: clampInt(p.x, 0, GRID.columns - w),
    y: clampInt(p.y, 0, 10_000),
    w,
    h: clampInt(p.h, 1, GRID.maxHeight),
  };
}

export const collides = (a: DashboardChartPosition, b: DashboardChartPosition): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

const readingOrder = (a: GridItem, b: GridItem) => a.y - b.y || a.x - b.x;

/**
 * Vertical compaction, as the grid component does it: in reading order, each item rises while nothing
 * placed before it is in the way, then drops below anything it overlaps. Returns the items in reading
 * order; overlapping input (a hand-edited layout, a swap of unequal sizes) comes out overlap-free.
 */
export function compact(items: readonly GridItem[]): GridItem[] {
  const placed: GridItem[] = [];
  for (const item of [...items].map((it) => ({ ...it, ...clampPosition(it) })).sort(readingOrder)) {
    const next = { ...item };
    while (next.y > 0 && !placed.some((p) => collides({ ...next, y: next.y - 1 }, p))) next.y--;
    for (let hit = placed.find((p) => collides(next, p)); hit; hit = placed.find((p) => collides(next, p)))
      next.y = hit.y + hit.h;
    placed.push(next);
  }
  return placed.sort(readingOrder);
}

/**
 * Where a new chart of `size` goes: the first free place, in reading order, from the top of the last
 * row on (beside the last chart when there is room, else below everything).
 */
export function freeSlot(items: readonly GridItem[], size: { w: number; h: number }): DashboardChartPosition {
  const w = clampInt(size.w, 1, GRID.columns);
  const h = clampInt(size.h, 1, GRID.maxHeight);
  for (let y = Math.max(0, ...items.map((it) => it.y)); ; y++) {
    for (let x = 0; x + w <= GRID.columns; x++) {
      if (!items.some((it) => collides({ x, y, w, h }, it))) return { x, y, w, h };
    }
  }
}

/** The layout's charts as grid items, each with its position (`placeCharts` first for the missing). */
export function gridItems(layout: DashboardLayout): GridItem[] {
  return layout.charts.map((c) => ({ i: c.id, ...(c.position ?? { x: 0, y: 0, ...DEFAULT_SIZE }) }));
}

/** Gives each chart the position in `items` (by id) and lists the charts in reading order. */
function withPositions(layout: DashboardLayout, items: readonly GridItem[]): DashboardLayout {
  const byId = new Map(layout.charts.map((c) => [c.id, c]));
  const charts: DashboardChart[] = [];
  for (const { i, x, y, w, h } of items) {
    const chart = byId.get(i);
    if (chart) charts.push({ ...chart, position: { x, y, w, h } });
  }
  return { ...layout, charts };
}

const samePositions = (a: DashboardLayout, b: DashboardLayout): boolean =>
  a.charts.length === b.charts.length &&
  a.charts.every((c, k) => {
    const d = b.charts[k]!;
    const p = c.position;
    const q = d.position;
    return c.id === d.id && !!p && !!q && p.x === q.x && p.y === q.y && p.w === q.w && p.h === q.h;
  });

/**
 * Every chart with a position: positioned charts keep theirs (made valid), the others (a layout saved
 * before positions existed, or charts another client added) follow in display order, two per row;
 * then compacted. Returns `layout` itself when it was already so.
 */
export function placeCharts(layout: DashboardLayout): DashboardLayout {
  const items: GridItem[] = layout.charts.flatMap((c) =>
    c.position ? [{ i: c.id, ...clampPosition(c.position) }] : [],
  );
  for (const c of layout.charts) {
    if (!c.position) items.push({ i: c.id, ...freeSlot(items, DEFAULT_SIZE) });
  }
  const placed = withPositions(layout, compact(items));
  return samePositions(placed, layout) ? layout : placed;
}

/**
 * The layout after the grid component reports new places (a drag or resize ended): positions taken
 * from `items` by id, made valid and compacted. Returns `layout` itself when nothing moved, so a click
 * on a header saves nothing.
 */
export function arrangeCharts(layout: DashboardLayout, items: readonly GridItem[]): DashboardLayout {
  const current = new Map(gridItems(placeCharts(layout)).map((it) => [it.i, it]));
  for (const it of items) if (current.has(it.i)) current.set(it.i, { ...it });
  const next = withPositions(layout, compact([...current.values()]));
  return samePositions(next, layout) ? layout : next;
}

export function addChart(layout: DashboardLayout, chart: NewChart): DashboardLayout {
  const placed = placeCharts(layout);
  const position = freeSlot(gridItems(placed), DEFAULT_SIZE);
  const withId = { ...chart, id: nextChartId(placed), position } as DashboardChart;
  return { ...placed, charts: [...placed.charts, withId] };
}

export function removeChart(layout: DashboardLayout, id: string): DashboardLayout {
  const kept = { ...layout, charts: layout.charts.filter((c) => c.id !== id) };
  return withPositions(kept, compact(gridItems(placeCharts(kept))));
}

/**
 * The keyboard alternative to dragging: the chart trades places (`x`, `y`; each keeps its size) with
 * the one `by` steps away in reading order (−1 earlier, +1 later), clamped to the ends; then compacted.
 * Returns `layout` itself when there is nowhere to go.
 */
export function moveChart(layout: DashboardLayout, id: string, by: number): DashboardLayout {
  const items = gridItems(placeCharts(layout));
  const from = items.findIndex((it) => it.i === id);
  if (from < 0) return layout;
  const to = Math.max(0, Math.min(items.length - 1, from + by));
  if (to === from) return layout;
  const a = items[from]!;
  const b = items[to]!;
  const swapped = items.map((it) => {
    if (it === a) return { ...a, x: b.x, y: b.y };
    if (it === b) return { ...b, x: a.x, y: a.y };
    return it;
  });
  const moved = swapped[from]!;
  const other = swapped[to]!;
  if (moved.x + moved.w > GRID.columns) moved.x = GRID.columns - moved.w;
  if (other.x + other.w > GRID.columns) other.x = GRID.columns - other.w;
  return withPositions(layout, compact(swapped));
}

/** Sizes offered to resize a chart without a mouse: columns × rows. */
export const SIZE_PRESETS = [
  { label: 'small', w: 4, h: 6 },
  { label: 'medium', w: 6, h: 8 },
  { label: 'wide', w: 12, h: 8 },
  { label: 'large', w: 8, h: 12 },
  { label: 'full', w: 12, h: 12 },
] as const;

/**
 * The keyboard alternative to dragging a corner: the chart takes `size` (no smaller than MIN_SIZE),
 * keeping its place but moved left when it would pass the grid's edge; charts it now covers move down.
 * Returns `layout` itself when the size is unchanged.
 */
export function resizeChart(
  layout: DashboardLayout,
  id: string,
  size: { w: number; h: number },
): DashboardLayout {
  const items = gridItems(placeCharts(layout));
  const item = items.find((it) => it.i === id);
  if (!item) return layout;
  const w = clampInt(size.w, MIN_SIZE.w, GRID.columns);
  const h = clampInt(size.h, MIN_SIZE.h, GRID.maxHeight);
  if (item.w === w && item.h === h) return layout;
  item.w = w;
  item.h = h;
  item.x = Math.min(item.x, GRID.columns - w);
  // The resized chart is placed first, so the ones it overlaps give way rather than it.
  const others = items.filter((it) => it !== item);
  const placed: GridItem[] = [item];
  for (const it of others.sort(readingOrder)) {
    const next = { ...it };
    while (placed.some((p) => collides(next, p))) next.y++;
    placed.push(next);
  }
  return withPositions(layout, compact(placed));
}

/** A chart's heading: `loss over steps`, `accuracy (latest)`, `params.lr vs metrics.acc`. */
export function chartTitle(chart: DashboardChart): string {
  switch (chart.kind) {
    case 'line':
      return `${chart.metric} over steps`;
    case 'bar':
      return `${chart.metric} (latest) per run`;
    case 'parallel':
      return `${chart.columns.join(', ')} → ${chart.metric}`;
    case 'scatter':
      return `${chart.y} vs ${chart.x}`;
  }
}

import type { DashboardChart, DashboardLayout } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import {
  addChart,
  arrangeCharts,
  chartTitle,
  clampPosition,
  compact,
  emptyLayout,
  freeSlot,
  gridItems,
  moveChart,
  nextChartId,
  placeCharts,
  removeChart,
  resizeChart,
} from './dashboard-layout.js';

const ids = (l: DashboardLayout) => l.charts.map((c) => c.id);
const places = (l: DashboardLayout) =>
  Object.fromEntries(l.charts.map((c) => [c.id, c.position && Object.values(c.position).join(',')]));
const bar = (id: string, position?: DashboardChart['position']): DashboardChart => ({
  id,
  kind: 'bar',
  metric: 'acc',
  ...(position ? { position } : {}),
});

describe('dashboard layout', () => {
  it('adds charts with fresh ids two per row, moves and removes them', () => {
    let l = addChart(emptyLayout(), { kind: 'line', metric: 'loss' });
    l = addChart(l, { kind: 'bar', metric: 'acc' });
    l = addChart(l, { kind: 'scatter', x: 'params.lr', y: 'metrics.acc' });
    expect(ids(l)).toEqual(['c1', 'c2', 'c3']);
    expect(places(l)).toEqual({ c1: '0,0,6,8', c2: '6,0,6,8', c3: '0,8,6,8' });
    // Earlier: c3 trades places with c2 (both 6 × 8), so it now comes before c2 in reading order.
    l = moveChart(l, 'c3', -1);
    expect(ids(l)).toEqual(['c1', 'c3', 'c2']);
    expect(places(l)).toEqual({ c1: '0,0,6,8', c3: '6,0,6,8', c2: '0,8,6,8' });
    expect(moveChart(l, 'c1', -1)).toBe(l);
    expect(moveChart(l, 'c2', 5)).toBe(l);
    expect(moveChart(l, 'nope', 1)).toBe(l);
    // Removing compacts upwards: c2 rises into the row c1 left.
    l = removeChart(l, 'c1');
    expect(ids(l)).toEqual(['c2', 'c3']);
    expect(places(l)).toEqual({ c2: '0,0,6,8', c3: '6,0,6,8' });
    expect(nextChartId(l)).toBe('c4');
    expect(l.version).toBe(1);
  });

  it('places a layout saved without positions in display order, two per row', () => {
    const old: DashboardLayout = { version: 1, filter: 'x', charts: [bar('a'), bar('b'), bar('c')] };
    const placed = placeCharts(old);
    expect(places(placed)).toEqual({ a: '0,0,6,8', b: '6,0,6,8', c: '0,8,6,8' });
    expect(placed.filter).toBe('x');
    expect(placeCharts(placed)).toBe(placed);
    // Charts another client added without a position go after the positioned ones.
    const mixed = placeCharts({
      ...old,
      charts: [bar('a', { x: 0, y: 0, w: 12, h: 4 }), bar('new'), bar('b', { x: 0, y: 4, w: 4, h: 4 })],
    });
    expect(ids(mixed)).toEqual(['a', 'b', 'new']);
    expect(places(mixed)).toEqual({ a: '0,0,12,4', b: '0,4,4,4', new: '4,4,6,8' });
  });

  it('makes positions valid and compacts overlaps and gaps', () => {
    expect(clampPosition({ x: 10, y: -2, w: 6, h: 99 })).toEqual({ x: 6, y: 0, w: 6, h: 40 });
    expect(clampPosition({ x: 0.4, y: 1.6, w: 0, h: 0 })).toEqual({ x: 0, y: 2, w: 1, h: 1 });
    const out = compact([
      { i: 'low', x: 0, y: 20, w: 6, h: 2 },
      { i: 'top', x: 0, y: 3, w: 12, h: 4 },
      { i: 'over', x: 2, y: 4, w: 4, h: 2 },
    ]);
    expect(out).toEqual([
      { i: 'top', x: 0, y: 0, w: 12, h: 4 },
      { i: 'over', x: 2, y: 4, w: 4, h: 2 },
      { i: 'low', x: 0, y: 6, w: 6, h: 2 },
    ]);
    // From the top of the last row on: beside 'low', not in the gap beside 'over' above it.
    expect(freeSlot(out, { w: 6, h: 8 })).toEqual({ x: 6, y: 6, w: 6, h: 8 });
    expect(freeSlot([], { w: 20, h: 8 })).toEqual({ x: 0, y: 0, w: 12, h: 8 });
  });

  it('takes the positions a drag or resize reported, and ignores a click that moved nothing', () => {
    const l = placeCharts({ version: 1, filter: '', charts: [bar('a'), bar('b'), bar('c')] });
    expect(arrangeCharts(l, gridItems(l))).toBe(l);
    // c dragged to the top right (b drops below it) and a resized to the full width.
    const dragged = arrangeCharts(l, [
      { i: 'c', x: 6, y: 0, w: 6, h: 8 },
      { i: 'b', x: 6, y: 8, w: 6, h: 8 },
    ]);
    expect(ids(dragged)).toEqual(['a', 'c', 'b']);
    expect(places(dragged)).toEqual({ a: '0,0,6,8', c: '6,0,6,8', b: '6,8,6,8' });
    const resized = arrangeCharts(dragged, [{ i: 'a', x: 0, y: 0, w: 12, h: 5 }]);
    expect(ids(resized)).toEqual(['a', 'c', 'b']);
    expect(places(resized)).toEqual({ a: '0,0,12,5', c: '6,5,6,8', b: '6,13,6,8' });
    // Unknown ids (a chart removed meanwhile) are ignored.
    expect(arrangeCharts(l, [{ i: 'gone', x: 0, y: 0, w: 1, h: 1 }])).toBe(l);
  });

  it('moves a chart of another size by keyboard without overlapping', () => {
    const l = placeCharts({
      version: 1,
      filter: '',
      charts: [
        bar('wide', { x: 0, y: 0, w: 12, h: 2 }),
        bar('a', { x: 0, y: 2, w: 8, h: 4 }),
        bar('b', { x: 8, y: 2, w: 4, h: 4 }),
      ],
    });
    const m = moveChart(l, 'b', -1);
    expect(ids(m)).toEqual(['wide', 'b', 'a']);
    expect(places(m)).toEqual({ wide: '0,0,12,2', b: '0,2,4,4', a: '4,2,8,4' });
    const up = moveChart(m, 'b', -1);
    expect(ids(up)[0]).toBe('b');
    const items = gridItems(up);
    expect(items.every((it, k) => items.slice(k + 1).every((o) => !overlap(it, o)))).toBe(true);
  });

  it('titles each kind', () => {
    expect(chartTitle({ id: 'a', kind: 'line', metric: 'loss' })).toBe('loss over steps');
    expect(chartTitle({ id: 'a', kind: 'bar', metric: 'acc' })).toBe('acc (latest) per run');
    expect(chartTitle({ id: 'a', kind: 'parallel', columns: ['params.lr'], metric: 'acc' })).toBe(
      'params.lr → acc',
    );
    expect(chartTitle({ id: 'a', kind: 'scatter', x: 'params.lr', y: 'metrics.acc' })).toBe(
      'metrics.acc vs params.lr',
    );
  });

  it('resizes a chart from the keyboard: the charts it covers move down, the grid edge moves it left', () => {
    let l = addChart(emptyLayout(), { kind: 'line', metric: 'loss' });
    l = addChart(l, { kind: 'bar', metric: 'acc' });
    l = addChart(l, { kind: 'scatter', x: 'params.lr', y: 'metrics.acc' });
    // c1 full width: c2 (beside it) and c3 (below it) move below it, in reading order.
    const wide = resizeChart(l, 'c1', { w: 12, h: 8 });
    expect(places(wide)).toEqual({ c1: '0,0,12,8', c2: '6,8,6,8', c3: '0,8,6,8' });
    expect(ids(wide)).toEqual(['c1', 'c3', 'c2']);
    // c2 sits at column 6: 8 columns wide would pass the edge, so it starts at column 4.
    const moved = resizeChart(l, 'c2', { w: 8, h: 4 });
    expect(places(moved).c2).toBe('4,0,8,4');
    expect(places(moved).c1).toBe('0,4,6,8');
    // No smaller than the studio's minimum; unchanged and unknown charts leave the layout as it was.
    expect(places(resizeChart(l, 'c3', { w: 1, h: 1 })).c3).toBe('0,8,3,4');
    expect(resizeChart(l, 'c1', { w: 6, h: 8 })).toBe(l);
    expect(resizeChart(l, 'nope', { w: 12, h: 8 })).toBe(l);
  });
});

const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

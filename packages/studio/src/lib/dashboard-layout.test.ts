import { describe, expect, it } from 'vitest';
import {
  addChart,
  chartTitle,
  emptyLayout,
  moveChart,
  nextChartId,
  removeChart,
} from './dashboard-layout.js';

describe('dashboard layout', () => {
  it('adds charts with fresh ids, moves and removes them', () => {
    let l = addChart(emptyLayout(), { kind: 'line', metric: 'loss' });
    l = addChart(l, { kind: 'bar', metric: 'acc' });
    l = addChart(l, { kind: 'scatter', x: 'params.lr', y: 'metrics.acc' });
    expect(l.charts.map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
    l = moveChart(l, 'c3', -1);
    expect(l.charts.map((c) => c.id)).toEqual(['c1', 'c3', 'c2']);
    expect(moveChart(l, 'c1', -1)).toBe(l);
    expect(moveChart(l, 'c2', 5)).toBe(l);
    expect(moveChart(l, 'nope', 1)).toBe(l);
    l = removeChart(l, 'c1');
    expect(l.charts.map((c) => c.id)).toEqual(['c3', 'c2']);
    expect(nextChartId(l)).toBe('c4');
    expect(l.version).toBe(1);
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
});

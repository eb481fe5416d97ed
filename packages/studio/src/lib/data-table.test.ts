import { describe, expect, it } from 'vitest';
import {
  asTablePreview,
  cellText,
  datastoreLocation,
  diffCounts,
  histogramBars,
  refreshEvery,
} from './data-table.js';

describe('histogramBars', () => {
  it('scales numeric bins to the tallest', () => {
    const bars = histogramBars({
      kind: 'bins',
      bins: [
        { lower: 0, upper: 0.5, count: 2 },
        { lower: 0.5, upper: 1, count: 4 },
      ],
    });
    expect(bars).toEqual([
      { label: '0 – 0.5', count: 2, fraction: 0.5 },
      { label: '0.5 – 1', count: 4, fraction: 1 },
    ]);
  });
  it('adds the other values last for top values', () => {
    const bars = histogramBars({
      kind: 'top-values',
      values: [
        { value: 'cat', count: 3 },
        { value: true, count: 1 },
      ],
      otherCount: 6,
    });
    expect(bars.map((b) => [b.label, b.fraction])).toEqual([
      ['cat', 0.5],
      ['true', 1 / 6],
      ['(other values)', 1],
    ]);
  });
  it('draws empty bins as zero without dividing by zero', () => {
    expect(histogramBars({ kind: 'bins', bins: [{ lower: 1, upper: 1, count: 0 }] })[0]?.fraction).toBe(0);
  });
});

describe('cells and labels', () => {
  it('formats values by kind', () => {
    expect(cellText(null)).toBe('null');
    expect(cellText(0.123456)).toBe('0.1235');
    expect(cellText('x')).toBe('x');
    expect(cellText([1, { a: 2 }])).toBe('[1,{"a":2}]');
  });
  it('summarises a diff and a refresh interval', () => {
    expect(diffCounts({ added: 3, changed: 1, removed: 0 })).toBe('+3 ~1 -0');
    expect(diffCounts(null)).toBe('');
    expect(refreshEvery(3600)).toBe('every 1 h');
    expect(refreshEvery(1800)).toBe('every 30 min');
    expect(refreshEvery(45)).toBe('every 45 s');
  });
  it('says where each kind of datastore points', () => {
    expect(datastoreLocation({ type: 'local', spec: { path: '/data/raw' } })).toBe('/data/raw');
    expect(
      datastoreLocation({
        type: 's3',
        spec: { bucket: 'b', prefix: 'in/x', endpoint_url: 'http://s3:8333', credentials: '***' },
      }),
    ).toBe('s3://b/in/x at http://s3:8333');
    expect(datastoreLocation({ type: 'http', spec: { url: 'https://e.org/d/' } })).toBe('https://e.org/d/');
  });
  it('refuses a preview body without rows', () => {
    expect(() => asTablePreview({ columns: [] })).toThrow('without columns and rows');
  });
});

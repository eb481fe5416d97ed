import type { MetricBucket } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { bucketsToXY, forLogScale, logSplits, pointsToXY, smooth, zoomRange } from './chart-data.js';

const bucket = (over: Partial<MetricBucket>): MetricBucket => ({
  stepStart: 0,
  stepEnd: 0,
  count: 1,
  min: 0,
  max: 0,
  last: 0,
  minStep: 0,
  maxStep: 0,
  ...over,
});

describe('bucketsToXY', () => {
  it('draws a one-point bucket as its point', () => {
    expect(bucketsToXY([bucket({ stepEnd: 3, last: 0.5, count: 1 })])).toEqual({ x: [3], y: [0.5] });
  });

  it('keeps a spike: min and max at their own steps, in step order', () => {
    const b = bucket({
      stepStart: 0,
      stepEnd: 999,
      count: 1000,
      min: 0.1,
      max: 50,
      minStep: 700,
      maxStep: 12,
    });
    expect(bucketsToXY([b])).toEqual({ x: [12, 700], y: [50, 0.1] });
  });

  it('turns non-finite values into gaps', () => {
    expect(
      bucketsToXY([bucket({ last: Number.NaN }), bucket({ stepEnd: 1, last: Number.POSITIVE_INFINITY })]).y,
    ).toEqual([null, null]);
  });
});

describe('pointsToXY', () => {
  const points = [
    { step: 0, value: 1, timestamp: 10_000 },
    { step: 1, value: 2, timestamp: 12_500 },
  ];
  it('plots against step or relative seconds', () => {
    expect(pointsToXY(points, 'step')).toEqual({ x: [0, 1], y: [1, 2] });
    expect(pointsToXY(points, 'time')).toEqual({ x: [0, 2.5], y: [1, 2] });
  });
});

describe('smooth', () => {
  it('leaves values alone at weight 0', () => {
    expect(smooth([1, 2, null, 3], 0)).toEqual([1, 2, null, 3]);
  });
  it('starts at the first value (debiased) and keeps gaps', () => {
    const out = smooth([10, 10, null, 10], 0.9);
    expect(out[0]).toBeCloseTo(10);
    expect(out[1]).toBeCloseTo(10);
    expect(out[2]).toBeNull();
    expect(out[3]).toBeCloseTo(10);
  });
  it('damps a spike', () => {
    const out = smooth([0, 0, 100, 0], 0.8) as number[];
    expect(out[2]).toBeLessThan(100);
    expect(out[2]).toBeGreaterThan(0);
  });
});

describe('forLogScale and zoomRange', () => {
  it('hides values a log axis cannot show', () => {
    expect(forLogScale([1, 0, -1, null, 5])).toEqual([1, null, null, null, 5]);
  });
  it('turns a zoom into whole steps within the series, or null for the whole series', () => {
    expect(zoomRange(10.4, 20.2, { first: 0, last: 100 })).toEqual({ startStep: 10, endStep: 21 });
    expect(zoomRange(-5, 200, { first: 0, last: 100 })).toBeNull();
  });
});

describe('logSplits', () => {
  it('ticks at powers of ten, adding 2 and 5 within a narrow range', () => {
    expect(logSplits(0.001, 100)).toEqual([0.001, 0.01, 0.1, 1, 10, 100]);
    expect(logSplits(0.15, 3)).toEqual([0.2, 0.5, 1, 2]);
    expect(logSplits(0, 10)).toEqual([]);
  });
});

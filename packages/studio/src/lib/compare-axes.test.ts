import { describe, expect, it } from 'vitest';
import { asNumber, axisTicks, buildAxis, niceStep, position } from './compare-axes.js';

describe('compare axes', () => {
  it('numeric when every present value is a number or numeric string', () => {
    const axis = buildAxis('params.lr', ['0.1', '0.01', null, 0.001]);
    expect(axis).toEqual({ kind: 'numeric', column: 'params.lr', min: 0.001, max: 0.1 });
    expect(position(axis, '0.1')).toBe(1);
    expect(position(axis, 0.001)).toBe(0);
    expect(position(axis, null)).toBeNull();
    expect(position(axis, 'x')).toBeNull();
  });

  it('categorical otherwise, sorted naturally and spaced evenly', () => {
    const axis = buildAxis('params.opt', ['sgd', 'adam', 'rmsprop', 'adam', null]);
    expect(axis).toEqual({
      kind: 'categorical',
      column: 'params.opt',
      categories: ['adam', 'rmsprop', 'sgd'],
    });
    expect(position(axis, 'adam')).toBe(0);
    expect(position(axis, 'rmsprop')).toBe(0.5);
    expect(position(axis, 'sgd')).toBe(1);
    expect(position(axis, 'other')).toBeNull();
    expect(buildAxis('c', ['layer10', 'layer2']).kind).toBe('categorical');
    expect(axisTicks(axis).map((t) => [t.at, t.label])).toEqual([
      [0, 'adam'],
      [0.5, 'rmsprop'],
      [1, 'sgd'],
    ]);
  });

  it('a single value sits in the middle; an empty column is categorical with nothing on it', () => {
    const one = buildAxis('m', [3, 3]);
    expect(position(one, 3)).toBe(0.5);
    expect(axisTicks(one)).toEqual([{ at: 0.5, label: '3' }]);
    expect(buildAxis('m', [null])).toEqual({ kind: 'categorical', column: 'm', categories: [] });
  });

  it('numeric ticks are round numbers inside the range', () => {
    const ticks = axisTicks({ kind: 'numeric', column: 'm', min: 0.13, max: 0.97 }, 5);
    expect(ticks.map((t) => t.label)).toEqual(['0.2', '0.4', '0.6', '0.8']);
    for (const t of ticks) expect(t.at).toBeGreaterThanOrEqual(0);
    expect(niceStep(0.21)).toBeCloseTo(0.2);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(0)).toBe(1);
    expect(asNumber(' ')).toBeNull();
    expect(asNumber('1e-3')).toBe(0.001);
    expect(asNumber(Number.POSITIVE_INFINITY)).toBeNull();
  });
});

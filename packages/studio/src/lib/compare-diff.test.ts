import type { Run } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { columnValue, compareColumns, diffRows, parseRunIds, sameValue } from './compare-diff.js';

const run = (id: string, params: Record<string, string>, metrics: Record<string, number>): Run => ({
  runId: id,
  experimentId: '1',
  runName: id,
  userId: 'u',
  status: 'FINISHED',
  startTime: 0,
  endTime: null,
  artifactUri: '',
  lifecycleStage: 'active',
  parentRunId: null,
  params,
  metrics: Object.fromEntries(
    Object.entries(metrics).map(([k, value]) => [k, { value, step: 0, timestamp: 0 }]),
  ),
  tags: {},
});

describe('compare diff', () => {
  const a = run('a', { lr: '0.1', optimizer: 'adam' }, { loss: 0.5, acc: Number.NaN });
  const b = run('b', { lr: '0.01', optimizer: 'adam', seed: '1' }, { loss: 0.5, acc: Number.NaN });

  it('marks keys whose values differ, a missing value included, and keeps NaN = NaN', () => {
    const rows = diffRows([a, b]);
    expect(rows.map((r) => [r.section, r.key, r.differs])).toEqual([
      ['params', 'lr', true],
      ['params', 'optimizer', false],
      ['params', 'seed', true],
      ['metrics', 'acc', false],
      ['metrics', 'loss', false],
    ]);
    expect(rows.find((r) => r.key === 'seed')?.values).toEqual([null, '1']);
    expect(diffRows([a, b], true).map((r) => r.key)).toEqual(['lr', 'seed']);
  });

  it('a single run differs from nothing', () => {
    expect(diffRows([a]).every((r) => !r.differs)).toBe(true);
  });

  it('reads param, metric and tag columns', () => {
    expect(columnValue(a, 'params.lr')).toBe('0.1');
    expect(columnValue(a, 'metrics.loss')).toBe(0.5);
    expect(columnValue(a, 'metrics.nope')).toBeNull();
    expect(columnValue(a, 'bogus')).toBeNull();
    expect(sameValue(1, 1)).toBe(true);
    expect(sameValue('1', 1)).toBe(false);
  });

  it('lists the columns of the runs and parses the runs query value', () => {
    expect(compareColumns([a, b])).toEqual({
      params: ['params.lr', 'params.optimizer', 'params.seed'],
      metrics: ['metrics.acc', 'metrics.loss'],
    });
    expect(parseRunIds(' a, b,,a ,c')).toEqual(['a', 'b', 'c']);
    expect(parseRunIds(null)).toEqual([]);
  });
});

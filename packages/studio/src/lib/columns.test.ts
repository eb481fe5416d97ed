import type { Run } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import {
  catalogKeys,
  cellText,
  cellValue,
  columnFromId,
  makeColumn,
  orderByClause,
  quoteKey,
  sectionsFor,
} from './columns.js';

const run = (over: Partial<Run> = {}): Run => ({
  runId: 'r1',
  experimentId: '1',
  runName: 'bold-fox',
  userId: 'ana',
  status: 'FINISHED',
  startTime: 1_000,
  endTime: 61_000,
  artifactUri: '',
  lifecycleStage: 'active',
  parentRunId: null,
  ...over,
});

describe('columns', () => {
  it('parses ids with the filter grammar prefixes and rejects unknown ones', () => {
    expect(columnFromId('metrics.val loss')).toMatchObject({
      kind: 'metric',
      key: 'val loss',
      numeric: true,
    });
    expect(columnFromId('params.lr')).toMatchObject({ kind: 'param', key: 'lr', sortable: true });
    expect(columnFromId('tags.mlflow.source.name')).toMatchObject({ kind: 'tag', key: 'mlflow.source.name' });
    expect(columnFromId('attributes.duration')).toMatchObject({ sortable: false });
    expect(columnFromId('attributes.nope')).toBeNull();
    expect(columnFromId('bogus.x')).toBeNull();
    expect(columnFromId('metrics.')).toBeNull();
  });

  it('writes order_by clauses the server parses, quoting keys that need it', () => {
    expect(quoteKey('acc')).toBe('acc');
    expect(quoteKey('val loss')).toBe('`val loss`');
    expect(orderByClause(makeColumn('metric', 'val loss'), true)).toBe('metrics.`val loss` DESC');
    expect(orderByClause(makeColumn('attribute', 'start_time'), false)).toBe('start_time ASC');
    expect(orderByClause(makeColumn('param', 'lr'), false)).toBe('params.lr ASC');
  });

  it('asks the server only for the sections the columns show', () => {
    expect(sectionsFor([makeColumn('attribute', 'status')])).toEqual([]);
    expect(
      sectionsFor([makeColumn('metric', 'a'), makeColumn('tag', 'b'), makeColumn('metric', 'c')]),
    ).toEqual(['metrics', 'tags']);
  });

  it('reads cells as values and as text', () => {
    const r = run({
      metrics: { loss: { value: 0.123456, step: 3, timestamp: 5 } },
      params: { lr: '0.01' },
      tags: { team: 'vision' },
    });
    expect(cellValue(r, makeColumn('metric', 'loss'))).toBe(0.123456);
    expect(cellText(r, makeColumn('metric', 'loss'))).toBe('0.1235');
    expect(cellText(r, makeColumn('param', 'lr'))).toBe('0.01');
    expect(cellValue(r, makeColumn('metric', 'missing'))).toBeNull();
    expect(cellText(r, makeColumn('attribute', 'duration'))).toBe('1 min 00 s');
    expect(cellText(r, makeColumn('tag', 'team'))).toBe('vision');
  });

  it('catalogs keys across runs with system tags last', () => {
    const cat = catalogKeys([
      run({ metrics: { b: { value: 1, step: 0, timestamp: 0 } }, tags: { 'mlflow.user': 'x', zeta: 'z' } }),
      run({ metrics: { a: { value: 1, step: 0, timestamp: 0 } }, params: { lr: '1' }, tags: { alpha: 'a' } }),
    ]);
    expect(cat).toEqual({ metrics: ['a', 'b'], params: ['lr'], tags: ['alpha', 'zeta', 'mlflow.user'] });
  });
});

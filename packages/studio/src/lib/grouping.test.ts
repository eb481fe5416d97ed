import type { Run } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { makeColumn } from './columns.js';
import { NO_VALUE, tableRows } from './grouping.js';

const run = (runId: string, opt?: string): Run => ({
  runId,
  experimentId: '1',
  runName: runId,
  userId: 'u',
  status: 'FINISHED',
  startTime: 0,
  endTime: 1,
  artifactUri: '',
  lifecycleStage: 'active',
  parentRunId: null,
  params: opt === undefined ? {} : { opt },
});

describe('tableRows', () => {
  const runs = [run('a', 'adam'), run('b', 'sgd'), run('c', 'adam'), run('d')];

  it('lists runs as they came when not grouped', () => {
    expect(tableRows(runs, null).map((r) => (r.type === 'run' ? r.run.runId : r.value))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('groups by first appearance, with a header counting each group', () => {
    const rows = tableRows(runs, makeColumn('param', 'opt'));
    expect(rows.map((r) => (r.type === 'run' ? r.run.runId : `[${r.value} ${r.count}]`))).toEqual([
      '[adam 2]',
      'a',
      'c',
      '[sgd 1]',
      'b',
      `[${NO_VALUE} 1]`,
      'd',
    ]);
  });

  it('hides the runs of collapsed groups', () => {
    const rows = tableRows(runs, makeColumn('param', 'opt'), new Set(['adam']));
    expect(rows[0]).toEqual({ type: 'group', value: 'adam', count: 2, collapsed: true });
    expect(rows[1]).toMatchObject({ type: 'group', value: 'sgd' });
  });
});

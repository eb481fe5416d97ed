import type { LineageLink } from '@cairn/sdk';
import { describe, expect, it } from 'vitest';
import { layoutPositions, lineageGraph, lineageRuns, type RunData } from './data-lineage.js';

const link = (runId: string, name: string, version: string, port = 'p'): LineageLink => ({
  runId,
  jobName: `job-${runId}`,
  port,
  name,
  version,
  at: 0,
});

describe('lineageGraph', () => {
  it('puts producers left, consumers right, and their other data one hop further', () => {
    const center = { name: 'clean', version: '2' };
    const runData = new Map<string, RunData>([
      ['r1', { inputs: [link('r1', 'raw', '1', 'raw')], outputs: [link('r1', 'clean', '2', 'out')] }],
      [
        'r2',
        {
          inputs: [link('r2', 'clean', '2', 'train'), link('r2', 'labels', '3', 'labels')],
          outputs: [link('r2', 'model-data', '1', 'features')],
        },
      ],
    ]);
    const graph = lineageGraph(
      center,
      { producedBy: [link('r1', 'clean', '2', 'out')], consumedBy: [link('r2', 'clean', '2', 'train')] },
      runData,
    );
    const column = Object.fromEntries(graph.nodes.map((n) => [n.id, n.column]));
    expect(column).toEqual({
      'data:clean:2': 0,
      'run:r1': -1,
      'data:raw:1': -2,
      'run:r2': 1,
      'data:labels:3': 0,
      'data:model-data:1': 2,
    });
    expect(graph.nodes.find((n) => n.id === 'data:clean:2')).toMatchObject({ center: true });
    // The centre's own edges are not repeated when the runs' data lists them again.
    expect(graph.edges.map((e) => `${e.source}->${e.target}`).sort()).toEqual([
      'data:clean:2->run:r2',
      'data:labels:3->run:r2',
      'data:raw:1->run:r1',
      'run:r1->data:clean:2',
      'run:r2->data:model-data:1',
    ]);
  });

  it('is only the centre when nothing produced or consumed it', () => {
    const graph = lineageGraph({ name: 'a', version: '1' }, { producedBy: [], consumedBy: [] }, new Map());
    expect(graph.nodes).toHaveLength(1);
    expect(graph.edges).toHaveLength(0);
  });

  it('draws a run that both read and wrote the version once', () => {
    const graph = lineageGraph(
      { name: 'a', version: '1' },
      { producedBy: [link('r', 'a', '1', 'o')], consumedBy: [link('r', 'a', '1', 'i')] },
      new Map(),
    );
    expect(graph.nodes.filter((n) => n.kind === 'run')).toHaveLength(1);
    expect(graph.edges).toHaveLength(2);
  });
});

describe('lineageRuns', () => {
  it('lists distinct runs, producers first, up to the limit', () => {
    const lineage = {
      producedBy: [link('p', 'a', '1')],
      consumedBy: [link('c1', 'a', '1'), link('p', 'a', '1'), link('c2', 'a', '1')],
    };
    expect(lineageRuns(lineage, 2)).toEqual({ runIds: ['p', 'c1'], more: 1 });
  });
});

describe('layoutPositions', () => {
  it('spaces columns and centres each column vertically', () => {
    const graph = lineageGraph(
      { name: 'a', version: '1' },
      { producedBy: [], consumedBy: [link('r1', 'a', '1'), link('r2', 'a', '1')] },
      new Map(),
    );
    const pos = layoutPositions(graph.nodes, 100, 50);
    expect(pos.get('data:a:1')).toEqual({ x: 0, y: 0 });
    expect(pos.get('run:r1')).toEqual({ x: 100, y: -25 });
    expect(pos.get('run:r2')).toEqual({ x: 100, y: 25 });
  });
});

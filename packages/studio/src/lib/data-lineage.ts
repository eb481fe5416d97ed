import type { LineageLink } from '@cairn/sdk';

/**
 * The lineage graph around one data version, laid out in columns from left (older) to right (newer):
 *
 *   -2 inputs of the runs that produced it   -1 those runs   0 the version (and its siblings)
 *   +1 the runs that consumed it            +2 what those runs produced
 *
 * Siblings in column 0 are the producers' other outputs and the consumers' other inputs. A node that
 * appears in several roles keeps its first place. Pure, so it is unit-tested without React Flow.
 */

export interface DataRef {
  name: string;
  version: string;
}

export interface RunRef {
  runId: string;
  jobName: string | null;
}

export type LineageNode =
  | { id: string; kind: 'data'; data: DataRef; column: number; row: number; center: boolean }
  | { id: string; kind: 'run'; run: RunRef; column: number; row: number };

export interface LineageEdge {
  id: string;
  source: string;
  target: string;
  /** The job's input or output name. */
  port: string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface RunData {
  inputs: LineageLink[];
  outputs: LineageLink[];
}

export const dataNodeId = (d: DataRef): string => `data:${d.name}:${d.version}`;
export const runNodeId = (runId: string): string => `run:${runId}`;

export function lineageGraph(
  center: DataRef,
  lineage: { producedBy: LineageLink[]; consumedBy: LineageLink[] },
  runData: ReadonlyMap<string, RunData>,
): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const rows = new Map<number, number>();
  const place = (column: number): { column: number; row: number } => {
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    return { column, row };
  };
  const addData = (d: DataRef, column: number): string => {
    const id = dataNodeId(d);
    if (!nodes.has(id)) {
      nodes.set(id, {
        id,
        kind: 'data',
        data: { name: d.name, version: d.version },
        ...place(column),
        center: false,
      });
    }
    return id;
  };
  const addRun = (link: LineageLink, column: number): string => {
    const id = runNodeId(link.runId);
    if (!nodes.has(id)) {
      nodes.set(id, { id, kind: 'run', run: { runId: link.runId, jobName: link.jobName }, ...place(column) });
    }
    return id;
  };
  const addEdge = (source: string, target: string, port: string) => {
    const id = `${source}->${target}:${port}`;
    if (!edges.has(id)) edges.set(id, { id, source, target, port });
  };

  const centerId = dataNodeId(center);
  nodes.set(centerId, { id: centerId, kind: 'data', data: center, ...place(0), center: true });

  for (const link of lineage.producedBy) {
    const run = addRun(link, -1);
    addEdge(run, centerId, link.port);
    const other = runData.get(link.runId);
    for (const input of other?.inputs ?? []) addEdge(addData(input, -2), run, input.port);
    for (const output of other?.outputs ?? []) addEdge(run, addData(output, 0), output.port);
  }
  for (const link of lineage.consumedBy) {
    const run = addRun(link, 1);
    addEdge(centerId, run, link.port);
    const other = runData.get(link.runId);
    for (const input of other?.inputs ?? []) addEdge(addData(input, 0), run, input.port);
    for (const output of other?.outputs ?? []) addEdge(run, addData(output, 2), output.port);
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** The distinct runs of a version's lineage, producers first, at most `limit` (the ones expanded). */
export function lineageRuns(
  lineage: { producedBy: LineageLink[]; consumedBy: LineageLink[] },
  limit: number,
): { runIds: string[]; more: number } {
  const all = [...new Set([...lineage.producedBy, ...lineage.consumedBy].map((l) => l.runId))];
  return { runIds: all.slice(0, limit), more: Math.max(0, all.length - limit) };
}

/**
 * Screen positions: columns `columnWidth` apart from left to right, each column's rows centred
 * vertically on the same line.
 */
export function layoutPositions(
  nodes: readonly LineageNode[],
  columnWidth = 260,
  rowHeight = 90,
): Map<string, { x: number; y: number }> {
  const perColumn = new Map<number, number>();
  for (const n of nodes) perColumn.set(n.column, (perColumn.get(n.column) ?? 0) + 1);
  const positions = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const count = perColumn.get(n.column) ?? 1;
    positions.set(n.id, { x: n.column * columnWidth, y: (n.row - (count - 1) / 2) * rowHeight });
  }
  return positions;
}

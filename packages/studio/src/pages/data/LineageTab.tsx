import type { DataVersion, LineageLink } from '@cairn/sdk';
import {
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { Link, useLocation } from 'wouter';
import { useDataLineage, useRunsData } from '../../api/queries-data.js';
import { QueryState } from '../../components/QueryState.js';
import { Time } from '../../components/Time.js';
import { type LineageGraph, layoutPositions, lineageGraph, lineageRuns } from '../../lib/data-lineage.js';
import { versionHref } from './DataAssetPage.js';

/** Runs whose own inputs and outputs are fetched (one request each) to draw the second hop. */
const EXPANDED_RUNS = 25;

type DataNodeData = { name: string; version: string; center: boolean };
type RunNodeData = { runId: string; jobName: string | null };
type DataFlowNode = Node<DataNodeData, 'data'>;
type RunFlowNode = Node<RunNodeData, 'run'>;

function DataNode({ data }: NodeProps<DataFlowNode>) {
  return (
    <div
      className={data.center ? 'lineage-node data center' : 'lineage-node data'}
      title="Data version: click to centre on it"
    >
      <Handle type="target" position={Position.Left} />
      <div className="ln-kind">data</div>
      <div className="ln-label">
        {data.name}:{data.version}
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

function RunNode({ data }: NodeProps<RunFlowNode>) {
  return (
    <div className="lineage-node run" title={`Run ${data.runId}: click to open it`}>
      <Handle type="target" position={Position.Left} />
      <div className="ln-kind">run</div>
      <div className="ln-label">{data.jobName ?? data.runId.slice(0, 12)}</div>
      {data.jobName && <div className="ln-sub mono">{data.runId.slice(0, 12)}</div>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { data: DataNode, run: RunNode };

function toFlow(graph: LineageGraph): { nodes: (DataFlowNode | RunFlowNode)[]; edges: Edge[] } {
  const positions = layoutPositions(graph.nodes);
  const nodes = graph.nodes.map((n): DataFlowNode | RunFlowNode => {
    const position = positions.get(n.id) ?? { x: 0, y: 0 };
    return n.kind === 'data'
      ? { id: n.id, type: 'data', position, data: { ...n.data, center: n.center }, connectable: false }
      : { id: n.id, type: 'run', position, data: n.run, connectable: false };
  });
  const edges = graph.edges.map(
    (e): Edge => ({
      id: e.id,
      source: e.source,
      target: e.target,
      label: e.port,
      markerEnd: { type: MarkerType.ArrowClosed },
    }),
  );
  return { nodes, edges };
}

/**
 * The lineage of a version: the runs that produced and consumed it and, one hop further, those runs'
 * other inputs and outputs, drawn left to right. Clicking a data version centres the graph on it;
 * clicking a run opens the run.
 */
export function LineageTab({ version }: { version: DataVersion }) {
  const lineage = useDataLineage(version.name, version.version);
  return (
    <QueryState query={lineage} what="lineage">
      {(l) => <LineageView version={version} lineage={l} />}
    </QueryState>
  );
}

function LineageView({
  version,
  lineage,
}: {
  version: DataVersion;
  lineage: { producedBy: LineageLink[]; consumedBy: LineageLink[] };
}) {
  const [, navigate] = useLocation();
  const { runIds, more } = lineageRuns(lineage, EXPANDED_RUNS);
  const runsData = useRunsData(runIds);
  const flow = useMemo(
    () => toFlow(lineageGraph({ name: version.name, version: version.version }, lineage, runsData.data)),
    [version.name, version.version, lineage, runsData.data],
  );
  return (
    <div className="lineage">
      <section className="panel">
        {lineage.producedBy.length + lineage.consumedBy.length === 0 && (
          <p className="muted">
            No run has read or written this version yet. Bind it to a job input as{' '}
            <code>
              azureml:{version.name}:{version.version}
            </code>
            .
          </p>
        )}
        <div className="lineage-graph" data-testid="lineage-graph">
          <ReactFlow
            key={`${version.name}:${version.version}`}
            nodes={flow.nodes}
            edges={flow.edges}
            nodeTypes={nodeTypes}
            fitView
            fitViewOptions={{ maxZoom: 1.2 }}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            proOptions={{ hideAttribution: true }}
            onNodeClick={(_e, node) => {
              if (node.type === 'run')
                navigate(`/runs/${encodeURIComponent((node.data as RunNodeData).runId)}`);
              else {
                const d = node.data as DataNodeData;
                if (!d.center) navigate(versionHref(d.name, d.version, 'lineage'));
              }
            }}
          >
            <Background gap={16} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        {runsData.isPending && runIds.length > 0 && (
          <div className="muted small-note">Loading the runs' other data…</div>
        )}
        {more > 0 && (
          <div className="muted small-note">
            {more} more runs are listed below but not expanded in the graph.
          </div>
        )}
      </section>
      <div className="overview">
        <LinkList title="Produced by" links={lineage.producedBy} testId="produced-by" />
        <LinkList title="Consumed by" links={lineage.consumedBy} testId="consumed-by" />
      </div>
    </div>
  );
}

function LinkList({ title, links, testId }: { title: string; links: LineageLink[]; testId: string }) {
  return (
    <section className="panel" data-testid={testId}>
      <h2>{title}</h2>
      {links.length === 0 ? (
        <p className="muted">No runs.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Run</th>
              <th>Job</th>
              <th>As</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {links.map((l) => (
              <tr key={`${l.runId}:${l.port}`}>
                <td className="mono">
                  <Link href={`/runs/${encodeURIComponent(l.runId)}`}>{l.runId.slice(0, 12)}</Link>
                </td>
                <td>{l.jobName ?? ''}</td>
                <td className="mono">{l.port}</td>
                <td>
                  <Time ms={l.at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

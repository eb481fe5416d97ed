import type { Run } from '@cairn/sdk';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { StatusBadge } from '../../components/StatusBadge.js';
import { type Column, cellText, columnWidth } from '../../lib/columns.js';
import type { TableRow } from '../../lib/grouping.js';

const ROW_HEIGHT = 28;
const SELECT_WIDTH = 32;

export interface RunsTableProps {
  rows: readonly TableRow[];
  columns: readonly Column[];
  sort: { columnId: string; descending: boolean };
  onSort: (columnId: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (runIds: string[], on: boolean) => void;
  onToggleGroup: (value: string) => void;
  /** Called when the last rows come into view, to load the next page. */
  onNearEnd: () => void;
  stale: boolean;
  /** Experiment names by id, for the Experiment column. */
  experimentNames?: ReadonlyMap<string, string>;
  /** How a group's value is shown in its header (an experiment id as its name). */
  groupLabel?: (value: string) => string;
}

/**
 * The runs as a virtualised grid: only the rows in view are in the DOM, so 10k+ runs scroll smoothly.
 * Headers sort on the server (click again to flip); a checkbox per run selects it for comparison.
 */
export function RunsTable(props: RunsTableProps) {
  const { rows, columns, sort, onSort, selected, onSelect, onToggleGroup, onNearEnd } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (lastIndex >= rows.length - 40) onNearEnd();
  }, [lastIndex, rows.length, onNearEnd]);

  const template = `${SELECT_WIDTH}px ${columns.map((c) => `${columnWidth(c)}px`).join(' ')}`;
  const width = SELECT_WIDTH + columns.reduce((sum, c) => sum + columnWidth(c), 0);
  const runIds = rows.flatMap((r) => (r.type === 'run' ? [r.run.runId] : []));
  const allSelected = runIds.length > 0 && runIds.every((id) => selected.has(id));

  return (
    <div className={props.stale ? 'runs-table stale' : 'runs-table'} ref={scroller} data-testid="runs-table">
      <div className="rt-header" style={{ gridTemplateColumns: template, width }}>
        <div className="rt-cell">
          <input
            type="checkbox"
            aria-label="Select all loaded runs"
            checked={allSelected}
            onChange={(e) => onSelect(runIds, e.target.checked)}
          />
        </div>
        {columns.map((c) => {
          const sorted = sort.columnId === c.id;
          const label = (
            <>
              <span className={`kind kind-${c.kind}`}>{c.kind === 'attribute' ? '' : c.kind[0]}</span>
              {c.label}
              {sorted && <span className="sort-mark">{sort.descending ? ' ↓' : ' ↑'}</span>}
            </>
          );
          const className = `rt-cell rt-head${c.numeric ? ' num' : ''}`;
          const sortState = sorted ? (sort.descending ? 'desc' : 'asc') : undefined;
          return c.sortable ? (
            <button
              key={c.id}
              type="button"
              className={`${className} sortable`}
              title={`${c.id}: click to sort`}
              data-column={c.id}
              data-sort={sortState}
              onClick={() => onSort(c.id)}
            >
              {label}
            </button>
          ) : (
            <div key={c.id} className={className} title={c.id} data-column={c.id}>
              {label}
            </div>
          );
        })}
      </div>
      <div className="rt-body" style={{ height: virtualizer.getTotalSize(), width }}>
        {items.map((item) => {
          const row = rows[item.index]!;
          const style = { transform: `translateY(${item.start}px)`, gridTemplateColumns: template, width };
          if (row.type === 'group') {
            return (
              <div key={`g:${row.value}`} className="rt-row rt-group" style={style}>
                <button type="button" className="link" onClick={() => onToggleGroup(row.value)}>
                  {row.collapsed ? '▸' : '▾'} {props.groupLabel ? props.groupLabel(row.value) : row.value}
                </button>
                <span className="muted">
                  {row.count} {row.count === 1 ? 'run' : 'runs'}
                </span>
              </div>
            );
          }
          return (
            <RunRow
              key={row.run.runId}
              run={row.run}
              grouped={row.grouped}
              columns={columns}
              template={template}
              width={width}
              top={item.start}
              selected={selected.has(row.run.runId)}
              onSelect={onSelect}
              experimentNames={props.experimentNames}
            />
          );
        })}
      </div>
    </div>
  );
}

/**
 * One run's row; memoised, so scrolling renders only the rows that come into view (a row's props,
 * its offset included, stay equal while it stays on screen).
 */
const RunRow = memo(function RunRow(props: {
  run: Run;
  grouped: boolean;
  columns: readonly Column[];
  template: string;
  width: number;
  top: number;
  selected: boolean;
  onSelect: (runIds: string[], on: boolean) => void;
  experimentNames: ReadonlyMap<string, string> | undefined;
}) {
  const { run, grouped, columns, selected, experimentNames } = props;
  return (
    <div
      className={selected ? 'rt-row selected' : 'rt-row'}
      style={{
        transform: `translateY(${props.top}px)`,
        gridTemplateColumns: props.template,
        width: props.width,
      }}
      data-run-id={run.runId}
    >
      <div className="rt-cell">
        <input
          type="checkbox"
          aria-label={`Select ${run.runName || run.runId}`}
          checked={selected}
          onChange={(e) => props.onSelect([run.runId], e.target.checked)}
        />
      </div>
      {columns.map((c) => (
        <div key={c.id} className={c.numeric ? 'rt-cell num' : 'rt-cell'}>
          <Cell run={run} column={c} grouped={grouped} experimentNames={experimentNames} />
        </div>
      ))}
    </div>
  );
});

function Cell({
  run,
  column,
  grouped,
  experimentNames,
}: {
  run: Run;
  column: Column;
  grouped: boolean;
  experimentNames: ReadonlyMap<string, string> | undefined;
}) {
  if (column.kind === 'attribute' && column.key === 'run_name') {
    return (
      <Link href={`/runs/${run.runId}`} className={grouped ? 'indent' : undefined} title={run.runId}>
        {run.runName || run.runId}
      </Link>
    );
  }
  if (column.kind === 'attribute' && column.key === 'status') return <StatusBadge status={run.status} />;
  if (column.kind === 'attribute' && column.key === 'experiment_id') {
    const name = experimentNames?.get(run.experimentId) ?? run.experimentId;
    return (
      <Link href={`/experiments/${run.experimentId}`} title={name}>
        {name}
      </Link>
    );
  }
  const text = cellText(run, column);
  return <span title={text}>{text}</span>;
}

import type { Dashboard, DashboardChart, DashboardColumn, DashboardLayout, Run } from '@cairn/sdk';
import { CairnApiError } from '@cairn/sdk';
import { type ReactNode, useMemo, useState } from 'react';
import ReactGridLayout, { type Layout, useContainerWidth } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import { Link, useLocation } from 'wouter';
import { useExperiment } from '../../api/queries.js';
import { useDashboardMutations, useDashboardRuns, useDashboards } from '../../api/queries-compare.js';
import { ErrorBox } from '../../components/QueryState.js';
import { compareColumns } from '../../lib/compare-diff.js';
import {
  addChart,
  arrangeCharts,
  chartTitle,
  DEFAULT_SIZE,
  GRID,
  type GridItem,
  gridItems,
  MIN_SIZE,
  moveChart,
  type NewChart,
  placeCharts,
  removeChart,
  resizeChart,
  SIZE_PRESETS,
} from '../../lib/dashboard-layout.js';
import { OverlayChart } from '../compare/OverlayChart.js';
import { BarChart, ParallelCoordinates, ScatterPlot } from '../compare/SvgCharts.js';
import '../compare/compare.css';

/**
 * An experiment's dashboards (`/experiments/:id/dashboards[/:dashboardId]`): charts the members arrange
 * over the experiment's runs (a filter picks which) on a 12-column grid, dragged by their header and
 * resized from the corner (or moved with the earlier/later buttons). Every edit is saved at once with
 * the `updatedAt` read; a dashboard someone else saved since answers CONFLICT, and the page offers to
 * reload it.
 */
export function DashboardPage({ params }: { params: Record<string, string | undefined> }) {
  const experimentId = params.experimentId ?? '';
  const dashboardId = params.dashboardId ?? null;
  const experiment = useExperiment(experimentId);
  const dashboards = useDashboards(experimentId);
  const current = dashboards.data?.find((d) => d.id === dashboardId) ?? null;

  return (
    <div className="page dashboard">
      <div className="page-head">
        <div className="breadcrumbs">
          <Link href="/">Experiments</Link>
          <span>/</span>
          <Link href={`/experiments/${experimentId}`}>{experiment.data?.name ?? experimentId}</Link>
          <span>/</span>
          <Link href={`/experiments/${experimentId}/dashboards`}>Dashboards</Link>
          <span>/</span>
        </div>
        <h1 data-testid="dashboard-name">{current?.name ?? 'Dashboards'}</h1>
        {dashboards.error ? (
          <ErrorBox title="Could not load the dashboards" error={dashboards.error} />
        ) : null}
      </div>
      {dashboardId === null ? (
        <DashboardList experimentId={experimentId} dashboards={dashboards.data ?? []} />
      ) : current ? (
        <DashboardView key={current.id} experimentId={experimentId} dashboard={current} />
      ) : dashboards.isPending ? (
        <p className="loading">Loading…</p>
      ) : (
        <p className="muted">No such dashboard (it may have been deleted).</p>
      )}
    </div>
  );
}

function DashboardList({ experimentId, dashboards }: { experimentId: string; dashboards: Dashboard[] }) {
  const [name, setName] = useState('');
  const [, navigate] = useLocation();
  const { create } = useDashboardMutations(experimentId);
  return (
    <section className="card">
      <ul data-testid="dashboard-list">
        {dashboards.map((d) => (
          <li key={d.id}>
            <Link href={`/experiments/${experimentId}/dashboards/${d.id}`}>{d.name}</Link>{' '}
            <span className="muted">
              {d.layout.charts.length} charts · by {d.updatedBy}
            </span>
          </li>
        ))}
        {dashboards.length === 0 ? <li className="muted">No dashboards yet.</li> : null}
      </ul>
      <form
        className="add-chart"
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) return;
          create.mutate(name.trim(), {
            onSuccess: (d) => navigate(`/experiments/${experimentId}/dashboards/${d.id}`),
          });
        }}
      >
        <input
          aria-label="New dashboard name"
          placeholder="Dashboard name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="primary" disabled={create.isPending || !name.trim()}>
          New dashboard
        </button>
      </form>
      {create.error ? <ErrorBox title="Could not create the dashboard" error={create.error} /> : null}
    </section>
  );
}

function DashboardView({ experimentId, dashboard }: { experimentId: string; dashboard: Dashboard }) {
  const { save, refresh, remove } = useDashboardMutations(experimentId);
  const [, navigate] = useLocation();
  // Charts saved without a position (older layouts, other clients) get one here; saved with the next edit.
  const layout = useMemo(() => placeCharts(dashboard.layout), [dashboard.layout]);
  const runs = useDashboardRuns(experimentId, layout.filter);
  const shown = runs.data ?? [];
  const columns = useMemo(() => compareColumns(shown), [shown]);
  const [filter, setFilter] = useState(layout.filter);
  const conflict = save.error instanceof CairnApiError && save.error.code === 'CONFLICT';

  const apply = (next: DashboardLayout) => {
    if (save.isPending) return;
    save.mutate({ id: dashboard.id, layout: next, updatedAt: dashboard.updatedAt });
  };

  return (
    <>
      <div className="toolbar">
        <input
          className="filter"
          aria-label="Dashboard filter"
          placeholder="Filter runs, e.g. params.optimizer = 'adam'"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') apply({ ...layout, filter });
          }}
        />
        <span className="muted" data-testid="dashboard-run-count">
          {runs.isPending ? 'Loading runs…' : `${shown.length} runs`}
        </span>
        <span className="muted" data-testid="dashboard-saved" data-saving={save.isPending}>
          {save.isPending ? 'Saving…' : `Saved · ${dashboard.updatedBy}`}
        </span>
        <button
          type="button"
          className="danger"
          disabled={remove.isPending}
          onClick={() => {
            if (!window.confirm(`Delete the dashboard '${dashboard.name}' for everyone in the workspace?`))
              return;
            remove.mutate(dashboard.id, {
              onSuccess: () => navigate(`/experiments/${experimentId}/dashboards`),
            });
          }}
        >
          Delete dashboard
        </button>
      </div>
      {runs.error ? <ErrorBox title="The filter did not apply" error={runs.error} /> : null}
      {remove.error ? <ErrorBox title="Could not delete the dashboard" error={remove.error} /> : null}
      {save.error ? (
        <div className="error-box" role="alert">
          <strong>{conflict ? 'Someone else changed this dashboard' : 'Could not save'}</strong>
          <div>{save.error.message}</div>
          {conflict ? (
            <button
              type="button"
              onClick={() => {
                save.reset();
                void refresh();
              }}
            >
              Reload
            </button>
          ) : null}
        </div>
      ) : null}
      <AddChart
        params={columns.params}
        metrics={columns.metrics}
        disabled={save.isPending}
        onAdd={(chart) => apply(addChart(layout, chart))}
      />
      <ChartGrid
        layout={layout}
        locked={save.isPending}
        // A failed save leaves the grid where the user dropped it: mount it afresh from the saved layout.
        key={save.error ? 'failed' : 'saved'}
        onArrange={(items) => {
          const next = arrangeCharts(layout, items);
          if (next !== layout) apply(next);
        }}
      >
        {(chart, i) => (
          <>
            <div className="chart-head" title="Drag to move; drag the lower right corner to resize">
              <strong>{chartTitle(chart)}</strong>
              <span className="actions">
                <button
                  type="button"
                  className="small"
                  aria-label={`Move ${chartTitle(chart)} earlier`}
                  disabled={i === 0 || save.isPending}
                  onClick={() => apply(moveChart(layout, chart.id, -1))}
                >
                  ←
                </button>
                <button
                  type="button"
                  className="small"
                  aria-label={`Move ${chartTitle(chart)} later`}
                  disabled={i === layout.charts.length - 1 || save.isPending}
                  onClick={() => apply(moveChart(layout, chart.id, 1))}
                >
                  →
                </button>
                <SizeSelect
                  chart={chart}
                  disabled={save.isPending}
                  onResize={(size) => apply(resizeChart(layout, chart.id, size))}
                />
                <button
                  type="button"
                  className="small"
                  aria-label={`Remove ${chartTitle(chart)}`}
                  disabled={save.isPending}
                  onClick={() => apply(removeChart(layout, chart.id))}
                >
                  ✕
                </button>
              </span>
            </div>
            <div className="dashboard-chart-body">
              <ChartBody chart={chart} runs={shown} />
            </div>
          </>
        )}
      </ChartGrid>
      {layout.charts.length === 0 ? <p className="muted">No charts yet: add one above.</p> : null}
    </>
  );
}

/**
 * The charts on react-grid-layout's grid (12 columns, rows of GRID.rowHeight px). The grid moves an item
 * while it is dragged; when a drag or resize ends, `onArrange` gets every item's place.
 */
function ChartGrid({
  layout,
  locked,
  onArrange,
  children,
}: {
  layout: DashboardLayout;
  locked: boolean;
  onArrange: (items: GridItem[]) => void;
  children: (chart: DashboardChart, index: number) => ReactNode;
}) {
  const { width, containerRef, mounted } = useContainerWidth();
  const items = useMemo(
    () =>
      gridItems(layout).map((it) => ({ ...it, minW: MIN_SIZE.w, minH: MIN_SIZE.h, maxH: GRID.maxHeight })),
    [layout],
  );
  const done = (placed: Layout) => onArrange(placed.map(({ i, x, y, w, h }) => ({ i, x, y, w, h })));
  return (
    <div className="dashboard-board" data-testid="dashboard-charts" ref={containerRef}>
      {mounted ? (
        <ReactGridLayout
          width={width}
          layout={items}
          gridConfig={{ cols: GRID.columns, rowHeight: GRID.rowHeight, margin: [GRID.margin, GRID.margin] }}
          dragConfig={{ enabled: !locked, handle: '.chart-head', cancel: 'button, select, input' }}
          resizeConfig={{ enabled: !locked, handles: ['se'] }}
          onDragStop={done}
          onResizeStop={done}
        >
          {layout.charts.map((chart, i) => {
            const p = chart.position;
            return (
              <section
                className="card dashboard-chart"
                key={chart.id}
                data-chart-id={chart.id}
                data-kind={chart.kind}
                data-position={p ? `${p.x},${p.y},${p.w},${p.h}` : undefined}
              >
                {children(chart, i)}
              </section>
            );
          })}
        </ReactGridLayout>
      ) : null}
    </div>
  );
}

/** The keyboard way to resize a chart: preset sizes, and the chart's own size when it is none of them. */
function SizeSelect({
  chart,
  disabled,
  onResize,
}: {
  chart: DashboardChart;
  disabled: boolean;
  onResize: (size: { w: number; h: number }) => void;
}) {
  const w = chart.position?.w ?? DEFAULT_SIZE.w;
  const h = chart.position?.h ?? DEFAULT_SIZE.h;
  const current = `${w}x${h}`;
  const preset = SIZE_PRESETS.some((p) => `${p.w}x${p.h}` === current);
  return (
    <select
      className="small"
      aria-label={`Size of ${chartTitle(chart)}`}
      title="Size: columns of 12 × rows"
      value={current}
      disabled={disabled}
      onChange={(e) => {
        const [nw, nh] = e.target.value.split('x').map(Number);
        onResize({ w: nw ?? w, h: nh ?? h });
      }}
    >
      {preset ? null : <option value={current}>{`${w} × ${h}`}</option>}
      {SIZE_PRESETS.map((p) => (
        <option key={p.label} value={`${p.w}x${p.h}`}>
          {`${p.label} (${p.w} × ${p.h})`}
        </option>
      ))}
    </select>
  );
}

function ChartBody({ chart, runs }: { chart: DashboardChart; runs: Run[] }) {
  switch (chart.kind) {
    case 'line':
      return (
        <OverlayChart
          metricKey={chart.metric}
          testId={`dashboard-line-${chart.id}`}
          height="fill"
          runs={runs
            .slice(0, chart.maxRuns ?? 10)
            .map((r) => ({ runId: r.runId, label: r.runName || r.runId }))}
        />
      );
    case 'bar':
      return <BarChart runs={runs} metric={chart.metric} />;
    case 'parallel':
      return <ParallelCoordinates runs={runs} columns={chart.columns} metric={chart.metric} />;
    case 'scatter':
      return <ScatterPlot runs={runs} x={chart.x} y={chart.y} />;
  }
}

const KINDS = [
  ['line', 'Metric over steps'],
  ['bar', 'Latest value per run'],
  ['parallel', 'Parallel coordinates'],
  ['scatter', 'Scatter'],
] as const;

function AddChart({
  params,
  metrics,
  disabled,
  onAdd,
}: {
  params: string[];
  metrics: string[];
  disabled: boolean;
  onAdd: (chart: NewChart) => void;
}) {
  const [kind, setKind] = useState<DashboardChart['kind']>('line');
  const [metric, setMetric] = useState('');
  const [x, setX] = useState('');
  const [y, setY] = useState('');
  const metricKeys = metrics.map((m) => m.slice('metrics.'.length));
  const all = [...params, ...metrics] as DashboardColumn[];
  const m = metric || metricKeys[0] || '';
  const cx = x || all[0] || '';
  const cy = y || all[all.length - 1] || '';
  const ready =
    kind === 'scatter' ? cx !== '' && cy !== '' : m !== '' && (kind !== 'parallel' || params.length > 0);
  const select = (label: string, value: string, set: (v: string) => void, options: string[]) => (
    <label className="inline">
      {label}{' '}
      <select aria-label={`Chart ${label}`} value={value} onChange={(e) => set(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  const add = () => {
    if (kind === 'scatter') onAdd({ kind, x: cx as DashboardColumn, y: cy as DashboardColumn });
    else if (kind === 'parallel')
      onAdd({ kind, metric: m, columns: params.slice(0, 8) as DashboardColumn[] });
    else onAdd({ kind, metric: m });
  };
  return (
    <section className="card add-chart" data-testid="add-chart">
      <strong>Add a chart</strong>
      <label className="inline">
        kind{' '}
        <select
          aria-label="Chart kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as DashboardChart['kind'])}
        >
          {KINDS.map(([k, text]) => (
            <option key={k} value={k}>
              {text}
            </option>
          ))}
        </select>
      </label>
      {kind === 'scatter' ? (
        <>
          {select('x', cx, setX, all)}
          {select('y', cy, setY, all)}
        </>
      ) : (
        select('metric', m, setMetric, metricKeys)
      )}
      <button type="button" className="primary" disabled={disabled || !ready} onClick={add}>
        Add chart
      </button>
    </section>
  );
}

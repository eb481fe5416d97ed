import type { Run } from '@cairn/sdk';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { useRunsByIds } from '../../api/queries-compare.js';
import { ErrorBox } from '../../components/QueryState.js';
import { compareColumns, diffRows, parseRunIds, seriesColor } from '../../lib/compare-diff.js';
import { formatNumber } from '../../lib/format.js';
import { OverlayChart } from './OverlayChart.js';
import './compare.css';
import { ParallelCoordinates, ScatterPlot } from './SvgCharts.js';

const MAX_RUNS = 50;

/**
 * Runs side by side (`/compare?runs=a,b,c`): one metric overlaid across them, a diff of params and
 * metrics with differing rows highlighted, parallel coordinates of params against a metric, and a
 * scatter of any two columns.
 */
export function ComparePage() {
  const [search, setSearch] = useSearchParams();
  const requested = useMemo(() => parseRunIds(search.get('runs')), [search]);
  // Each run is one read and one chart series: a bounded number keeps the page fast and readable.
  const ids = useMemo(() => requested.slice(0, MAX_RUNS), [requested]);
  const queries = useRunsByIds(ids);
  const runs = queries.flatMap((q) => (q.data ? [q.data] : []));
  const failed = queries.find((q) => q.error)?.error ?? null;
  const loading = queries.some((q) => q.isPending);
  const stamp = queries.map((q) => q.dataUpdatedAt).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the loaded runs change exactly when stamp does
  const loaded = useMemo(() => runs, [stamp]);
  const columns = useMemo(() => compareColumns(loaded), [loaded]);
  const metricKeys = columns.metrics.map((c) => c.slice('metrics.'.length));
  const metric = search.get('metric') ?? metricKeys[0] ?? '';
  const setParam = (key: string, value: string) =>
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      next.set(key, value);
      return next;
    });

  return (
    <div className="page compare">
      <div className="page-head">
        <div className="breadcrumbs">
          <Link href="/">Experiments</Link>
          <span>/</span>
          {loaded[0] ? <Link href={`/experiments/${loaded[0].experimentId}`}>Runs</Link> : null}
          <span>/</span>
        </div>
        <h1>Compare {ids.length} runs</h1>
        {requested.length > MAX_RUNS ? (
          <p className="muted">
            Showing the first {MAX_RUNS} of the {requested.length} selected runs.
          </p>
        ) : null}
        {failed ? <ErrorBox title="Could not load a run" error={failed} /> : null}
      </div>
      {ids.length === 0 ? (
        <p className="muted">No runs selected: tick runs in an experiment's table and press Compare.</p>
      ) : loading && loaded.length === 0 ? (
        <p className="loading">Loading runs…</p>
      ) : (
        <>
          <section className="card">
            <div className="chart-head">
              <strong>Metric</strong>
              <select
                aria-label="Overlay metric"
                value={metric}
                onChange={(e) => setParam('metric', e.target.value)}
              >
                {metricKeys.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </div>
            {metric ? (
              <OverlayChart
                testId="compare-overlay"
                metricKey={metric}
                runs={loaded.map((r) => ({ runId: r.runId, label: r.runName || r.runId }))}
              />
            ) : (
              <p className="muted">These runs logged no metrics.</p>
            )}
          </section>
          <DiffTable runs={loaded} />
          <div className="compare-grid">
            <ParallelSection runs={loaded} params={columns.params} metrics={metricKeys} />
            <ScatterSection runs={loaded} columns={[...columns.params, ...columns.metrics]} />
          </div>
        </>
      )}
    </div>
  );
}

function DiffTable({ runs }: { runs: Run[] }) {
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  const rows = useMemo(() => diffRows(runs, onlyDiffs), [runs, onlyDiffs]);
  return (
    <section className="card">
      <div className="chart-head">
        <strong>Params and metrics</strong>
        <label className="inline">
          <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.target.checked)} /> only
          differences
        </label>
      </div>
      <div className="table-scroll">
        <table className="diff-table" data-testid="diff-table">
          <thead>
            <tr>
              <th>key</th>
              {runs.map((r, i) => (
                <th key={r.runId}>
                  <span className="swatch" style={{ background: seriesColor(i) }} />
                  <Link href={`/runs/${r.runId}`}>{r.runName || r.runId}</Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={`${row.section}.${row.key}`}
                className={row.differs ? 'differs' : undefined}
                data-key={`${row.section}.${row.key}`}
                data-differs={row.differs}
              >
                <th>
                  <span className="muted">{row.section === 'params' ? 'param' : 'metric'}</span> {row.key}
                </th>
                {row.values.map((v, i) => (
                  <td key={runs[i]?.runId ?? i}>
                    {v === null ? (
                      <span className="muted">—</span>
                    ) : typeof v === 'number' ? (
                      formatNumber(v)
                    ) : (
                      v
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ParallelSection({ runs, params, metrics }: { runs: Run[]; params: string[]; metrics: string[] }) {
  const [metric, setMetric] = useState('');
  const chosen = metric || metrics[0] || '';
  return (
    <section className="card">
      <div className="chart-head">
        <strong>Parallel coordinates</strong>
        <label className="inline">
          against{' '}
          <select
            aria-label="Parallel coordinates metric"
            value={chosen}
            onChange={(e) => setMetric(e.target.value)}
          >
            {metrics.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      </div>
      {chosen ? (
        <ParallelCoordinates runs={runs} columns={params.slice(0, 12)} metric={chosen} />
      ) : (
        <p className="muted">No metric to plot against.</p>
      )}
    </section>
  );
}

function ScatterSection({ runs, columns }: { runs: Run[]; columns: string[] }) {
  const [x, setX] = useState('');
  const [y, setY] = useState('');
  const cx = x || columns[0] || '';
  const cy = y || columns[columns.length - 1] || '';
  const pick = (labelText: string, value: string, set: (v: string) => void) => (
    <label className="inline">
      {labelText}{' '}
      <select aria-label={`Scatter ${labelText}`} value={value} onChange={(e) => set(e.target.value)}>
        {columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section className="card">
      <div className="chart-head">
        <strong>Scatter</strong>
        {pick('x', cx, setX)}
        {pick('y', cy, setY)}
      </div>
      {cx && cy ? <ScatterPlot runs={runs} x={cx} y={cy} /> : <p className="muted">No columns.</p>}
    </section>
  );
}

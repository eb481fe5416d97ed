import type { SweepDetails } from '@cairn/sdk';
import { useMemo, useState } from 'react';
import uPlot from 'uplot';
import { Link } from 'wouter';
import { StatusBadge } from '../../components/StatusBadge.js';
import { UPlotChart } from '../../components/UPlotChart.js';
import { formatDuration, formatNumber } from '../../lib/format.js';
import { jobDuration } from '../../lib/job-status.js';
import {
  paramColumns,
  sortTrials,
  type TrialRow,
  type TrialSort,
  trialCounts,
  trialRows,
  trialSeries,
} from '../../lib/sweep-view.js';

const TRIAL_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
const COLORS = { finished: '#2f5bd3', stopped: '#b42318', best: '#157347' };

/** A sweep's trials: the primary metric over trials with the best so far, and the trials table. */
export function SweepTrials({ sweep }: { sweep: SweepDetails }) {
  const rows = useMemo(() => trialRows(sweep), [sweep]);
  const counts = trialCounts(rows);
  return (
    <div className="sweep">
      <section className="panel">
        <div className="section-head">
          <h2>
            {sweep.goal === 'maximize' ? 'Maximize' : 'Minimize'}{' '}
            <span className="mono">{sweep.primaryMetric}</span>
          </h2>
          <span className="muted" data-testid="trial-counts">
            {counts.total} trials · {counts.completed} completed · {counts.stoppedEarly} stopped early
            {counts.failed > 0 ? ` · ${counts.failed} failed` : ''}
            {counts.active > 0 ? ` · ${counts.active} going` : ''}
          </span>
        </div>
        <TrialChart sweep={sweep} rows={rows} />
      </section>
      <TrialTable sweep={sweep} rows={rows} />
    </div>
  );
}

function TrialChart({ sweep, rows }: { sweep: SweepDetails; rows: TrialRow[] }) {
  const series = useMemo(() => trialSeries(rows, sweep.goal), [rows, sweep.goal]);
  const data = useMemo(
    (): uPlot.AlignedData => [series.x, series.finished, series.stopped, series.bestSoFar],
    [series],
  );
  const options = useMemo(
    (): Omit<uPlot.Options, 'width' | 'height'> => ({
      scales: { x: { time: false } },
      // Trials are whole numbers: ticks at 1, 2, 5, 10, … apart, never between two trials.
      axes: [
        { label: 'trial', incrs: TRIAL_TICKS },
        { label: sweep.primaryMetric, size: 60 },
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: 'trial' },
        {
          label: 'trial value',
          stroke: COLORS.finished,
          paths: () => null,
          points: { show: true, size: 8, fill: COLORS.finished },
        },
        {
          label: 'stopped early',
          stroke: COLORS.stopped,
          paths: () => null,
          points: { show: true, size: 8, fill: COLORS.stopped },
        },
        {
          label: 'best so far',
          stroke: COLORS.best,
          width: 2,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
        },
      ],
    }),
    [sweep.primaryMetric],
  );
  const valued =
    series.finished.filter((v) => v !== null).length + series.stopped.filter((v) => v !== null).length;
  if (valued === 0) {
    return (
      <p className="muted chart-placeholder">
        No trial has logged <span className="mono">{sweep.primaryMetric}</span> yet.
      </p>
    );
  }
  return (
    <div data-testid="sweep-chart" data-points={valued}>
      <UPlotChart options={options} data={data} height={240} />
    </div>
  );
}

function TrialTable({ sweep, rows }: { sweep: SweepDetails; rows: TrialRow[] }) {
  const [sort, setSort] = useState<TrialSort>('index');
  const sorted = useMemo(() => sortTrials(rows, sort, sweep.goal), [rows, sort, sweep.goal]);
  const params = useMemo(() => paramColumns(rows), [rows]);
  const header = (label: string, by: TrialSort, className = '') => (
    <th className={`${className} sortable`} aria-sort={sort === by ? 'descending' : 'none'}>
      <button type="button" className="link" onClick={() => setSort(by)}>
        {label}
        {sort === by ? ' ▾' : ''}
      </button>
    </th>
  );
  return (
    <section className="panel table-scroll">
      <table className="grid trials" data-testid="trials-table">
        <thead>
          <tr>
            {header('#', 'index', 'num')}
            <th>Trial</th>
            <th>Status</th>
            {params.map((p) => (
              <th key={p} className="mono">
                {p}
              </th>
            ))}
            {header(sweep.primaryMetric, 'metric', 'num')}
            <th className="num">Values</th>
            <th className="num">Duration</th>
            <th>Run</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((t) => (
            <tr
              key={t.name}
              data-trial={t.name}
              className={t.isBest ? 'best' : t.stoppedEarly ? 'stopped' : undefined}
            >
              <td className="num">{t.index}</td>
              <td>
                <Link href={`/jobs/${encodeURIComponent(t.name)}`}>{t.name}</Link>
                {t.isBest && <span className="tag best-tag">best</span>}
              </td>
              <td>
                <StatusBadge status={t.status} />
                {t.earlyTerminated && (
                  <span className="tag stopped-tag" title={t.earlyTerminatedReason ?? undefined}>
                    stopped early ({t.earlyTerminated})
                  </span>
                )}
              </td>
              {params.map((p) => (
                <td key={p} className="mono">
                  {t.paramText[p] ?? ''}
                </td>
              ))}
              <td className="num">{formatNumber(t.bestValue)}</td>
              <td className="num">{t.metricCount}</td>
              <td className="num">{formatDuration(jobDuration(t))}</td>
              <td>{t.runId && <Link href={`/runs/${t.runId}`}>run</Link>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.some((r) => r.earlyTerminatedReason) && (
        <details className="small-note">
          <summary>Why trials were stopped</summary>
          <ul>
            {rows
              .filter((r) => r.earlyTerminatedReason)
              .map((r) => (
                <li key={r.name}>
                  <span className="mono">{r.name}</span>: {r.earlyTerminatedReason}
                </li>
              ))}
          </ul>
        </details>
      )}
    </section>
  );
}

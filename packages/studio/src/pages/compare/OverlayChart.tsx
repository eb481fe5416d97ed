import { useMemo } from 'react';
import type uPlot from 'uplot';
import { useMetricCharts } from '../../api/queries-compare.js';
import { UPlotChart } from '../../components/UPlotChart.js';
import { bucketsToXY } from '../../lib/chart-data.js';
import { seriesColor } from '../../lib/compare-diff.js';
import { alignSeries } from '../../lib/compare-overlay.js';
import { formatNumber } from '../../lib/format.js';

export interface OverlayRun {
  runId: string;
  label: string;
}

/**
 * One metric of several runs on one uPlot chart, a coloured line per run. Each run's series comes
 * downsampled from the server (min and max per bucket, so spikes show); a run without the metric is
 * listed as such in the legend.
 */
export function OverlayChart({
  runs,
  metricKey,
  testId,
  height,
}: {
  runs: OverlayRun[];
  metricKey: string;
  testId?: string;
  /** The plot's height in px, or 'fill' to take what the container leaves (a resizable card). */
  height?: number | 'fill';
}) {
  const ids = useMemo(() => runs.map((r) => r.runId), [runs]);
  const charts = useMetricCharts(ids, metricKey);
  const series = charts.map((c) => (c.data ? bucketsToXY(c.data.buckets) : null));
  const pending = charts.some((c) => c.isPending && c.fetchStatus !== 'idle');
  const stamp = charts.map((c) => c.dataUpdatedAt).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when any run's answer changes (stamp)
  const data = useMemo((): uPlot.AlignedData => alignSeries(series), [stamp]);
  const drawn = series.filter((s) => s && s.x.length > 0).length;

  const options = useMemo(
    (): Omit<uPlot.Options, 'width' | 'height'> => ({
      legend: { show: false },
      scales: {
        x: { time: false, range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) },
      },
      axes: [
        { label: 'step', size: 34, labelSize: 14, font: '11px system-ui', labelFont: '11px system-ui' },
        { size: 54, font: '11px system-ui', values: (_u, ticks) => ticks.map((t) => formatNumber(t)) },
      ],
      series: [
        {},
        ...runs.map((r, i) => ({
          label: r.label,
          stroke: seriesColor(i),
          width: 1.5,
          spanGaps: true,
          points: { show: false },
        })),
      ],
    }),
    [runs],
  );

  return (
    <div className="overlay-chart" data-testid={testId ?? `overlay-${metricKey}`} data-series={drawn}>
      {pending && drawn === 0 ? (
        <div className="loading chart-placeholder">Loading…</div>
      ) : (
        <UPlotChart options={options} data={data} height={height} />
      )}
      <ul className="legend">
        {runs.map((r, i) => (
          <li key={r.runId}>
            <span className="swatch" style={{ background: seriesColor(i) }} />
            {r.label}
            {charts[i]?.isError || charts[i]?.data?.totalCount === 0 ? (
              <span className="muted"> (no {metricKey})</span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

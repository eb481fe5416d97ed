import { useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { errorMessage } from '../../api/client.js';
import { useMetricChart, useMetricHistory } from '../../api/queries.js';
import { UPlotChart } from '../../components/UPlotChart.js';
import {
  bucketsToXY,
  forLogScale,
  logSplits,
  pointsToXY,
  smooth,
  type XY,
  zoomRange,
} from '../../lib/chart-data.js';
import { formatNumber } from '../../lib/format.js';

export interface ChartSettings {
  xAxis: 'step' | 'time';
  smoothing: number;
  logScale: boolean;
}

/** Series small enough to fetch whole for a time axis (one history page). */
const TIME_AXIS_LIMIT = 25_000;

/**
 * One metric of one run. Steps come downsampled from the server (min and max kept per bucket, so
 * spikes show); zooming asks the server again for just that range, so detail appears as you zoom.
 */
export function MetricChart({
  runId,
  metricKey,
  settings,
}: {
  runId: string;
  metricKey: string;
  settings: ChartSettings;
}) {
  const [range, setRange] = useState<{ startStep: number; endStep: number } | null>(null);
  const chart = useMetricChart(runId, metricKey, range);
  const total = chart.data?.totalCount ?? 0;
  const timeAxis = settings.xAxis === 'time' && total > 0 && total <= TIME_AXIS_LIMIT;
  const history = useMetricHistory(runId, metricKey, timeAxis);
  // The whole series' step span, from the unzoomed answer: zooms are clamped to it.
  const full = useRef<{ first: number; last: number } | null>(null);
  if (chart.data && range === null && !chart.isPlaceholderData && chart.data.buckets.length > 0) {
    const b = chart.data.buckets;
    full.current = { first: b[0]!.stepStart, last: b[b.length - 1]!.stepEnd };
  }

  const raw: XY | null = useMemo(() => {
    if (timeAxis) return history.data ? pointsToXY(history.data, 'time') : null;
    if (!chart.data) return null;
    return bucketsToXY(chart.data.buckets);
  }, [timeAxis, history.data, chart.data]);

  const data = useMemo((): uPlot.AlignedData => {
    if (!raw) return [[], [], []];
    const clean = settings.logScale ? forLogScale(raw.y) : raw.y;
    const smoothed = settings.smoothing > 0 ? smooth(clean, settings.smoothing) : null;
    return smoothed ? [raw.x, clean, smoothed] : [raw.x, clean, clean.map(() => null)];
  }, [raw, settings.logScale, settings.smoothing]);

  const options = useMemo(
    (): Omit<uPlot.Options, 'width' | 'height'> => ({
      legend: { show: false },
      scales: {
        // A single point gets a little room instead of uPlot's wide default span.
        x: { time: false, range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) },
        y: settings.logScale ? { distr: 3 } : {},
      },
      axes: [
        {
          label: timeAxis ? 'seconds' : 'step',
          size: 34,
          labelSize: 14,
          font: '11px system-ui',
          labelFont: '11px system-ui',
        },
        {
          size: 54,
          font: '11px system-ui',
          values: (_u, ticks) => ticks.map((t) => formatNumber(t)),
          // uPlot's default log ticks (every 1..9 × 10^k) crowd into bands; powers of ten read better.
          ...(settings.logScale
            ? { splits: (_u: uPlot, _i: number, min: number, max: number) => logSplits(min, max) }
            : {}),
        },
      ],
      series: [
        {},
        {
          label: metricKey,
          stroke: settings.smoothing > 0 ? 'rgba(47, 91, 211, 0.3)' : '#2f5bd3',
          width: 1.25,
          points: { show: (raw?.x.length ?? 0) < 60 },
        },
        { label: `${metricKey} (smoothed)`, stroke: '#2f5bd3', width: 1.75, points: { show: false } },
      ],
    }),
    [metricKey, settings.logScale, settings.smoothing, timeAxis, raw?.x.length],
  );

  const onZoom = (r: { min: number; max: number } | null) => {
    if (timeAxis) return; // the whole history is already here
    if (r === null || !full.current) setRange(null);
    else setRange(zoomRange(r.min, r.max, full.current));
  };

  return (
    <div
      className="chart-card"
      data-testid={`chart-${metricKey}`}
      data-drawn={raw?.x.length ?? 0}
      data-ymax={raw ? Math.max(...raw.y.map((v) => v ?? Number.NEGATIVE_INFINITY)) : ''}
    >
      <div className="chart-head">
        <strong>{metricKey}</strong>
        <span className="muted">
          {chart.data
            ? `${chart.data.totalCount.toLocaleString()} point${chart.data.totalCount === 1 ? '' : 's'}`
            : ''}
          {chart.data && chart.data.level >= 0 ? ' · downsampled' : ''}
          {range ? ` · steps ${range.startStep}–${range.endStep}` : ''}
        </span>
        {range && (
          <button type="button" className="small" onClick={() => setRange(null)}>
            Reset zoom
          </button>
        )}
      </div>
      {settings.xAxis === 'time' && total > TIME_AXIS_LIMIT && (
        <div className="muted small-note">Over {TIME_AXIS_LIMIT.toLocaleString()} points: shown by step.</div>
      )}
      {chart.error ? (
        <div className="error-box">{errorMessage(chart.error)}</div>
      ) : raw === null ? (
        <div className="loading chart-placeholder">Loading…</div>
      ) : (
        <UPlotChart options={options} data={data} onZoom={onZoom} />
      )}
    </div>
  );
}

import type { Run } from '@cairn/sdk';
import { useMemo } from 'react';
import { type Axis, axisTicks, buildAxis, position } from '../../lib/compare-axes.js';
import { columnValue, seriesColor } from '../../lib/compare-diff.js';
import { formatNumber } from '../../lib/format.js';

/**
 * Hand-written SVG charts over runs' columns (`params.*`, `metrics.*`): parallel coordinates, a scatter
 * of two columns, bars of a metric's latest value. Axes are numeric or categorical (lib/compare-axes).
 */
const label = (run: Run) => run.runName || run.runId.slice(0, 8);

/** Colour along a metric axis: low values blue, high values orange. */
function ramp(t: number | null): string {
  if (t === null) return '#adb5bd';
  const h = 220 - 190 * t;
  return `hsl(${h}, 70%, 45%)`;
}

export function ParallelCoordinates({
  runs,
  columns,
  metric,
  height = 300,
}: {
  runs: readonly Run[];
  columns: readonly string[];
  metric: string;
  height?: number;
}) {
  const all = useMemo(
    () => [...columns.filter((c) => c !== `metrics.${metric}`), `metrics.${metric}`],
    [columns, metric],
  );
  const axes = useMemo(
    () =>
      all.map((c) =>
        buildAxis(
          c,
          runs.map((r) => columnValue(r, c)),
        ),
      ),
    [all, runs],
  );
  const width = Math.max(360, all.length * 150);
  const pad = { top: 28, bottom: 24, left: 60, right: 60 };
  const xAt = (i: number) =>
    pad.left + (all.length === 1 ? 0 : (i * (width - pad.left - pad.right)) / (all.length - 1));
  const yAt = (p: number) => pad.top + (1 - p) * (height - pad.top - pad.bottom);
  const metricAxis = axes[axes.length - 1]!;
  return (
    <svg
      className="svg-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Parallel coordinates against ${metric}`}
      data-testid="parallel-coordinates"
      data-lines={runs.length}
    >
      {runs.map((run) => {
        const points = axes.map((a, i) => {
          const p = position(a, columnValue(run, a.column));
          return p === null ? null : `${xAt(i)},${yAt(p)}`;
        });
        const color = ramp(position(metricAxis, columnValue(run, metricAxis.column)));
        return (
          <polyline
            key={run.runId}
            points={points.filter(Boolean).join(' ')}
            fill="none"
            stroke={color}
            strokeOpacity={0.7}
            strokeWidth={1.5}
          >
            <title>{label(run)}</title>
          </polyline>
        );
      })}
      {axes.map((a, i) => (
        <AxisLine key={a.column} axis={a} x={xAt(i)} yAt={yAt} top={pad.top} bottom={height - pad.bottom} />
      ))}
    </svg>
  );
}

function AxisLine({
  axis,
  x,
  yAt,
  top,
  bottom,
}: {
  axis: Axis;
  x: number;
  yAt: (p: number) => number;
  top: number;
  bottom: number;
}) {
  return (
    <g className="pc-axis">
      <line x1={x} x2={x} y1={top} y2={bottom} stroke="#495057" />
      <text x={x} y={top - 10} textAnchor="middle" className="axis-title">
        {axis.column}
      </text>
      {axisTicks(axis)
        .slice(0, 12)
        .map((t) => (
          <g key={`${t.at}-${t.label}`}>
            <line x1={x - 3} x2={x} y1={yAt(t.at)} y2={yAt(t.at)} stroke="#495057" />
            <text x={x - 5} y={yAt(t.at) + 3} textAnchor="end" className="tick">
              {t.label.length > 12 ? `${t.label.slice(0, 11)}…` : t.label}
            </text>
          </g>
        ))}
    </g>
  );
}

export function ScatterPlot({
  runs,
  x,
  y,
  height = 300,
}: {
  runs: readonly Run[];
  x: string;
  y: string;
  height?: number;
}) {
  const xAxis = useMemo(
    () =>
      buildAxis(
        x,
        runs.map((r) => columnValue(r, x)),
      ),
    [runs, x],
  );
  const yAxis = useMemo(
    () =>
      buildAxis(
        y,
        runs.map((r) => columnValue(r, y)),
      ),
    [runs, y],
  );
  const width = 520;
  const pad = { top: 16, bottom: 40, left: 70, right: 20 };
  // Points keep a little room from the axes, so one at an end is not drawn on the axis line.
  const inset = (p: number) => 0.04 + 0.92 * p;
  const px = (p: number) => pad.left + inset(p) * (width - pad.left - pad.right);
  const py = (p: number) => pad.top + (1 - inset(p)) * (height - pad.top - pad.bottom);
  const points = runs.flatMap((r, i) => {
    const a = position(xAxis, columnValue(r, x));
    const b = position(yAxis, columnValue(r, y));
    return a === null || b === null ? [] : [{ run: r, i, cx: px(a), cy: py(b) }];
  });
  return (
    <svg
      className="svg-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${y} against ${x}`}
      data-testid="scatter"
      data-points={points.length}
    >
      <line
        x1={pad.left}
        x2={width - pad.right}
        y1={height - pad.bottom}
        y2={height - pad.bottom}
        stroke="#495057"
      />
      <line x1={pad.left} x2={pad.left} y1={pad.top} y2={height - pad.bottom} stroke="#495057" />
      {axisTicks(xAxis)
        .slice(0, 12)
        .map((t) => (
          <text
            key={`x${t.label}`}
            x={px(t.at)}
            y={height - pad.bottom + 14}
            textAnchor="middle"
            className="tick"
          >
            {t.label}
          </text>
        ))}
      {axisTicks(yAxis)
        .slice(0, 12)
        .map((t) => (
          <text key={`y${t.label}`} x={pad.left - 5} y={py(t.at) + 3} textAnchor="end" className="tick">
            {t.label}
          </text>
        ))}
      <text x={(pad.left + width - pad.right) / 2} y={height - 6} textAnchor="middle" className="axis-title">
        {x}
      </text>
      <text
        x={14}
        y={(pad.top + height - pad.bottom) / 2}
        textAnchor="middle"
        transform={`rotate(-90 14 ${(pad.top + height - pad.bottom) / 2})`}
        className="axis-title"
      >
        {y}
      </text>
      {points.map((p) => (
        <circle key={p.run.runId} cx={p.cx} cy={p.cy} r={4.5} fill={seriesColor(p.i)} fillOpacity={0.8}>
          <title>{`${label(p.run)}: ${String(columnValue(p.run, x))}, ${String(columnValue(p.run, y))}`}</title>
        </circle>
      ))}
    </svg>
  );
}

export function BarChart({ runs, metric }: { runs: readonly Run[]; metric: string }) {
  const rows = runs
    .map((r) => ({ run: r, value: r.metrics?.[metric]?.value ?? null }))
    .filter((r): r is { run: Run; value: number } => r.value !== null && Number.isFinite(r.value))
    .slice(0, 50);
  const max = Math.max(0, ...rows.map((r) => r.value));
  const min = Math.min(0, ...rows.map((r) => r.value));
  const span = max - min || 1;
  const rowH = 18;
  const width = 520;
  const left = 130;
  const right = 60;
  const x = (v: number) => left + ((v - min) / span) * (width - left - right);
  return (
    <svg
      className="svg-chart"
      viewBox={`0 0 ${width} ${Math.max(40, rows.length * rowH + 10)}`}
      // In a box taller than its bars (a dashboard cell), the bars start at the top.
      preserveAspectRatio="xMidYMin meet"
      role="img"
      aria-label={`${metric} per run`}
      data-testid="bar-chart"
      data-bars={rows.length}
    >
      {rows.map((r, i) => (
        <g key={r.run.runId}>
          <text x={left - 6} y={i * rowH + 17} textAnchor="end" className="tick">
            {label(r.run).slice(0, 20)}
          </text>
          <rect
            x={Math.min(x(0), x(r.value))}
            y={i * rowH + 6}
            width={Math.max(1, Math.abs(x(r.value) - x(0)))}
            height={rowH - 5}
            fill={seriesColor(0)}
          />
          <text x={Math.max(x(0), x(r.value)) + 4} y={i * rowH + 17} className="tick">
            {formatNumber(r.value)}
          </text>
        </g>
      ))}
      {rows.length === 0 ? (
        <text x={10} y={24} className="tick">
          No run has {metric}
        </text>
      ) : null}
    </svg>
  );
}

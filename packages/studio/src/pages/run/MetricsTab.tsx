import type { Run } from '@cairn/sdk';
import { useState } from 'react';
import { useSearchParams } from 'wouter';
import { type ChartSettings, MetricChart } from './MetricChart.js';

/** A chart per metric with shared settings: x-axis, smoothing, log scale; a search narrows the metrics. */
export function MetricsTab({ run }: { run: Run }) {
  const [search] = useSearchParams();
  const [query, setQuery] = useState(search.get('focus') ?? '');
  // Charts fetch as they mount; a run with hundreds of metrics shows them a screenful at a time.
  const [limit, setLimit] = useState(24);
  const [settings, setSettings] = useState<ChartSettings>({ xAxis: 'step', smoothing: 0, logScale: false });
  const keys = Object.keys(run.metrics ?? {})
    .filter((k) => query === '' || k.toLowerCase().includes(query.toLowerCase()))
    .sort((a, b) => a.localeCompare(b));
  return (
    <div className="metrics-tab">
      <div className="toolbar chart-controls">
        <input
          type="search"
          placeholder="Find a metric"
          aria-label="Find a metric"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <label className="inline">
          X axis
          <select
            aria-label="X axis"
            value={settings.xAxis}
            onChange={(e) => setSettings({ ...settings, xAxis: e.target.value as ChartSettings['xAxis'] })}
          >
            <option value="step">step</option>
            <option value="time">time</option>
          </select>
        </label>
        <label className="inline">
          Smoothing
          <input
            type="range"
            aria-label="Smoothing"
            min={0}
            max={0.99}
            step={0.01}
            value={settings.smoothing}
            onChange={(e) => setSettings({ ...settings, smoothing: Number(e.target.value) })}
          />
          <span className="mono">{settings.smoothing.toFixed(2)}</span>
        </label>
        <label className="inline">
          <input
            type="checkbox"
            aria-label="Log scale"
            checked={settings.logScale}
            onChange={(e) => setSettings({ ...settings, logScale: e.target.checked })}
          />
          Log scale
        </label>
        <span className="muted">Drag to zoom, double-click to reset.</span>
      </div>
      {keys.length === 0 ? (
        <p className="muted">{query ? 'No metric matches.' : 'This run has no metrics.'}</p>
      ) : (
        <div className="chart-grid">
          {keys.slice(0, limit).map((k) => (
            <MetricChart key={k} runId={run.runId} metricKey={k} settings={settings} />
          ))}
        </div>
      )}
      {keys.length > limit && (
        <button type="button" onClick={() => setLimit(limit + 24)}>
          Show more ({keys.length - limit} more metrics)
        </button>
      )}
    </div>
  );
}

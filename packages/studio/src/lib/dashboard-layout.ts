import type { DashboardChart, DashboardLayout } from '@cairn/sdk';

/** Editing a dashboard's layout (version 1) without React: add, remove and move charts, describe one. */
export const emptyLayout = (): DashboardLayout => ({ version: 1, filter: '', charts: [] });

/** An id no chart of the layout has (`c1`, `c2`, …). */
export function nextChartId(layout: DashboardLayout): string {
  const taken = new Set(layout.charts.map((c) => c.id));
  let i = layout.charts.length + 1;
  while (taken.has(`c${i}`)) i++;
  return `c${i}`;
}

/** A chart before it has an id (each kind of the union without `id`). */
export type NewChart = DashboardChart extends infer C
  ? C extends DashboardChart
    ? Omit<C, 'id'>
    : never
  : never;

export function addChart(layout: DashboardLayout, chart: NewChart): DashboardLayout {
  const withId = { ...chart, id: nextChartId(layout) } as DashboardChart;
  return { ...layout, charts: [...layout.charts, withId] };
}

export function removeChart(layout: DashboardLayout, id: string): DashboardLayout {
  return { ...layout, charts: layout.charts.filter((c) => c.id !== id) };
}

/** Moves a chart `by` places (−1 earlier, +1 later), clamped to the ends. */
export function moveChart(layout: DashboardLayout, id: string, by: number): DashboardLayout {
  const from = layout.charts.findIndex((c) => c.id === id);
  if (from < 0) return layout;
  const to = Math.max(0, Math.min(layout.charts.length - 1, from + by));
  if (to === from) return layout;
  const charts = [...layout.charts];
  const [moved] = charts.splice(from, 1);
  charts.splice(to, 0, moved!);
  return { ...layout, charts };
}

/** A chart's heading: `loss over steps`, `accuracy (latest)`, `params.lr vs metrics.acc`. */
export function chartTitle(chart: DashboardChart): string {
  switch (chart.kind) {
    case 'line':
      return `${chart.metric} over steps`;
    case 'bar':
      return `${chart.metric} (latest) per run`;
    case 'parallel':
      return `${chart.columns.join(', ')} → ${chart.metric}`;
    case 'scatter':
      return `${chart.y} vs ${chart.x}`;
  }
}

import type { Transport } from './transport.js';

/** A column of a run a chart reads: `params.<key>` or `metrics.<key>` (the metric's latest value). */
export type DashboardColumn = `params.${string}` | `metrics.${string}`;

/**
 * Where a chart sits on the dashboard's grid, in grid units: 12 columns (`x + w <= 12`, `w` 1-12) and
 * rows of the studio's row height (`h` 1-40).
 */
export interface DashboardChartPosition {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * One chart on a dashboard (layout version 1). `position` is optional: a chart saved without one is
 * placed by the studio after the positioned ones, in display order, two per row.
 */
export type DashboardChart =
  /** A metric's history, one line per run (the first `maxRuns` runs the filter selects). */
  | { id: string; position?: DashboardChartPosition; kind: 'line'; metric: string; maxRuns?: number }
  /** The metric's latest value per run. */
  | { id: string; position?: DashboardChartPosition; kind: 'bar'; metric: string }
  /** Parallel coordinates of `columns` against a metric. */
  | {
      id: string;
      position?: DashboardChartPosition;
      kind: 'parallel';
      columns: DashboardColumn[];
      metric: string;
    }
  | {
      id: string;
      position?: DashboardChartPosition;
      kind: 'scatter';
      x: DashboardColumn;
      y: DashboardColumn;
    };

export interface DashboardLayout {
  version: 1;
  /** MLflow run filter grammar; '' for all runs. */
  filter: string;
  /** In display (reading) order: by position, top to bottom then left to right. */
  charts: DashboardChart[];
}

export interface Dashboard {
  id: string;
  experimentId: string;
  name: string;
  layout: DashboardLayout;
  createdBy: string;
  createdAt: number;
  /** Pass it back on update: a dashboard changed since answers CONFLICT. */
  updatedAt: number;
  updatedBy: string;
}

/** Dashboards on experiments of one workspace, shared by its members. */
export class DashboardsApi {
  readonly #t: Transport;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#base = `/api/v1/workspaces/${encodeURIComponent(workspace)}/experiments`;
  }

  #path(experimentId: string, dashboardId?: string): string {
    const base = `${this.#base}/${encodeURIComponent(experimentId)}/dashboards`;
    return dashboardId === undefined ? base : `${base}/${encodeURIComponent(dashboardId)}`;
  }

  async list(experimentId: string): Promise<Dashboard[]> {
    return (await this.#t.json<{ dashboards: Dashboard[] }>('GET', this.#path(experimentId))).dashboards;
  }

  async get(experimentId: string, dashboardId: string): Promise<Dashboard> {
    return (await this.#t.json<{ dashboard: Dashboard }>('GET', this.#path(experimentId, dashboardId)))
      .dashboard;
  }

  async create(
    experimentId: string,
    request: { name: string; layout: DashboardLayout; message?: string },
  ): Promise<Dashboard> {
    return (await this.#t.json<{ dashboard: Dashboard }>('POST', this.#path(experimentId), { body: request }))
      .dashboard;
  }

  /** Replaces the layout (and name); `updatedAt` is the value read, CONFLICT when it changed since. */
  async update(
    experimentId: string,
    dashboardId: string,
    request: { name?: string; layout: DashboardLayout; updatedAt: number; message?: string },
  ): Promise<Dashboard> {
    return (
      await this.#t.json<{ dashboard: Dashboard }>('PUT', this.#path(experimentId, dashboardId), {
        body: request,
      })
    ).dashboard;
  }

  async delete(experimentId: string, dashboardId: string, options: { message?: string } = {}): Promise<void> {
    await this.#t.json('DELETE', this.#path(experimentId, dashboardId), {
      headers: options.message ? { 'x-cairn-message': options.message } : {},
    });
  }
}

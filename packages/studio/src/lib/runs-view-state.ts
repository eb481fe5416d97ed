import { type Column, columnFromId, DEFAULT_COLUMN_IDS, orderByClause } from './columns.js';

/**
 * What the runs table shows, kept in the URL so a view can be shared and survives a reload:
 *   ?filter=metrics.acc > 0.9&sort=metrics.acc:desc&cols=attributes.run_name,metrics.acc&group=params.opt
 * Absent parameters mean the defaults (newest first, the default columns, no grouping).
 */
export interface RunsViewState {
  filter: string;
  sort: { columnId: string; descending: boolean };
  columnIds: string[];
  groupBy: string | null;
}

export const DEFAULT_SORT = { columnId: 'attributes.start_time', descending: true } as const;

export function defaultRunsView(): RunsViewState {
  return { filter: '', sort: { ...DEFAULT_SORT }, columnIds: [...DEFAULT_COLUMN_IDS], groupBy: null };
}

export function parseRunsView(search: URLSearchParams): RunsViewState {
  const view = defaultRunsView();
  view.filter = search.get('filter') ?? '';
  const sort = search.get('sort');
  if (sort) {
    const colon = sort.lastIndexOf(':');
    const columnId = colon > 0 ? sort.slice(0, colon) : sort;
    const column = columnFromId(columnId);
    if (column?.sortable) view.sort = { columnId, descending: sort.slice(colon + 1) !== 'asc' };
  }
  const cols = search.get('cols');
  if (cols !== null) {
    const ids = cols.split(',').filter((id) => columnFromId(id) !== null);
    view.columnIds = [...new Set(ids)];
  }
  const group = search.get('group');
  if (group && columnFromId(group)) view.groupBy = group;
  return view;
}

/** The query string for a view (without `?`), leaving out whatever equals the default. */
export function formatRunsView(view: RunsViewState): string {
  const out = new URLSearchParams();
  if (view.filter.trim() !== '') out.set('filter', view.filter);
  if (view.sort.columnId !== DEFAULT_SORT.columnId || view.sort.descending !== DEFAULT_SORT.descending) {
    out.set('sort', `${view.sort.columnId}:${view.sort.descending ? 'desc' : 'asc'}`);
  }
  if (view.columnIds.join(',') !== DEFAULT_COLUMN_IDS.join(',')) out.set('cols', view.columnIds.join(','));
  if (view.groupBy) out.set('group', view.groupBy);
  return out.toString();
}

export function viewColumns(view: RunsViewState): Column[] {
  return view.columnIds.map(columnFromId).filter((c): c is Column => c !== null);
}

/** The server's `orderBy` for the view; ties fall back to the server's own order (start time, id). */
export function viewOrderBy(view: RunsViewState): string[] {
  const column = columnFromId(view.sort.columnId);
  return column?.sortable ? [orderByClause(column, view.sort.descending)] : [];
}

/** Clicking a header: a new column sorts descending first (best metric first), the same one flips. */
export function toggleSort(view: RunsViewState, columnId: string): RunsViewState {
  const descending = view.sort.columnId === columnId ? !view.sort.descending : true;
  return { ...view, sort: { columnId, descending } };
}

export function addColumn(view: RunsViewState, columnId: string): RunsViewState {
  if (view.columnIds.includes(columnId) || columnFromId(columnId) === null) return view;
  return { ...view, columnIds: [...view.columnIds, columnId] };
}

export function removeColumn(view: RunsViewState, columnId: string): RunsViewState {
  return { ...view, columnIds: view.columnIds.filter((id) => id !== columnId) };
}

export const EXPERIMENT_COLUMN_ID = 'attributes.experiment_id';

/**
 * Which experiments a runs table shows, from its route segment: one id, or several joined by commas
 * (`/experiments/1,4`), each once, in the order given.
 */
export function parseExperimentIds(segment: string): string[] {
  return [
    ...new Set(
      segment
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
}

/**
 * A table over several experiments shows which experiment each run is in: with the default columns, the
 * Experiment column comes after the run's name. A view whose columns the user chose is left as it is.
 */
export function withExperimentColumn(view: RunsViewState): RunsViewState {
  if (view.columnIds.join(',') !== DEFAULT_COLUMN_IDS.join(',')) return view;
  const [first, ...rest] = view.columnIds;
  return { ...view, columnIds: [first ?? 'attributes.run_name', EXPERIMENT_COLUMN_ID, ...rest] };
}

import type { Run } from '@cairn/sdk';
import { useCallback, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useExperiment, useExperiments, useRunKeySample, useRunsTable } from '../../api/queries.js';
import { ErrorBox } from '../../components/QueryState.js';
import { catalogKeys, columnFromId, sectionsFor } from '../../lib/columns.js';
import { tableRows } from '../../lib/grouping.js';
import {
  addColumn,
  EXPERIMENT_COLUMN_ID,
  parseExperimentIds,
  removeColumn,
  toggleSort,
  viewColumns,
  viewOrderBy,
  withExperimentColumn,
} from '../../lib/runs-view-state.js';
import { ColumnPicker } from './ColumnPicker.js';
import { FilterBox } from './FilterBox.js';
import { RunsTable } from './RunsTable.js';
import { useRunsView } from './use-runs-view.js';

/**
 * An experiment's runs, or several experiments' (`/experiments/1,4`, with an Experiment column): a
 * virtualised table whose columns, sort, filter and grouping live in the URL, loading pages from the
 * server as the user scrolls; selected runs go to the compare page.
 */
export function ExperimentPage({ params }: { params: Record<string, string | undefined> }) {
  const experimentIds = useMemo(() => parseExperimentIds(params.experimentId ?? ''), [params.experimentId]);
  const multi = experimentIds.length > 1;
  const experimentId = experimentIds[0] ?? '';
  const experiment = useExperiment(experimentId);
  const [view, setView] = useRunsView();
  const [, navigate] = useLocation();
  // Column edits start from the columns shown (with the Experiment column, over several experiments).
  const shownView = useMemo(() => (multi ? withExperimentColumn(view) : view), [multi, view]);
  // Experiment names, only where the Experiment column or grouping shows them.
  const allExperiments = useExperiments({
    enabled:
      multi || shownView.columnIds.includes(EXPERIMENT_COLUMN_ID) || view.groupBy === EXPERIMENT_COLUMN_ID,
  });
  const experimentNames = useMemo(
    () => new Map(allExperiments.data?.map((e) => [e.experimentId, e.name])),
    [allExperiments.data],
  );
  const columns = useMemo(() => viewColumns(shownView), [shownView]);
  const groupColumn = view.groupBy ? columnFromId(view.groupBy) : null;
  const include = useMemo(
    () => sectionsFor(groupColumn ? [...columns, groupColumn] : columns),
    [columns, groupColumn],
  );
  const runs = useRunsTable({
    experimentIds,
    filter: view.filter,
    orderBy: viewOrderBy(view),
    include,
  });
  const sample = useRunKeySample(experimentIds);

  // While a new query loads or after it failed, keep showing the last good rows (dimmed).
  const lastGood = useRef<Run[]>([]);
  const loaded = useMemo(() => runs.data?.pages.flatMap((p) => p.runs), [runs.data]);
  if (loaded && !runs.isError) lastGood.current = loaded;
  const shown = loaded && !runs.isError ? loaded : lastGood.current;

  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => tableRows(shown, groupColumn, collapsed), [shown, groupColumn, collapsed]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const catalog = useMemo(() => catalogKeys([...(sample.data ?? []), ...shown]), [sample.data, shown]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = runs;
  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const select = useCallback((ids: string[], on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      return next;
    });
  }, []);
  const groupOptions = [
    ...catalog.params.map((k) => `params.${k}`),
    ...catalog.tags.map((k) => `tags.${k}`),
    'attributes.status',
    'attributes.user_id',
    ...(multi ? [EXPERIMENT_COLUMN_ID] : []),
  ];
  const groupLabel = useCallback(
    (value: string) =>
      view.groupBy === EXPERIMENT_COLUMN_ID ? (experimentNames.get(value) ?? value) : value,
    [view.groupBy, experimentNames],
  );

  return (
    <div className="page fill experiment">
      <div className="page-head">
        <div className="breadcrumbs">
          <Link href="/">Experiments</Link>
          <span>/</span>
        </div>
        {multi ? (
          <h1 data-testid="experiment-name">
            Runs of {experimentIds.length} experiments:{' '}
            {experimentIds.map((id, i) => (
              <span key={id}>
                {i > 0 ? ', ' : ''}
                <Link href={`/experiments/${id}`}>{experimentNames.get(id) ?? id}</Link>
              </span>
            ))}
          </h1>
        ) : (
          <>
            <h1 data-testid="experiment-name">{experiment.data?.name ?? experimentId}</h1>
            <Link href={`/experiments/${experimentId}/dashboards`}>Dashboards</Link>
          </>
        )}
        {experiment.error ? (
          <ErrorBox title="Could not load the experiment" error={experiment.error} />
        ) : null}
      </div>
      <div className="toolbar">
        <FilterBox
          value={view.filter}
          onApply={(filter) => setView({ ...view, filter })}
          error={runs.isError ? runs.error : null}
        />
        <ColumnPicker
          catalog={catalog}
          selected={shownView.columnIds}
          onToggle={(id, on) => setView(on ? addColumn(shownView, id) : removeColumn(shownView, id))}
        />
        <label className="inline">
          Group by{' '}
          <select
            aria-label="Group by"
            value={view.groupBy ?? ''}
            onChange={(e) => {
              setCollapsed(new Set());
              setView({ ...view, groupBy: e.target.value || null });
            }}
          >
            <option value="">none</option>
            {groupOptions.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="primary"
          disabled={selected.size < 1}
          onClick={() => navigate(`/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`)}
        >
          Compare {selected.size > 0 ? `(${selected.size})` : ''}
        </button>
        <span className="muted count" data-testid="run-count">
          {runs.isPending && shown.length === 0
            ? 'Loading runs…'
            : `${shown.length}${hasNextPage ? '+' : ''} runs${isFetchingNextPage ? ' (loading more…)' : ''}`}
        </span>
      </div>
      {!runs.isPending && shown.length === 0 && !runs.isError ? (
        <p className="muted">
          {view.filter
            ? 'No runs match this filter.'
            : multi
              ? 'These experiments have no runs yet.'
              : 'This experiment has no runs yet.'}
        </p>
      ) : (
        <RunsTable
          rows={rows}
          columns={columns}
          sort={view.sort}
          onSort={(id) => setView(toggleSort(view, id))}
          selected={selected}
          onSelect={select}
          onToggleGroup={(value) => {
            const next = new Set(collapsed);
            next.has(value) ? next.delete(value) : next.add(value);
            setCollapsed(next);
          }}
          onNearEnd={onNearEnd}
          stale={runs.isPlaceholderData || runs.isError}
          experimentNames={experimentNames}
          groupLabel={groupLabel}
        />
      )}
    </div>
  );
}

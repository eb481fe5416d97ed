import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'wouter';
import { formatRunsView, parseRunsView, type RunsViewState } from '../../lib/runs-view-state.js';

/** The runs table's view (filter, sort, columns, grouping) read from and written to the query string. */
export function useRunsView(): [RunsViewState, (next: RunsViewState) => void] {
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const view = useMemo(() => parseRunsView(new URLSearchParams(search)), [search]);
  const setView = useCallback(
    (next: RunsViewState) => {
      setParams(formatRunsView(next), { replace: true });
    },
    [setParams],
  );
  return [view, setView];
}

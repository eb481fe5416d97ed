import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMN_IDS } from './columns.js';
import {
  addColumn,
  defaultRunsView,
  EXPERIMENT_COLUMN_ID,
  formatRunsView,
  parseExperimentIds,
  parseRunsView,
  removeColumn,
  toggleSort,
  viewColumns,
  viewOrderBy,
  withExperimentColumn,
} from './runs-view-state.js';

describe('runs view state in the URL', () => {
  it('leaves defaults out of the URL and reads an empty one as the defaults', () => {
    expect(formatRunsView(defaultRunsView())).toBe('');
    expect(parseRunsView(new URLSearchParams(''))).toEqual(defaultRunsView());
  });

  it('round-trips filter, sort, columns and grouping', () => {
    const view = {
      filter: "metrics.acc > 0.9 AND params.opt = 'adam'",
      sort: { columnId: 'metrics.val loss', descending: false },
      columnIds: ['attributes.run_name', 'metrics.val loss', 'params.opt'],
      groupBy: 'params.opt',
    };
    const search = formatRunsView(view);
    expect(parseRunsView(new URLSearchParams(search))).toEqual(view);
    expect(viewOrderBy(view)).toEqual(['metrics.`val loss` ASC']);
  });

  it('ignores stale or unknown ids from a hand-edited URL', () => {
    const view = parseRunsView(
      new URLSearchParams('sort=attributes.duration:asc&cols=bogus.x,params.lr&group=zz'),
    );
    expect(view.sort).toEqual(defaultRunsView().sort);
    expect(view.columnIds).toEqual(['params.lr']);
    expect(view.groupBy).toBeNull();
  });

  it('sorts a new column descending first, then flips', () => {
    const a = toggleSort(defaultRunsView(), 'metrics.acc');
    expect(a.sort).toEqual({ columnId: 'metrics.acc', descending: true });
    expect(toggleSort(a, 'metrics.acc').sort.descending).toBe(false);
  });

  it('adds and removes columns once', () => {
    const v = addColumn(addColumn(defaultRunsView(), 'metrics.acc'), 'metrics.acc');
    expect(v.columnIds).toEqual([...DEFAULT_COLUMN_IDS, 'metrics.acc']);
    expect(viewColumns(removeColumn(v, 'attributes.user_id')).map((c) => c.id)).not.toContain(
      'attributes.user_id',
    );
  });
});

describe('a runs table over several experiments', () => {
  it('reads the experiments from the route segment, each once', () => {
    expect(parseExperimentIds('3')).toEqual(['3']);
    expect(parseExperimentIds('1,4, 1,,7')).toEqual(['1', '4', '7']);
    expect(parseExperimentIds('')).toEqual([]);
  });

  it('adds the Experiment column after the run name to the default columns only', () => {
    const v = defaultRunsView();
    const ids = withExperimentColumn(v).columnIds;
    expect(ids.slice(0, 2)).toEqual(['attributes.run_name', EXPERIMENT_COLUMN_ID]);
    expect(ids.slice(2)).toEqual(DEFAULT_COLUMN_IDS.slice(1));
    const chosen = addColumn(v, 'metrics.loss');
    expect(withExperimentColumn(chosen)).toBe(chosen);
    // Its column cannot be sorted on (the search API has no order by experiment); a stale URL asking for it is ignored.
    expect(viewColumns(withExperimentColumn(v))[1]?.sortable).toBe(false);
    expect(parseRunsView(new URLSearchParams(`sort=${EXPERIMENT_COLUMN_ID}:asc`)).sort).toEqual(v.sort);
  });
});

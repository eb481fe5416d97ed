import type { Run } from '@cairn/sdk';
import { type Column, cellText } from './columns.js';

/** A row of the runs table: a group header, or one run (indented when inside a group). */
export type TableRow =
  | { type: 'group'; value: string; count: number; collapsed: boolean }
  | { type: 'run'; run: Run; grouped: boolean };

export const NO_VALUE = '(no value)';

/**
 * The table's rows: the runs in server order, or, grouped by a column, one header per distinct value
 * (in the order each value first appears, so the sort still ranks the groups) followed by its runs
 * unless the group is collapsed.
 */
export function tableRows(
  runs: readonly Run[],
  groupBy: Column | null,
  collapsed: ReadonlySet<string> = new Set(),
): TableRow[] {
  if (!groupBy) return runs.map((run) => ({ type: 'run', run, grouped: false }));
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    const value = cellText(run, groupBy) || NO_VALUE;
    let members = groups.get(value);
    if (!members) {
      members = [];
      groups.set(value, members);
    }
    members.push(run);
  }
  const rows: TableRow[] = [];
  for (const [value, members] of groups) {
    const isCollapsed = collapsed.has(value);
    rows.push({ type: 'group', value, count: members.length, collapsed: isCollapsed });
    if (!isCollapsed) for (const run of members) rows.push({ type: 'run', run, grouped: true });
  }
  return rows;
}

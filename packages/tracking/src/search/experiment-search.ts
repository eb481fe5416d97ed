import {
  type ExperimentFilterClause,
  parseExperimentFilter,
  parseExperimentOrderBy,
  type ViewType,
} from '@cairn/core';
import type { MetadataStore } from '@cairn/store';
import { sql } from 'kysely';
import { decodePageToken, encodePageToken, validateMaxResults } from './page-token.js';
import { VIEW_TYPE_STAGES } from './run-search.js';
import { integerPredicate, type Sql, stringPredicate, stringSortKey } from './sql-predicates.js';

export interface SearchExperimentsQuery {
  workspaceId: string;
  filter: string;
  viewType: ViewType;
  maxResults: number;
  orderBy: string[];
  pageToken?: string | null;
}

export interface SearchExperimentsPage {
  experimentIds: number[];
  nextPageToken: string | null;
}

const COLUMNS = {
  name: 'name',
  experiment_id: 'id',
  creation_time: 'creation_time',
  last_update_time: 'last_update_time',
} as const;

/**
 * Finds the ids of the experiments that match an MLflow experiment search. Default order, as MLflow:
 * `creation_time DESC, experiment_id ASC`; otherwise the given keys, then `experiment_id DESC`.
 */
export async function searchExperimentIds(
  store: MetadataStore,
  q: SearchExperimentsQuery,
): Promise<SearchExperimentsPage> {
  const maxResults = validateMaxResults(q.maxResults);
  const clauses = parseExperimentFilter(q.filter);
  const parsedOrder = parseExperimentOrderBy(q.orderBy);
  const offset = decodePageToken(q.pageToken);
  const orderKeys =
    parsedOrder.length > 0
      ? parsedOrder
      : [
          { key: 'creation_time' as const, ascending: false },
          { key: 'experiment_id' as const, ascending: true },
        ];

  const stages = sql.join(VIEW_TYPE_STAGES[q.viewType].map((s) => sql`${s}`));
  const where: Sql[] = [sql`e.workspace_id = ${q.workspaceId}`, sql`e.lifecycle_stage IN (${stages})`];
  for (const clause of clauses) where.push(experimentPredicate(store, clause));

  const order = orderKeys.map((k) => {
    const column = sql.ref(`e.${COLUMNS[k.key]}`);
    const key = k.key === 'name' ? stringSortKey(store.dialect, column) : column;
    return sql`${key} ${sql.raw(k.ascending ? 'ASC' : 'DESC')}`;
  });
  if (!orderKeys.some((k) => k.key === 'experiment_id')) order.push(sql`e.id DESC`);

  const { rows } = await sql<{ id: number | string }>`SELECT e.id FROM experiments e
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY ${sql.join(order)}
    LIMIT ${maxResults + 1} OFFSET ${offset}`.execute(store.db);
  return {
    experimentIds: rows.slice(0, maxResults).map((r) => Number(r.id)),
    nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults) : null,
  };
}

function experimentPredicate(store: MetadataStore, clause: ExperimentFilterClause): Sql {
  if (clause.entity === 'tag') {
    if (clause.comparator === 'IS NULL' || clause.comparator === 'IS NOT NULL') {
      const exists = sql`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.id AND t.key = ${clause.key})`;
      return clause.comparator === 'IS NULL' ? sql`NOT ${exists}` : exists;
    }
    return sql`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.id AND t.key = ${clause.key}
      AND ${stringPredicate(store.dialect, sql`t.value`, clause.comparator, clause.value)})`;
  }
  const column = sql.ref(`e.${COLUMNS[clause.key]}`);
  switch (clause.key) {
    case 'name':
      return stringPredicate(store.dialect, column, clause.comparator, clause.value);
    case 'experiment_id': {
      const v = clause.value;
      if (v.kind === 'list') {
        const ids = sql.join(v.values.map((id) => sql`${Number(id)}`));
        return clause.comparator === 'NOT IN' ? sql`${column} NOT IN (${ids})` : sql`${column} IN (${ids})`;
      }
      return integerPredicate(column, clause.comparator, v);
    }
    case 'creation_time':
    case 'last_update_time':
      return integerPredicate(column, clause.comparator, clause.value);
  }
}

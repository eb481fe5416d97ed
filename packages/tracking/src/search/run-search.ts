import {
  parseRunFilter,
  parseRunOrderBy,
  type RunAttribute,
  type RunFilterClause,
  type RunOrderKey,
  type ViewType,
} from '@cairn/core';
import type { Dialect, MetadataStore } from '@cairn/store';
import { sql } from 'kysely';
import { decodePageToken, encodePageToken, validateMaxResults } from './page-token.js';
import {
  integerPredicate,
  numberPredicate,
  type Sql,
  stringPredicate,
  stringSortKey,
} from './sql-predicates.js';

export interface SearchRunsQuery {
  workspaceId: string;
  experimentIds: number[];
  filter: string;
  viewType: ViewType;
  maxResults: number;
  orderBy: string[];
  pageToken?: string | null;
}

export interface SearchRunsPage {
  runIds: string[];
  nextPageToken: string | null;
}

/** Table and column holding each run attribute. `run_name` is `runs.name` (kept equal to mlflow.runName). */
const ATTRIBUTE_COLUMNS: Record<RunAttribute, string> = {
  run_id: 'id',
  run_name: 'name',
  status: 'status',
  user_id: 'user_id',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
};

const ENTITY_TABLES = { metric: 'latest_metrics', param: 'params', tag: 'run_tags' } as const;
type KeyedEntity = keyof typeof ENTITY_TABLES;

export const VIEW_TYPE_STAGES: Record<ViewType, string[]> = {
  ACTIVE_ONLY: ['active'],
  DELETED_ONLY: ['deleted'],
  ALL: ['active', 'deleted'],
};

/** One join against latest_metrics, params or run_tags for a key, carrying every clause on that key. */
interface KeyJoin {
  alias: string;
  entity: KeyedEntity;
  key: string;
  predicates: Sql[];
  /** True when the predicates leave only rows with a real value (not NaN), so sorting needs no rank. */
  excludesNaN: boolean;
  inner: boolean;
  /** True while every predicate is `=` or `IN` on a param or tag, which its (key, value) index answers. */
  equalityOnly: boolean;
  /** True when an order key reads this join's value. */
  ordered: boolean;
}

/**
 * Finds the ids of the runs that match an MLflow search, in MLflow's order: the `order_by` keys, then
 * `start_time DESC`, then `run_id`. Runs lacking an ordered metric, param or tag come last, and NaN
 * metrics come after every number but before missing ones, as MLflow's SQL store does. Only the
 * tables a filter or an order key names are joined, and only run ids are read.
 */
export async function searchRunIds(store: MetadataStore, q: SearchRunsQuery): Promise<SearchRunsPage> {
  const maxResults = validateMaxResults(q.maxResults);
  const clauses = parseRunFilter(q.filter);
  const orderKeys = parseRunOrderBy(q.orderBy);
  const offset = decodePageToken(q.pageToken);
  if (q.experimentIds.length === 0) return { runIds: [], nextPageToken: null };

  const experiments = sql.join(q.experimentIds.map((id) => sql`${id}`));
  const stages = sql.join(VIEW_TYPE_STAGES[q.viewType].map((s) => sql`${s}`));
  const scope = [
    sql`r.workspace_id = ${q.workspaceId}`,
    sql`r.experiment_id IN (${experiments})`,
    sql`r.lifecycle_stage IN (${stages})`,
  ];
  const build = (mode: LeadMode, semiJoins: ReadonlySet<string> = new Set()) => {
    const plan = new RunQueryPlan(store.dialect, semiJoins);
    for (const clause of clauses) plan.addFilter(clause);
    const orderBy = plan.orderBy(orderKeys, mode);
    const from = sql`${plan.from()} WHERE ${sql.join([...scope, ...plan.where, ...plan.semiJoins()], sql` AND `)}`;
    return {
      plan,
      page: (offset: number, limit: number) =>
        sql<{
          id: string;
        }>`SELECT r.id FROM ${from} ORDER BY ${sql.join(orderBy)} LIMIT ${limit} OFFSET ${offset}`
          .execute(store.db)
          .then((r) => r.rows.map((row) => row.id)),
      count: () =>
        sql<{ n: number | string }>`SELECT count(*) AS n FROM ${from}`
          .execute(store.db)
          .then((r) => Number(r.rows[0]?.n ?? 0)),
    };
  };

  const limit = maxResults + 1;
  let ids: string[];
  if (orderKeys[0]?.entity !== 'metric') {
    ids = await build('none').page(offset, limit);
  } else {
    // Ordered by a metric first: the runs with a value for it are read in index order (so LIMIT stops
    // the scan early), and only a page that runs past them reads the NaN and missing ones.
    let values = build('values');
    const small = await smallFilterSets(store, values.plan.semiJoinCandidates(), offset + limit);
    if (small.size > 0) values = build('values', small);
    ids = await values.page(offset, limit);
    if (ids.length < limit && !values.plan.leadExcludesGaps) {
      const before = ids.length > 0 ? offset + ids.length : await values.count();
      ids = ids.concat(await build('gaps').page(Math.max(0, offset - before), limit - ids.length));
    }
  }
  return {
    runIds: ids.slice(0, maxResults),
    nextPageToken: ids.length > maxResults ? encodePageToken(offset + maxResults) : null,
  };
}

/**
 * A filter set of at most this many rows per run the page needs (offset + limit) is read whole as a
 * semi-join. Reading a set costs about a tenth of what a lookup per scanned row does, and a scan
 * ordered by a metric reads at least (offset + limit) / selectivity rows, so small sets always pay;
 * a set holding most runs (over 100k runs, 25k `optimizer = 'adam'` rows) would cost more than it saves.
 */
const SEMI_JOIN_ROWS_PER_RESULT = 50;

/** The ids of the semi-join candidates whose filter matches few enough rows, counted on the index. */
async function smallFilterSets(
  store: MetadataStore,
  candidates: SemiJoinCandidate[],
  rowsNeeded: number,
): Promise<Set<string>> {
  const cap = SEMI_JOIN_ROWS_PER_RESULT * rowsNeeded;
  const small = new Set<string>();
  for (const c of candidates) {
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM (${c.rows(cap + 1)})`.execute(
      store.db,
    );
    if (Number(rows[0]?.n ?? 0) <= cap) small.add(c.id);
  }
  return small;
}

interface SemiJoinCandidate {
  id: string;
  /** `SELECT 1` per matching row, at most `limit` of them. */
  rows: (limit: number) => Sql;
}

/**
 * How the first order key is handled when it is a metric: `values` keeps only runs with a real value
 * for it (ordered by that value), `gaps` only those with NaN (first) or no value; `none` orders in one go.
 */
type LeadMode = 'none' | 'values' | 'gaps';

class RunQueryPlan {
  readonly where: Sql[] = [];
  private readonly keyJoins = new Map<string, KeyJoin>();
  private aliasCount = 0;

  constructor(
    private readonly dialect: Dialect,
    /** Ids of the joins to read as semi-joins (see `semiJoins`), picked from `semiJoinCandidates`. */
    private readonly semiJoinIds: ReadonlySet<string> = new Set(),
  ) {}

  addFilter(clause: RunFilterClause): void {
    switch (clause.entity) {
      case 'attribute':
        this.where.push(attributePredicate(this.dialect, clause));
        return;
      case 'dataset':
        this.where.push(datasetPredicate(this.dialect, clause));
        return;
      case 'metric':
      case 'param':
      case 'tag': {
        const table = sql.table(ENTITY_TABLES[clause.entity]);
        if (clause.comparator === 'IS NULL' || clause.comparator === 'IS NOT NULL') {
          const exists = sql`EXISTS (SELECT 1 FROM ${table} e WHERE e.run_id = r.id AND e.key = ${clause.key})`;
          this.where.push(clause.comparator === 'IS NULL' ? sql`NOT ${exists}` : exists);
          return;
        }
        const join = this.keyJoin(clause.entity, clause.key, true);
        const value = sql.ref(`${join.alias}.value`);
        if (clause.entity === 'metric') {
          // NaN is stored as value NULL, is_nan 1: it fails every comparison except !=, as in MLflow.
          const compare = numberPredicate(value, clause.comparator, clause.value);
          if (clause.comparator === '!=') {
            join.predicates.push(sql`(${compare} OR ${sql.ref(`${join.alias}.is_nan`)} = 1)`);
          } else {
            join.predicates.push(compare);
            join.excludesNaN = true;
          }
        } else {
          join.predicates.push(stringPredicate(this.dialect, value, clause.comparator, clause.value));
          if (clause.comparator !== '=' && clause.comparator !== 'IN') join.equalityOnly = false;
        }
        return;
      }
    }
  }

  /** True when the filter already leaves no NaN or missing values of the leading order metric. */
  leadExcludesGaps = false;
  private driver: KeyJoin | null = null;

  /** ORDER BY terms; joins (left outer) whatever an order key needs that no filter joined already. */
  orderBy(keys: RunOrderKey[], mode: LeadMode): Sql[] {
    const terms: Sql[] = [];
    keys.forEach((k, i) => {
      const dir = sql.raw(k.ascending ? 'ASC' : 'DESC');
      if (k.entity === 'attribute') {
        const column = sql.ref(`r.${ATTRIBUTE_COLUMNS[k.key]}`);
        if (k.key === 'end_time') terms.push(sql`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`);
        const numeric = k.key === 'start_time' || k.key === 'end_time';
        terms.push(sql`${numeric ? column : stringSortKey(this.dialect, column)} ${dir}`);
        return;
      }
      if (i === 0 && k.entity === 'metric' && mode !== 'none') {
        terms.push(this.leadMetric(k.key, mode, dir));
        return;
      }
      const join = this.keyJoin(k.entity, k.key, false);
      join.ordered = true;
      const value = sql.ref(`${join.alias}.value`);
      if (k.entity === 'metric') {
        if (!(join.inner && join.excludesNaN)) {
          const isNan = sql.ref(`${join.alias}.is_nan`);
          terms.push(sql`CASE WHEN ${isNan} = 1 THEN 1 WHEN ${value} IS NULL THEN 2 ELSE 0 END`);
        }
        terms.push(sql`${value} ${dir}`);
      } else {
        if (!join.inner) terms.push(sql`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`);
        terms.push(sql`${stringSortKey(this.dialect, value)} ${dir}`);
      }
    });
    if (!keys.some((k) => k.entity === 'attribute' && k.key === 'start_time'))
      terms.push(sql`r.start_time DESC`);
    if (!keys.some((k) => k.entity === 'attribute' && k.key === 'run_id')) terms.push(sql`r.id ASC`);
    return terms;
  }

  private leadMetric(key: string, mode: 'values' | 'gaps', dir: Sql): Sql {
    const existing = this.keyJoins.get(`metric\u0000${key}`);
    this.leadExcludesGaps = existing?.excludesNaN === true;
    const join = this.keyJoin('metric', key, mode === 'values');
    const value = sql.ref(`${join.alias}.value`);
    if (mode === 'values') {
      join.predicates.push(sql`${value} IS NOT NULL`);
      this.driver = join;
      return sql`${value} ${dir}`;
    }
    // NaN is value NULL with is_nan 1; a run without the metric has no row (NULLs from the outer join).
    if (join.inner) join.predicates.push(sql`${value} IS NULL`);
    else this.where.push(sql`${value} IS NULL`);
    return sql`CASE WHEN ${sql.ref(`${join.alias}.is_nan`)} = 1 THEN 0 ELSE 1 END`;
  }

  /**
   * On SQLite with a driving metric, a param or tag filter of `=` / `IN` only can be tested as
   * membership of the run ids its (key, value) index lists, read once into a set (a semi-join),
   * instead of a lookup per scanned row into the params or run_tags table: each scanned row then costs
   * a probe of an in-memory set rather than two B-tree descents. Such a join is left out of `from()`.
   * Worth it only when the set is small next to the rows the scan reads; `searchRunIds` decides.
   */
  semiJoinCandidates(): SemiJoinCandidate[] {
    return [...this.keyJoins.entries()]
      .filter(([, j]) => this.canSemiJoin(j))
      .map(([id, j]) => ({
        id,
        rows: (limit: number) =>
          sql`SELECT 1 FROM ${sql.table(ENTITY_TABLES[j.entity])} ${sql.table(j.alias)} WHERE ${this.semiJoinConditions(j)} LIMIT ${limit}`,
      }));
  }

  private semiJoinConditions(j: KeyJoin): Sql {
    return sql.join([sql`${sql.ref(`${j.alias}.key`)} = ${j.key}`, ...j.predicates], sql` AND `);
  }

  private isSemiJoin(j: KeyJoin): boolean {
    return this.canSemiJoin(j) && this.semiJoinIds.has(`${j.entity}\u0000${j.key}`);
  }

  private canSemiJoin(j: KeyJoin): boolean {
    return (
      this.dialect === 'sqlite' &&
      this.driver !== null &&
      j !== this.driver &&
      j.inner &&
      j.entity !== 'metric' &&
      j.equalityOnly &&
      !j.ordered
    );
  }

  /** WHERE terms for the joins `isSemiJoin` takes out of the FROM clause; call after `orderBy`. */
  semiJoins(): Sql[] {
    const driver = this.driver;
    if (!driver) return [];
    return [...this.keyJoins.values()]
      .filter((j) => this.isSemiJoin(j))
      .map((j) => {
        const table = sql.table(ENTITY_TABLES[j.entity]);
        return sql`${sql.ref(`${driver.alias}.run_id`)} IN (SELECT ${sql.ref(`${j.alias}.run_id`)} FROM ${table} ${sql.table(j.alias)} WHERE ${this.semiJoinConditions(j)})`;
      });
  }

  /**
   * The FROM clause. On SQLite the leading order metric drives the join (CROSS JOIN fixes the order),
   * so its (key, value) index yields rows already sorted; SQLite's planner would otherwise scan runs.
   */
  from(): Sql {
    const others = [...this.keyJoins.values()].filter(
      (j) => (j !== this.driver || this.dialect !== 'sqlite') && !this.isSemiJoin(j),
    );
    const joins = sql.join(
      others.map((j) => this.joinSql(j)),
      sql` `,
    );
    if (this.driver && this.dialect === 'sqlite') {
      const d = this.driver;
      return sql`latest_metrics ${sql.table(d.alias)} CROSS JOIN runs r ON ${sql.join(this.joinConditions(d), sql` AND `)} ${joins}`;
    }
    return sql`runs r ${joins}`;
  }

  private joinConditions(j: KeyJoin): Sql[] {
    return [
      sql`${sql.ref(`${j.alias}.run_id`)} = r.id`,
      sql`${sql.ref(`${j.alias}.key`)} = ${j.key}`,
      ...j.predicates,
    ];
  }

  private joinSql(j: KeyJoin): Sql {
    const table = sql.table(ENTITY_TABLES[j.entity]);
    const on = sql.join(this.joinConditions(j), sql` AND `);
    // With a driving metric on SQLite, CROSS JOIN keeps the filter joins after it, so the scan in
    // order-key order is kept and LIMIT can stop it early.
    const inner = this.driver && this.dialect === 'sqlite' ? 'CROSS JOIN' : 'JOIN';
    return sql`${sql.raw(j.inner ? inner : 'LEFT JOIN')} ${table} ${sql.table(j.alias)} ON ${on}`;
  }

  private keyJoin(entity: KeyedEntity, key: string, inner: boolean): KeyJoin {
    const id = `${entity}\u0000${key}`;
    let join = this.keyJoins.get(id);
    if (!join) {
      join = {
        alias: `k${this.aliasCount++}`,
        entity,
        key,
        predicates: [],
        excludesNaN: false,
        inner,
        equalityOnly: entity !== 'metric',
        ordered: false,
      };
      this.keyJoins.set(id, join);
    }
    return join;
  }
}

function attributePredicate(dialect: Dialect, clause: RunFilterClause & { entity: 'attribute' }): Sql {
  const column = sql.ref(`r.${ATTRIBUTE_COLUMNS[clause.key]}`);
  if (clause.key === 'start_time' || clause.key === 'end_time') {
    return integerPredicate(column, clause.comparator, clause.value);
  }
  return stringPredicate(dialect, column, clause.comparator, clause.value);
}

const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/**
 * A dataset clause matches when any of the run's dataset inputs matches. Inputs are stored as the JSON
 * MLflow logs (`{"dataset": {"name", "digest", …}, "tags": [{"key", "value"}]}`) in run_inputs.payload.
 */
function datasetPredicate(dialect: Dialect, clause: RunFilterClause & { entity: 'dataset' }): Sql {
  if (dialect === 'sqlite') {
    if (clause.key === 'context') {
      const value = sql`json_extract(t.value, '$.value')`;
      return sql`EXISTS (SELECT 1 FROM run_inputs i, json_each(i.payload, '$.tags') t
        WHERE i.run_id = r.id AND i.kind = 'dataset' AND json_valid(i.payload) AND json_extract(t.value, '$.key') = ${DATASET_CONTEXT_TAG}
        AND ${stringPredicate(dialect, value, clause.comparator, clause.value)})`;
    }
    const value = sql`json_extract(i.payload, ${`$.dataset.${clause.key}`})`;
    return sql`EXISTS (SELECT 1 FROM run_inputs i WHERE i.run_id = r.id AND i.kind = 'dataset' AND json_valid(i.payload)
      AND ${stringPredicate(dialect, value, clause.comparator, clause.value)})`;
  }
  if (clause.key === 'context') {
    const value = sql`t.value ->> 'value'`;
    return sql`EXISTS (SELECT 1 FROM run_inputs i,
      jsonb_array_elements(CASE WHEN jsonb_typeof(i.payload::jsonb -> 'tags') = 'array' THEN i.payload::jsonb -> 'tags' ELSE '[]'::jsonb END) t
      WHERE i.run_id = r.id AND i.kind = 'dataset' AND t.value ->> 'key' = ${DATASET_CONTEXT_TAG}
      AND ${stringPredicate(dialect, value, clause.comparator, clause.value)})`;
  }
  const value = sql`i.payload::jsonb -> 'dataset' ->> ${clause.key}`;
  return sql`EXISTS (SELECT 1 FROM run_inputs i WHERE i.run_id = r.id AND i.kind = 'dataset'
    AND ${stringPredicate(dialect, value, clause.comparator, clause.value)})`;
}

/**
 * The typed result of parsing an MLflow search filter or order_by list. The grammar follows MLflow
 * 3.x (`mlflow/utils/search_utils.py`): clauses joined by AND, one comparison each.
 */

export const NUMERIC_COMPARATORS = ['>', '>=', '=', '!=', '<', '<='] as const;
export type NumericComparator = (typeof NUMERIC_COMPARATORS)[number];

export const STRING_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'] as const;
export type StringComparator = (typeof STRING_COMPARATORS)[number];

export const LIST_COMPARATORS = ['IN', 'NOT IN'] as const;
export type ListComparator = (typeof LIST_COMPARATORS)[number];

export const NULL_COMPARATORS = ['IS NULL', 'IS NOT NULL'] as const;
export type NullComparator = (typeof NULL_COMPARATORS)[number];

export type Comparator = NumericComparator | StringComparator | ListComparator | NullComparator;

/** The right-hand side of a comparison: an unquoted number, a quoted string, a list, or nothing (IS NULL). */
export type FilterValue =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'list'; values: string[] }
  | { kind: 'none' };

export interface FilterClause<Entity extends string = string, Key extends string = string> {
  entity: Entity;
  /** The key with prefix and quotes removed, aliases resolved (`created` → `start_time`). */
  key: Key;
  comparator: Comparator;
  value: FilterValue;
  /** 0-based offset of the clause in the filter string, for errors found after parsing. */
  position: number;
}

export type RunEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/** Run attributes MLflow 3.x lets a filter and an order_by name (`RunInfo.get_searchable_attributes`). */
export const RUN_STRING_ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri'] as const;
export const RUN_NUMERIC_ATTRIBUTES = ['start_time', 'end_time'] as const;
export type RunAttribute = (typeof RUN_STRING_ATTRIBUTES)[number] | (typeof RUN_NUMERIC_ATTRIBUTES)[number];

export const DATASET_KEYS = ['name', 'digest', 'context'] as const;
export type DatasetKey = (typeof DATASET_KEYS)[number];

export type RunFilterClause =
  | FilterClause<'metric' | 'param' | 'tag'>
  | FilterClause<'attribute', RunAttribute>
  | FilterClause<'dataset', DatasetKey>;

export type OrderableRunEntity = 'metric' | 'param' | 'tag' | 'attribute';

export type RunOrderKey =
  | { entity: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { entity: 'attribute'; key: RunAttribute; ascending: boolean };

export const EXPERIMENT_ATTRIBUTES = ['name', 'experiment_id', 'creation_time', 'last_update_time'] as const;
export type ExperimentAttribute = (typeof EXPERIMENT_ATTRIBUTES)[number];

export type ExperimentFilterClause = FilterClause<'attribute', ExperimentAttribute> | FilterClause<'tag'>;

export interface ExperimentOrderKey {
  key: ExperimentAttribute;
  ascending: boolean;
}

import type { FieldSpec, RawIdentifier } from './clause-parser.js';
import { parseClauses } from './clause-parser.js';
import { Cursor } from './cursor.js';
import {
  EXPERIMENT_ATTRIBUTES,
  type ExperimentAttribute,
  type ExperimentFilterClause,
  type ExperimentOrderKey,
  LIST_COMPARATORS,
  NULL_COMPARATORS,
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
} from './filter-ast.js';
import { readOrderClause } from './run-filter.js';

// MLflow accepts `attribute.` and `tag.`/`tags.` here; `attributes.` is accepted too, for symmetry with runs.
const PREFIXES: Record<string, 'attribute' | 'tag'> = {
  attribute: 'attribute',
  attributes: 'attribute',
  tag: 'tag',
  tags: 'tag',
};
const PREFIX_SET: ReadonlySet<string> = new Set(Object.keys(PREFIXES));
const list = (xs: readonly string[]) => xs.join(', ');
const TAG_OPS = [...STRING_COMPARATORS, ...NULL_COMPARATORS];
const ID_OPS = ['=', '!=', ...LIST_COMPARATORS] as const;

function resolveAttribute(c: Cursor, id: RawIdentifier): ExperimentAttribute {
  const key = EXPERIMENT_ATTRIBUTES.find((a) => a === id.key);
  if (key === undefined) {
    throw c.error(
      id.position,
      `Invalid attribute key '${id.key}' in '${id.text}': experiment attributes are ${list(EXPERIMENT_ATTRIBUTES)} (or use tags.<key>)`,
    );
  }
  return key;
}

function resolveEntity(c: Cursor, id: RawIdentifier): 'attribute' | 'tag' {
  if (id.prefix === null) return 'attribute';
  const entity = PREFIXES[id.prefix];
  if (entity === undefined) {
    throw c.error(
      id.position,
      `Invalid entity type '${id.prefix}' in '${id.text}': experiment filters use attribute names (${list(EXPERIMENT_ATTRIBUTES)}) and tags.<key>`,
    );
  }
  return entity;
}

function resolveField(id: RawIdentifier, c: Cursor): FieldSpec<'attribute' | 'tag', string> {
  const entity = resolveEntity(c, id);
  if (entity === 'tag') {
    return {
      entity,
      key: id.key,
      valueKind: 'string',
      comparators: TAG_OPS,
      supports: `tags support ${list(TAG_OPS)}`,
    };
  }
  const key = resolveAttribute(c, id);
  switch (key) {
    case 'name':
      return {
        entity,
        key,
        valueKind: 'string',
        comparators: STRING_COMPARATORS,
        supports: `name supports ${list(STRING_COMPARATORS)}`,
      };
    case 'experiment_id':
      return {
        entity,
        key,
        valueKind: 'id',
        comparators: ID_OPS,
        supports: `experiment_id supports ${list(ID_OPS)}`,
      };
    case 'creation_time':
    case 'last_update_time':
      return {
        entity,
        key,
        valueKind: 'integer',
        comparators: NUMERIC_COMPARATORS,
        supports: `${key} is a time in milliseconds and supports ${list(NUMERIC_COMPARATORS)}`,
      };
  }
}

/**
 * Parses an experiment search filter (`name LIKE 'exp-%' AND tags.team = 'vision'`). `experiment_id`
 * values come back as numbers (`{ kind: 'number' }`) or as lists of digit strings (`{ kind: 'list' }`).
 */
export function parseExperimentFilter(filter: string | null | undefined): ExperimentFilterClause[] {
  if (!filter) return [];
  const c = new Cursor(filter, 'Invalid filter', 'filter');
  return parseClauses(c, PREFIX_SET, resolveField) as ExperimentFilterClause[];
}

/** Parses an experiment order_by list; only attributes can be ordered by. */
export function parseExperimentOrderBy(orderBy: readonly string[] | null | undefined): ExperimentOrderKey[] {
  const keys: ExperimentOrderKey[] = [];
  (orderBy ?? []).forEach((clause, i) => {
    const c = new Cursor(clause, `Invalid order_by clause '${clause}'`, `order_by[${i}]`);
    const { id, ascending } = readOrderClause(c, PREFIX_SET);
    if (resolveEntity(c, id) !== 'attribute') {
      throw c.error(id.position, `experiments can only be ordered by ${list(EXPERIMENT_ATTRIBUTES)}`);
    }
    const key = resolveAttribute(c, id);
    if (keys.some((k) => k.key === key)) {
      throw c.error(id.position, `order_by contains duplicate fields: '${id.text}' is already ordered by`);
    }
    keys.push({ key, ascending });
  });
  return keys;
}

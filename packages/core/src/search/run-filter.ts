import { type FieldSpec, parseClauses, type RawIdentifier, readIdentifier } from './clause-parser.js';
import { Cursor } from './cursor.js';
import {
  DATASET_KEYS,
  LIST_COMPARATORS,
  NULL_COMPARATORS,
  NUMERIC_COMPARATORS,
  RUN_NUMERIC_ATTRIBUTES,
  RUN_STRING_ATTRIBUTES,
  type RunAttribute,
  type RunEntity,
  type RunFilterClause,
  type RunOrderKey,
  STRING_COMPARATORS,
} from './filter-ast.js';

/** Every prefix MLflow accepts, and the entity it names. Prefixes are case-sensitive, as in MLflow. */
const RUN_PREFIXES: Record<string, RunEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};
const PREFIX_SET: ReadonlySet<string> = new Set(Object.keys(RUN_PREFIXES));

/** MLflow's alternate spellings of attributes (`SearchUtils.translate_key_alias`). */
const ATTRIBUTE_ALIASES: Record<string, RunAttribute> = {
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
};

const list = (xs: readonly string[]) => xs.join(', ');
const STRING_OPS = [...STRING_COMPARATORS];
const TAG_OPS = [...STRING_COMPARATORS, ...NULL_COMPARATORS];
const LISTABLE_OPS = [...STRING_COMPARATORS, ...LIST_COMPARATORS];
const ATTRIBUTE_NAMES = [...RUN_STRING_ATTRIBUTES, ...RUN_NUMERIC_ATTRIBUTES];

function resolveEntity(c: Cursor, id: RawIdentifier): RunEntity {
  if (id.prefix === null) return 'attribute';
  const entity = RUN_PREFIXES[id.prefix];
  if (entity === undefined) {
    throw c.error(
      id.position,
      `Invalid entity type '${id.prefix}' in '${id.text}': use metrics., params., tags., attributes. or datasets. (or a bare attribute name)`,
    );
  }
  return entity;
}

function resolveAttribute(c: Cursor, id: RawIdentifier): RunAttribute {
  const key = ATTRIBUTE_ALIASES[id.key] ?? id.key;
  const known = ATTRIBUTE_NAMES.find((a) => a === key);
  if (known === undefined) {
    const hint =
      id.prefix === null ? ' (or prefix a metric, param or tag key with metrics., params., tags.)' : '';
    throw c.error(
      id.position,
      `Invalid attribute key '${id.key}' in '${id.text}': run attributes are ${list(ATTRIBUTE_NAMES)} and created${hint}`,
    );
  }
  return known;
}

function resolveRunField(id: RawIdentifier, c: Cursor): FieldSpec<RunEntity, string> {
  const entity = resolveEntity(c, id);
  switch (entity) {
    case 'metric':
      return {
        entity,
        key: id.key,
        valueKind: 'number',
        comparators: NUMERIC_COMPARATORS,
        supports: `metrics support ${list(NUMERIC_COMPARATORS)}`,
      };
    case 'param':
    case 'tag':
      return {
        entity,
        key: id.key,
        valueKind: 'string',
        comparators: TAG_OPS,
        supports: `${entity}s support ${list(TAG_OPS)}`,
      };
    case 'attribute': {
      const key = resolveAttribute(c, id);
      if ((RUN_NUMERIC_ATTRIBUTES as readonly string[]).includes(key)) {
        return {
          entity,
          key,
          valueKind: 'number',
          comparators: NUMERIC_COMPARATORS,
          supports: `${key} is a time in milliseconds and supports ${list(NUMERIC_COMPARATORS)}`,
        };
      }
      const ops = key === 'run_id' ? LISTABLE_OPS : STRING_OPS;
      const onlyRunId = key === 'run_id' ? '' : '; IN and NOT IN apply to run_id only';
      return {
        entity,
        key,
        valueKind: 'string',
        comparators: ops,
        supports: `${key} supports ${list(ops)}${onlyRunId}`,
      };
    }
    case 'dataset': {
      const key = DATASET_KEYS.find((k) => k === id.key);
      if (key === undefined) {
        throw c.error(
          id.position,
          `Invalid dataset key '${id.key}' in '${id.text}': use datasets.name, datasets.digest or datasets.context`,
        );
      }
      return {
        entity,
        key,
        valueKind: 'string',
        comparators: LISTABLE_OPS,
        supports: `datasets support ${list(LISTABLE_OPS)}`,
      };
    }
  }
}

/**
 * Parses a run search filter (`metrics.acc > 0.9 AND params.model = 'cnn'`) into clauses. An empty or
 * blank filter yields no clauses. Throws INVALID_ARGUMENT with `details.position` on any error.
 */
export function parseRunFilter(filter: string | null | undefined): RunFilterClause[] {
  if (!filter) return [];
  const c = new Cursor(filter, 'Invalid filter', 'filter');
  // The resolver ties entity and key together; the cast only restores that pairing for the union type.
  return parseClauses(c, PREFIX_SET, resolveRunField) as RunFilterClause[];
}

/**
 * Parses one `order_by` list (`["metrics.rmse DESC", "params.x", "`tags.a b` desc"]`). Duplicate keys are
 * an error, as in MLflow.
 */
export function parseRunOrderBy(orderBy: readonly string[] | null | undefined): RunOrderKey[] {
  const keys: RunOrderKey[] = [];
  const seen = new Set<string>();
  (orderBy ?? []).forEach((clause, i) => {
    const c = new Cursor(clause, `Invalid order_by clause '${clause}'`, `order_by[${i}]`);
    const { id, ascending } = readOrderClause(c);
    const entity = resolveEntity(c, id);
    let key: RunOrderKey;
    if (entity === 'dataset') {
      throw c.error(
        id.position,
        `datasets cannot be ordered by; use metrics., params., tags. or an attribute`,
      );
    } else if (entity === 'attribute') {
      key = { entity, key: resolveAttribute(c, id), ascending };
    } else {
      key = { entity, key: id.key, ascending };
    }
    const identity = `${key.entity}\u0000${key.key}`;
    if (seen.has(identity)) {
      throw c.error(id.position, `order_by contains duplicate fields: '${id.text}' is already ordered by`);
    }
    seen.add(identity);
    keys.push(key);
  });
  return keys;
}

/** Reads `<identifier> [ASC|DESC]` and nothing else. */
export function readOrderClause(c: Cursor, prefixes: ReadonlySet<string> = PREFIX_SET) {
  c.skipWhitespace();
  if (c.atEnd) throw c.error(c.pos, 'expected a key to order by, found end of input');
  const id = readIdentifier(c, prefixes);
  c.skipWhitespace();
  let ascending = true;
  if (!c.atEnd) {
    const at = c.pos;
    const word = c.peekWord().toUpperCase();
    if (word !== 'ASC' && word !== 'DESC') {
      throw c.error(at, `expected ASC or DESC after '${id.text}', found ${c.fragment(at)}`);
    }
    ascending = word === 'ASC';
    c.pos += word.length;
    c.skipWhitespace();
    if (!c.atEnd) {
      throw c.error(c.pos, `expected nothing after '${id.text} ${word}', found ${c.fragment(c.pos)}`);
    }
  }
  return { id, ascending };
}

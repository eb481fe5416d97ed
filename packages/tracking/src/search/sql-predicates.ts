import {
  type Comparator,
  type FilterValue,
  invalidArgument,
  type NumericComparator,
  parseLikePattern,
  toGlobPattern,
  toLikePattern,
} from '@cairn/core';
import type { Dialect } from '@cairn/store';
import { type RawBuilder, sql } from 'kysely';

export type Sql = RawBuilder<unknown>;

const NUMERIC_OPS: Record<NumericComparator, Sql> = {
  '>': sql.raw('>'),
  '>=': sql.raw('>='),
  '=': sql.raw('='),
  '!=': sql.raw('!='),
  '<': sql.raw('<'),
  '<=': sql.raw('<='),
};

const isNumeric = (op: Comparator): op is NumericComparator => op in NUMERIC_OPS;

/**
 * A string comparison that behaves the same on both databases: `=` and LIKE are case-sensitive, ILIKE
 * is case-insensitive. SQLite's own LIKE ignores ASCII case, so case-sensitive LIKE becomes GLOB there.
 */
export function stringPredicate(dialect: Dialect, column: Sql, op: Comparator, value: FilterValue): Sql {
  if (value.kind === 'list') {
    const list = sql.join(value.values.map((v) => sql`${v}`));
    return op === 'NOT IN' ? sql`${column} NOT IN (${list})` : sql`${column} IN (${list})`;
  }
  if (value.kind !== 'string') throw unexpected(op, value);
  switch (op) {
    case '=':
      return sql`${column} = ${value.value}`;
    case '!=':
      return sql`${column} != ${value.value}`;
    case 'LIKE': {
      const parts = parseLikePattern(value.value);
      return dialect === 'sqlite'
        ? sql`${column} GLOB ${toGlobPattern(parts)}`
        : sql`${column} LIKE ${toLikePattern(parts)} ESCAPE '\\'`;
    }
    case 'ILIKE': {
      const pattern = toLikePattern(parseLikePattern(value.value));
      return dialect === 'sqlite'
        ? sql`${column} LIKE ${pattern} ESCAPE '\\'`
        : sql`${column} ILIKE ${pattern} ESCAPE '\\'`;
    }
    default:
      throw unexpected(op, value);
  }
}

/** A comparison of a double column with a number. */
export function numberPredicate(column: Sql, op: Comparator, value: FilterValue): Sql {
  if (!isNumeric(op) || value.kind !== 'number') throw unexpected(op, value);
  return sql`${column} ${NUMERIC_OPS[op]} ${value.value}`;
}

/**
 * A comparison of a bigint column (a time in ms) with a number that may have a fraction. The bound
 * is rounded to an integer the comparison keeps meaning the same, so PostgreSQL can bind it as bigint
 * and both databases can use an index (`start_time > 5.5` is `start_time > 5`).
 */
export function integerPredicate(column: Sql, op: Comparator, value: FilterValue): Sql {
  if (!isNumeric(op) || value.kind !== 'number') throw unexpected(op, value);
  const v = value.value;
  if (Number.isInteger(v)) return sql`${column} ${NUMERIC_OPS[op]} ${v}`;
  switch (op) {
    case '>':
    case '<=':
      return sql`${column} ${NUMERIC_OPS[op]} ${Math.floor(v)}`;
    case '>=':
    case '<':
      return sql`${column} ${NUMERIC_OPS[op]} ${Math.ceil(v)}`;
    case '=':
      return sql`1 = 0`;
    case '!=':
      return sql`${column} IS NOT NULL`;
  }
}

function unexpected(op: Comparator, value: FilterValue) {
  // The parser only produces valid pairs; reaching here is a bug, reported as a clear 400 all the same.
  return invalidArgument(`Unsupported comparison ${op} with a ${value.kind} value in the filter`, {
    field: 'filter',
  });
}

/** `ORDER BY` text for a string column: PostgreSQL sorts bytewise (COLLATE "C") as SQLite does. */
export function stringSortKey(dialect: Dialect, column: Sql): Sql {
  return dialect === 'postgres' ? sql`${column} COLLATE "C"` : column;
}

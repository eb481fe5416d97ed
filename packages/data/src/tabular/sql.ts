import type { FilterExpr, FilterLiteral, FilterOperand } from '../mltable/filter-expression.js';

/** A value bound to a `$n` placeholder. */
export type SqlParam = string | number | boolean | null | readonly string[];

/**
 * Collects bound parameters while SQL text is built, so every value that came from a user (a path, a
 * filter literal, a column name in a format string) travels as a parameter, never as SQL text.
 * Column names cannot be parameters; they are quoted with `quoteIdent`.
 */
export class SqlParams {
  readonly values: SqlParam[] = [];

  /** The placeholder for `value`. */
  bind(value: SqlParam): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A quoted identifier: `"a ""b"""`. NUL cannot occur in one. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

const SQL_OP = { '==': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

function operandSql(operand: FilterOperand, params: SqlParams): string {
  return operand.kind === 'column' ? quoteIdent(operand.name) : literalSql(operand.value, params);
}

function literalSql(value: FilterLiteral, params: SqlParams): string {
  // Booleans and null are keywords; numbers and strings are bound so their type follows the column's.
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return params.bind(value);
}

/** The SQL condition of a parsed filter, its literals bound to `params`. */
export function filterToSql(expr: FilterExpr, params: SqlParams): string {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return `(${expr.operands.map((e) => filterToSql(e, params)).join(expr.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${filterToSql(expr.operand, params)})`;
    case 'compare':
      return `(${operandSql(expr.left, params)} ${SQL_OP[expr.op]} ${operandSql(expr.right, params)})`;
    case 'is-null':
      return `(${quoteIdent(expr.column)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'in': {
      const list = expr.values.map((v) => literalSql(v, params)).join(', ');
      return `(${quoteIdent(expr.column)} ${expr.negated ? 'NOT ' : ''}IN (${list}))`;
    }
    case 'column':
      return `(${quoteIdent(expr.name)})`;
  }
}

import { CairnError, ErrorCode } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { filterToSql, SqlParams } from '../tabular/sql.js';
import { filterColumns, parseFilterExpression } from './filter-expression.js';

function sql(expression: string): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  return { sql: filterToSql(parseFilterExpression(expression), params), params: params.values };
}

function filterError(expression: string): CairnError {
  try {
    parseFilterExpression(expression);
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    return err as CairnError;
  }
  throw new Error(`expected ${expression} to be rejected`);
}

describe('parseFilterExpression', () => {
  it('parses Azure ML style comparisons joined by and/or, with precedence', () => {
    expect(sql('col("Age") > 30 and col("Sex") == "male" or col("Pclass") <= 2')).toEqual({
      sql: '((("Age" > $1) AND ("Sex" = $2)) OR ("Pclass" <= $3))',
      params: [30, 'male', 2],
    });
  });

  it('honours parentheses and not', () => {
    expect(sql('not (col("a") != 1 or col("b") >= -2.5e1)').sql).toBe('(NOT (("a" <> $1) OR ("b" >= $2)))');
    expect(sql('col("b") >= -2.5e1').params).toEqual([-25]);
  });

  it('accepts keywords in any case and Python spellings of booleans and null', () => {
    expect(sql('col("ok") == True AND col("x") IS NOT None').sql).toBe(
      '(("ok" = TRUE) AND ("x" IS NOT NULL))',
    );
    expect(sql("col('x') == null").sql).toBe('("x" IS NULL)');
    expect(sql('null != col("x")').sql).toBe('("x" IS NOT NULL)');
  });

  it('supports in and not in lists, and a bare boolean column', () => {
    expect(sql('col("c") in ["a", "b"] and col("d") not in [1]')).toEqual({
      sql: '(("c" IN ($1, $2)) AND ("d" NOT IN ($3)))',
      params: ['a', 'b', 1],
    });
    expect(sql('col("flag")').sql).toBe('("flag")');
  });

  it('binds every literal, so quotes in values never become SQL', () => {
    const out = sql(`col("name") == "x'; DROP TABLE t; --" and col("we\\"ird") == 'it\\'s'`);
    expect(out.params).toEqual(["x'; DROP TABLE t; --", "it's"]);
    expect(out.sql).not.toContain('DROP');
  });

  it('quotes column names, doubling their quotes', () => {
    expect(sql('col("a\\"b") == 1').sql).toBe('("a""b" = $1)');
  });

  it('lists the columns an expression uses', () => {
    expect(
      filterColumns(parseFilterExpression('col("a") > 1 and (col("b") in [1] or col("a") is null)')),
    ).toEqual(['a', 'b']);
  });

  it.each([
    ['col("a") = 1', 'use == to compare', 10],
    ['col("a") > 1 && col("b") < 2', 'use "and" / "or"', 14],
    ['col(a) > 1', 'expected a column name in quotes', 5],
    ['col("a") >', 'expected col("name") or a value, got the end', 11],
    ['age > 1', 'unknown word "age": refer to a column as col("age")', 1],
    ['1 > 2', 'needs a column on at least one side', 1],
    ['col("a") > null', 'null can only be compared with == or !=', 10],
    ['col("a") == "open', 'not closed', 13],
    ['(col("a") > 1', 'expected ) to close the parenthesis', 14],
    ['col("a") > 1 col("b")', 'expected "and", "or" or the end', 14],
    ['col("a") in [1, x]', 'expected a value in the list', 17],
    ['"a" in [1]', '"in" needs a column on its left', 1],
    ['col("a") $ 1', 'unexpected character "$"', 10],
    ['   ', 'the expression is empty', 1],
  ])('rejects %s', (expression, message, character) => {
    const err = filterError(expression);
    expect(err.message).toContain(message);
    expect(err.message).toContain(`(at character ${character})`);
    expect(err.details).toMatchObject({ field: 'filter', position: character - 1 });
  });

  it('refuses nesting deep enough to exhaust the stack, and overlong expressions', () => {
    expect(filterError(`${'('.repeat(200)}col("a")${')'.repeat(200)}`).message).toContain('nested more than');
    expect(filterError(`col("a") == "${'x'.repeat(20_000)}"`).message).toContain('at most 10000 characters');
  });
});

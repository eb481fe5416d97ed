import { describe, expect, it } from 'vitest';
import { expectFilterError } from './expect-filter-error.js';
import { parseRunFilter, parseRunOrderBy } from './run-filter.js';

const expectError = expectFilterError;

const one = (filter: string) => {
  const clauses = parseRunFilter(filter);
  expect(clauses).toHaveLength(1);
  return clauses[0]!;
};

describe('parseRunFilter: accepted filters', () => {
  it('returns no clauses for an empty, null or blank filter', () => {
    expect(parseRunFilter('')).toEqual([]);
    expect(parseRunFilter(null)).toEqual([]);
    expect(parseRunFilter(undefined)).toEqual([]);
    expect(parseRunFilter('   ')).toEqual([]);
  });

  it('parses clauses joined by AND in any case, with positions', () => {
    expect(parseRunFilter("metrics.acc > 0.9 and params.model = 'cnn' AnD tags.t != 'x'")).toEqual([
      { entity: 'metric', key: 'acc', comparator: '>', value: { kind: 'number', value: 0.9 }, position: 0 },
      {
        entity: 'param',
        key: 'model',
        comparator: '=',
        value: { kind: 'string', value: 'cnn' },
        position: 22,
      },
      { entity: 'tag', key: 't', comparator: '!=', value: { kind: 'string', value: 'x' }, position: 47 },
    ]);
  });

  it('tolerates a trailing AND and surrounding whitespace, as MLflow does', () => {
    expect(parseRunFilter('  metrics.a > 1 AND  ')).toHaveLength(1);
  });

  it.each([
    ['metric.x', 'metric'],
    ['metrics.x', 'metric'],
    ['param.x', 'param'],
    ['params.x', 'param'],
    ['parameter.x', 'param'],
    ['parameters.x', 'param'],
    ['tag.x', 'tag'],
    ['tags.x', 'tag'],
  ])('maps the prefix of %s to %s', (ident, entity) => {
    const value = entity === 'metric' ? '1' : "'v'";
    expect(one(`${ident} = ${value}`)).toMatchObject({ entity, key: 'x' });
  });

  it.each(['attribute', 'attributes', 'attr', 'run'])('maps the %s. prefix to an attribute', (prefix) => {
    expect(one(`${prefix}.status = 'FINISHED'`)).toMatchObject({ entity: 'attribute', key: 'status' });
  });

  it.each(['dataset', 'datasets'])('maps the %s. prefix to a dataset', (prefix) => {
    expect(one(`${prefix}.name = 'mnist'`)).toMatchObject({ entity: 'dataset', key: 'name' });
  });

  it('treats a bare key as an attribute and resolves aliases', () => {
    expect(one("run_id = 'abc'")).toMatchObject({ entity: 'attribute', key: 'run_id' });
    expect(one('created > 5')).toMatchObject({ entity: 'attribute', key: 'start_time' });
    expect(one('Created > 5')).toMatchObject({ key: 'start_time' });
    expect(one("`run name` = 'x'")).toMatchObject({ key: 'run_name' });
    expect(one("attributes.`Run Name` = 'x'")).toMatchObject({ key: 'run_name' });
    expect(one("run_name = 'x'")).toMatchObject({ key: 'run_name' });
  });

  it.each(['run_id', 'run_name', 'status', 'user_id', 'artifact_uri'])(
    'accepts the string attribute %s',
    (key) => {
      expect(one(`attributes.${key} LIKE 'a%'`)).toMatchObject({ key, comparator: 'LIKE' });
    },
  );

  it.each(['start_time', 'end_time'])(
    'accepts the numeric attribute %s with every numeric operator',
    (key) => {
      for (const op of ['>', '>=', '=', '!=', '<', '<=']) {
        expect(one(`${key} ${op} 1700000000000`)).toMatchObject({
          key,
          comparator: op,
          value: { kind: 'number', value: 1700000000000 },
        });
      }
    },
  );

  it('reads quoted keys: backticks, double and single quotes, and a fully quoted identifier', () => {
    expect(one('metrics.`my key` > 1')).toMatchObject({ entity: 'metric', key: 'my key' });
    expect(one('metrics."my key" > 1')).toMatchObject({ key: 'my key' });
    expect(one("params.'x y' = 'a'")).toMatchObject({ key: 'x y' });
    expect(one("`tags.a b` = 'a'")).toMatchObject({ entity: 'tag', key: 'a b' });
    expect(one("`tags`.x = 'a'")).toMatchObject({ entity: 'tag', key: 'x' });
    expect(one('tags."mlflow.runName" = \'a\'')).toMatchObject({ key: 'mlflow.runName' });
  });

  it('keeps dots, dashes and slashes in unquoted keys', () => {
    expect(one("tags.mlflow.runName = 'x'")).toMatchObject({ entity: 'tag', key: 'mlflow.runName' });
    expect(one('metrics.val/loss-2 < 3')).toMatchObject({ key: 'val/loss-2' });
  });

  it('reads numbers: negative, decimal, leading dot, trailing dot, exponent', () => {
    const value = (text: string) => one(`metrics.x > ${text}`).value;
    expect(value('-1')).toEqual({ kind: 'number', value: -1 });
    expect(value('0.25')).toEqual({ kind: 'number', value: 0.25 });
    expect(value('.5')).toEqual({ kind: 'number', value: 0.5 });
    expect(value('1.')).toEqual({ kind: 'number', value: 1 });
    expect(value('1e3')).toEqual({ kind: 'number', value: 1000 });
    expect(value('2.5E-2')).toEqual({ kind: 'number', value: 0.025 });
  });

  it('accepts operators without surrounding spaces', () => {
    expect(parseRunFilter("metrics.x>=1 AND params.y!='z'")).toMatchObject([
      { comparator: '>=', value: { value: 1 } },
      { comparator: '!=', value: { value: 'z' } },
    ]);
  });

  it('reads single- and double-quoted strings and their escaped quotes', () => {
    expect(one("params.x = 'a'").value).toEqual({ kind: 'string', value: 'a' });
    expect(one('params.x = "dq"').value).toEqual({ kind: 'string', value: 'dq' });
    expect(one("params.x = 'it''s'").value).toEqual({ kind: 'string', value: "it's" });
    expect(one("params.x = 'it\\'s'").value).toEqual({ kind: 'string', value: "it's" });
    expect(one('params.x = "say ""hi"""').value).toEqual({ kind: 'string', value: 'say "hi"' });
    expect(one("params.x = 'a\\%b'").value).toEqual({ kind: 'string', value: 'a\\%b' });
    expect(one("params.x = ''").value).toEqual({ kind: 'string', value: '' });
  });

  it('reads LIKE, ILIKE, IS NULL and IS NOT NULL case-insensitively for params and tags', () => {
    expect(one("params.x like 'a%'").comparator).toBe('LIKE');
    expect(one("tags.x ILike '%A'").comparator).toBe('ILIKE');
    expect(one('params.x is null')).toMatchObject({ comparator: 'IS NULL', value: { kind: 'none' } });
    expect(one('tags.x IS  NOT   NULL')).toMatchObject({
      comparator: 'IS NOT NULL',
      value: { kind: 'none' },
    });
  });

  it('reads IN and NOT IN lists for run_id, with a trailing comma', () => {
    expect(one('attributes.run_id IN (\'a\', "b")')).toMatchObject({
      comparator: 'IN',
      value: { kind: 'list', values: ['a', 'b'] },
    });
    expect(one("run_id not in ('a',)")).toMatchObject({
      comparator: 'NOT IN',
      value: { kind: 'list', values: ['a'] },
    });
  });

  it('reads IN lists and LIKE for dataset name, digest and context', () => {
    expect(one("datasets.digest IN ('x','y')").value).toEqual({ kind: 'list', values: ['x', 'y'] });
    expect(one("dataset.context LIKE 'tr%'")).toMatchObject({ key: 'context', comparator: 'LIKE' });
  });
});

describe('parseRunFilter: errors name the position and the fragment', () => {
  it('rejects a comparator the entity does not support', () => {
    const err = expectError(
      () => parseRunFilter("metrics.acc > 1 AND metrics.loss LIKE 'x'"),
      33,
      "Invalid filter at position 33: expected a comparison operator after 'metrics.loss', found 'LIKE'",
      '(metrics support >, >=, =, !=, <, <=)',
    );
    expect(err.details.field).toBe('filter');
  });

  it('rejects IS NULL on metrics and attributes', () => {
    expectError(() => parseRunFilter('metrics.x IS NULL'), 10, "found 'IS'");
    expectError(() => parseRunFilter('end_time IS NULL'), 9, "found 'IS'", 'end_time is a time');
  });

  it('rejects LIKE on numeric attributes and IN on string attributes other than run_id', () => {
    expectError(() => parseRunFilter("start_time LIKE '1%'"), 11, "found 'LIKE'");
    expectError(
      () => parseRunFilter("status IN ('FINISHED')"),
      7,
      "found 'IN'",
      'IN and NOT IN apply to run_id only',
    );
    expectError(() => parseRunFilter("params.x IN ('a')"), 9, "found 'IN'", 'params support');
  });

  it('rejects == and <> with a hint', () => {
    expectError(() => parseRunFilter('metrics.x == 1'), 10, "found '=='", "use '=' for equality");
    expectError(() => parseRunFilter('metrics.x <> 1'), 10, "found '<>'", "use '!='");
  });

  it('rejects a missing operator or value', () => {
    expectError(() => parseRunFilter('metrics.acc'), 11, 'expected a comparison operator', 'end of input');
    expectError(() => parseRunFilter('metrics.acc >'), 13, 'expected a value', 'end of input');
    expectError(() => parseRunFilter('metrics.acc 0.5'), 12, "found '0.5'");
  });

  it('rejects a quoted value for a metric and a non-number', () => {
    expectError(() => parseRunFilter("metrics.acc = 'x'"), 14, 'expected a number', "found ''x''");
    expectError(() => parseRunFilter('metrics.acc = abc'), 14, "found 'abc'");
    expectError(() => parseRunFilter('metrics.x>1and metrics.y<2'), 10, "found '1and'");
    expectError(
      () => parseRunFilter("start_time = '5'"),
      13,
      'expected a number',
      'start_time is compared as a number',
    );
  });

  it('rejects an unquoted value for params, tags, string attributes and datasets', () => {
    expectError(
      () => parseRunFilter('params.x = 1'),
      11,
      'expected a quoted string for params.x',
      "found '1'",
    );
    expectError(() => parseRunFilter('tags.x = abc'), 9, 'expected a quoted string', "found 'abc'");
    expectError(() => parseRunFilter('status = FINISHED'), 9, 'expected a quoted string for status');
    expectError(() => parseRunFilter('datasets.name = 5'), 16, 'expected a quoted string');
  });

  it('rejects unknown entity types, attribute keys and dataset keys', () => {
    expectError(() => parseRunFilter("foo.bar = 'x'"), 0, "Invalid entity type 'foo' in 'foo.bar'");
    expectError(() => parseRunFilter('metrics.a > 1 AND METRICS.b > 1'), 18, "Invalid entity type 'METRICS'");
    expectError(
      () => parseRunFilter("lifecycle_stage = 'deleted'"),
      0,
      "Invalid attribute key 'lifecycle_stage'",
    );
    expectError(() => parseRunFilter("attributes.foo = 'x'"), 0, "Invalid attribute key 'foo'");
    expectError(() => parseRunFilter("datasets.foo = 'x'"), 0, "Invalid dataset key 'foo'");
  });

  it('rejects OR, parentheses, semicolons and junk between clauses', () => {
    expectError(() => parseRunFilter('metrics.a > 1 or metrics.b < 2'), 14, 'OR is not supported');
    expectError(() => parseRunFilter('(metrics.x > 1)'), 0, "found '('", 'parentheses are not supported');
    expectError(() => parseRunFilter("metrics.x > 1 AND (params.y = 'a')"), 18, "found '('");
    expectError(
      () => parseRunFilter('metrics.a > 1; metrics.b > 2'),
      13,
      'expected AND between clauses',
      "found ';'",
    );
    expectError(() => parseRunFilter('metrics.a > 1 NAND metrics.b > 2'), 14, "found 'NAND'");
    expectError(() => parseRunFilter('metrics.a > 1 ANDmetrics.b > 2'), 14, 'expected AND');
  });

  it('rejects a filter that starts with a value or an operator', () => {
    expectError(() => parseRunFilter("'x' = params.a"), 0, 'expected a key', "found ''x''");
    expectError(() => parseRunFilter('> 1'), 0, 'expected a key', "found '>'");
    expectError(() => parseRunFilter('1 > 1'), 0, 'expected a key');
  });

  it('rejects an empty key after a prefix', () => {
    expectError(
      () => parseRunFilter('metrics. > 1'),
      8,
      "expected a key name after 'metrics.'",
      'found whitespace',
    );
    expectError(() => parseRunFilter('metrics.'), 8, 'end of input');
  });

  it('rejects unterminated strings and quoted keys', () => {
    expectError(() => parseRunFilter("params.x = 'abc"), 11, 'unterminated string', "add the closing '");
    expectError(() => parseRunFilter('metrics.`my key > 1'), 8, 'unterminated quoted key');
    expectError(() => parseRunFilter('`metrics.a > 1'), 0, 'unterminated quoted name');
  });

  it('rejects malformed NOT IN and IS NULL', () => {
    expectError(() => parseRunFilter("params.x NOT LIKE 'a'"), 13, 'expected IN after NOT', "found 'LIKE'");
    expectError(() => parseRunFilter('params.x IS FOO'), 12, 'expected NULL after IS', "found 'FOO'");
    expectError(() => parseRunFilter('params.x IS NOT'), 15, 'expected NULL after IS NOT', 'end of input');
  });

  it('rejects malformed IN lists', () => {
    expectError(() => parseRunFilter("run_id IN 'a'"), 10, 'expected a parenthesised list', "found ''a''");
    expectError(() => parseRunFilter('run_id IN ()'), 10, 'non-empty list', "found '()'");
    expectError(() => parseRunFilter('run_id IN (1, 2)'), 11, 'expected a quoted string', "found '1'");
    expectError(() => parseRunFilter("run_id IN ('a' 'b')"), 15, "expected ',' or ')'", "found ''b''");
    expectError(() => parseRunFilter("run_id IN ('a'"), 14, 'unterminated list opened at position 10');
  });

  it('marks every error INVALID_ARGUMENT on the filter field', () => {
    const err = expectError(() => parseRunFilter('x'), 0, "Invalid attribute key 'x'");
    expect(err.status).toBe(400);
    expect(err.details).toEqual({ field: 'filter', position: 0 });
  });
});

describe('parseRunOrderBy', () => {
  it('parses keys with and without a direction, quoted keys and aliases', () => {
    expect(
      parseRunOrderBy(['metrics.rmse DESC', 'params.x', 'attributes.start_time ASC', '`tags.a b` desc']),
    ).toEqual([
      { entity: 'metric', key: 'rmse', ascending: false },
      { entity: 'param', key: 'x', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: true },
      { entity: 'tag', key: 'a b', ascending: false },
    ]);
    expect(parseRunOrderBy(['created DESC'])).toEqual([
      { entity: 'attribute', key: 'start_time', ascending: false },
    ]);
  });

  it('parses every prefix and quoting form', () => {
    expect(
      parseRunOrderBy(['metrics.`my key` desc', 'tags."mlflow.runName"', 'run_name', 'param.p  asc ']),
    ).toEqual([
      { entity: 'metric', key: 'my key', ascending: false },
      { entity: 'tag', key: 'mlflow.runName', ascending: true },
      { entity: 'attribute', key: 'run_name', ascending: true },
      { entity: 'param', key: 'p', ascending: true },
    ]);
    expect(parseRunOrderBy(null)).toEqual([]);
    expect(parseRunOrderBy(['end_time'])).toEqual([
      { entity: 'attribute', key: 'end_time', ascending: true },
    ]);
  });

  it('rejects duplicate keys, also across aliases', () => {
    const err = expectError(() => parseRunOrderBy(['metrics.x', 'metric.x DESC']), 0, 'duplicate fields');
    expect(err.details.field).toBe('order_by[1]');
    expectError(() => parseRunOrderBy(['start_time', 'created DESC']), 0, 'duplicate fields');
  });

  it('rejects a bad direction, trailing junk, datasets, unknown attributes and empty clauses', () => {
    expectError(() => parseRunOrderBy(['tags.a b']), 7, 'expected ASC or DESC', "found 'b'");
    expectError(() => parseRunOrderBy(['metrics.x DESC NULLS']), 15, 'expected nothing after');
    expectError(() => parseRunOrderBy(['metrics.x sideways']), 10, "found 'sideways'");
    expectError(() => parseRunOrderBy(['datasets.name']), 0, 'datasets cannot be ordered by');
    expectError(() => parseRunOrderBy(['lifecycle_stage']), 0, "Invalid attribute key 'lifecycle_stage'");
    expectError(() => parseRunOrderBy(['foo.x']), 0, "Invalid entity type 'foo'");
    expectError(() => parseRunOrderBy(['  ']), 2, 'expected a key to order by');
    const err = expectError(
      () => parseRunOrderBy(['metrics.a', 'bogus']),
      0,
      "Invalid order_by clause 'bogus'",
    );
    expect(err.details.field).toBe('order_by[1]');
  });
});

import { describe, expect, it } from 'vitest';
import { expectFilterError } from './expect-filter-error.js';
import { parseExperimentFilter, parseExperimentOrderBy } from './experiment-filter.js';

const expectError = expectFilterError;

describe('parseExperimentFilter', () => {
  it('parses names, times, ids and tags', () => {
    expect(
      parseExperimentFilter(
        "name LIKE 'exp-%' AND creation_time >= 5 AND attribute.last_update_time < 9 AND tags.team = 'cv' AND tag.t IS NULL",
      ),
    ).toEqual([
      {
        entity: 'attribute',
        key: 'name',
        comparator: 'LIKE',
        value: { kind: 'string', value: 'exp-%' },
        position: 0,
      },
      {
        entity: 'attribute',
        key: 'creation_time',
        comparator: '>=',
        value: { kind: 'number', value: 5 },
        position: 22,
      },
      {
        entity: 'attribute',
        key: 'last_update_time',
        comparator: '<',
        value: { kind: 'number', value: 9 },
        position: 45,
      },
      { entity: 'tag', key: 'team', comparator: '=', value: { kind: 'string', value: 'cv' }, position: 80 },
      { entity: 'tag', key: 't', comparator: 'IS NULL', value: { kind: 'none' }, position: 101 },
    ]);
    expect(parseExperimentFilter('')).toEqual([]);
  });

  it('reads experiment_id quoted or not, and as a list', () => {
    expect(parseExperimentFilter("experiment_id = '12'")[0]!.value).toEqual({ kind: 'number', value: 12 });
    expect(parseExperimentFilter('experiment_id != 3')[0]!.value).toEqual({ kind: 'number', value: 3 });
    expect(parseExperimentFilter("experiment_id NOT IN ('1', 2)")[0]).toMatchObject({
      comparator: 'NOT IN',
      value: { kind: 'list', values: ['1', '2'] },
    });
  });

  it('rejects what MLflow rejects', () => {
    expectError(
      () => parseExperimentFilter("experiment_id = 'x'"),
      16,
      "experiment_id must be an integer id, found 'x'",
    );
    expectError(() => parseExperimentFilter("experiment_id IN ('1', 'y')"), 23, "found 'y'");
    expectError(() => parseExperimentFilter('experiment_id > 1'), 14, "found '>'");
    expectError(() => parseExperimentFilter('creation_time > 1.5'), 16, 'expected an integer', "found '1.5'");
    expectError(() => parseExperimentFilter("creation_time = '1'"), 16, 'expected an integer');
    expectError(() => parseExperimentFilter("name IN ('a')"), 5, "found 'IN'");
    expectError(() => parseExperimentFilter('name IS NULL'), 5, "found 'IS'");
    expectError(() => parseExperimentFilter('metrics.x > 1'), 0, "Invalid entity type 'metrics'");
    expectError(
      () => parseExperimentFilter("artifact_location = 'x'"),
      0,
      "Invalid attribute key 'artifact_location'",
    );
    expectError(() => parseExperimentFilter("name = 'a' OR name = 'b'"), 11, 'OR is not supported');
  });
});

describe('parseExperimentOrderBy', () => {
  it('parses attribute keys with directions', () => {
    expect(parseExperimentOrderBy(['name', 'creation_time DESC', 'attribute.experiment_id asc'])).toEqual([
      { key: 'name', ascending: true },
      { key: 'creation_time', ascending: false },
      { key: 'experiment_id', ascending: true },
    ]);
    expect(parseExperimentOrderBy(undefined)).toEqual([]);
  });

  it('rejects tags, unknown keys, duplicates and bad directions', () => {
    expectError(() => parseExperimentOrderBy(['tags.x']), 0, 'can only be ordered by');
    expectError(
      () => parseExperimentOrderBy(['lifecycle_stage']),
      0,
      "Invalid attribute key 'lifecycle_stage'",
    );
    expectError(() => parseExperimentOrderBy(['name', 'name DESC']), 0, 'duplicate fields');
    expectError(() => parseExperimentOrderBy(['name up']), 5, 'expected ASC or DESC');
  });
});

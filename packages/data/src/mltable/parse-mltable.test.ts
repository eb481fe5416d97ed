import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, ErrorCode } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { loadMLTable, parseMLTable } from './parse-mltable.js';

function rejected(text: string): CairnError {
  try {
    parseMLTable(text, 'data/MLTable');
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    return err as CairnError;
  }
  throw new Error('expected the MLTable to be rejected');
}

describe('parseMLTable', () => {
  it('reads paths and every supported transformation, filling Azure ML defaults', () => {
    const table = parseMLTable(
      [
        '$schema: https://azuremlschemas.azureedge.net/latest/MLTable.schema.json',
        'type: mltable',
        'paths:',
        '  - file: ./titanic.csv',
        '  - folder: ./more',
        '  - pattern: ./parts/*.csv',
        'transformations:',
        '  - read_delimited:',
        "      delimiter: ';'",
        '      header: no_header',
        '      include_path_column: true',
        '  - take_random_sample: {probability: 0.5, seed: 7}',
        '  - skip: 1',
        '  - take: 10',
        '  - keep_columns: [a, b, c]',
        '  - drop_columns: c',
        '  - filter: \'col("a") > 0\'',
        '  - convert_column_types:',
        '      - columns: [a]',
        '        column_type: int',
        '      - columns: b',
        '        column_type: {datetime: {formats: ["%Y-%m-%d"]}}',
      ].join('\n'),
    );
    expect(table.paths).toEqual([
      { file: './titanic.csv' },
      { folder: './more' },
      { pattern: './parts/*.csv' },
    ]);
    expect(table.transformations.map((t) => t.type)).toEqual([
      'read_delimited',
      'take_random_sample',
      'skip',
      'take',
      'keep_columns',
      'drop_columns',
      'filter',
      'convert_column_types',
    ]);
    expect(table.transformations[0]).toEqual({
      type: 'read_delimited',
      delimiter: ';',
      header: 'no_header',
      encoding: 'utf8',
      emptyAsString: false,
      includePathColumn: true,
      pathColumn: 'Path',
      inferColumnTypes: true,
      supportMultiLine: false,
    });
    expect(table.transformations[5]).toEqual({ type: 'drop_columns', columns: ['c'] });
    expect(table.transformations[7]).toEqual({
      type: 'convert_column_types',
      conversions: [
        { columns: ['a'], to: 'int' },
        { columns: ['b'], to: 'datetime', formats: ['%Y-%m-%d'] },
      ],
    });
    expect(table.locate(['transformations', 6, 'filter'])).toEqual({ line: 17, column: 13 });
  });

  it('accepts a read transformation with no arguments, bare or empty', () => {
    expect(
      parseMLTable('paths: [{file: a.parquet}]\ntransformations: [read_parquet]').transformations,
    ).toEqual([{ type: 'read_parquet', includePathColumn: false, pathColumn: 'Path' }]);
    expect(
      parseMLTable('paths: [{file: a.jsonl}]\ntransformations:\n  - read_json_lines:\n').transformations[0],
    ).toEqual({
      type: 'read_json_lines',
      encoding: 'utf8',
      includePathColumn: false,
      pathColumn: 'Path',
      invalidLines: 'error',
    });
  });

  it('reports a YAML syntax error with the file, line and column', () => {
    const err = rejected('type: mltable\npaths:\n  - file: [unclosed\ntransformations: []\n');
    expect(err.message).toMatch(/^data\/MLTable:\d+:\d+: YAML syntax error/);
    expect(err.details).toMatchObject({ file: 'data/MLTable' });
  });

  it('names an unknown transformation, suggests the near one and lists the known ones', () => {
    const err = rejected(
      'paths: [{file: a.csv}]\ntransformations:\n  - read_delimited: {}\n  - keep_colums: [a]\n',
    );
    expect(err.message).toBe(
      'data/MLTable:4:5: transformations[1].keep_colums: unknown transformation "keep_colums" (did you mean ' +
        '"keep_columns"?); the known ones are read_delimited, read_parquet, read_json_lines, take, skip, ' +
        'take_random_sample, keep_columns, drop_columns, filter, convert_column_types',
    );
    expect(err.details).toMatchObject({ field: 'transformations[1].keep_colums', line: 4, column: 5 });
  });

  it('says which Azure ML transformations Cairn does not run', () => {
    expect(
      rejected('paths: [{folder: t}]\ntransformations:\n  - read_delta_lake: {version_as_of: 1}\n').message,
    ).toContain(
      'transformation "read_delta_lake" is not supported by Cairn: Delta Lake tables are not supported',
    );
  });

  it('points a bad filter at its line and character', () => {
    const err = rejected(
      'paths: [{file: a.csv}]\ntransformations:\n  - read_delimited: {}\n  - filter: \'col("a") => 1\'\n',
    );
    expect(err.message).toBe(
      'data/MLTable:4:13: transformations[1].filter: invalid filter "col(\\"a\\") => 1": use == to compare for equality (at character 10)',
    );
  });

  it('reports every problem at once, in file order', () => {
    const err = rejected(
      [
        'type: mltabel',
        'paths:',
        '  - file: a.csv',
        '    folder: b',
        '  - files: c.csv',
        'transformations:',
        '  - take: -1',
        '  - read_parquet',
        '  - skip: two',
      ].join('\n'),
    );
    const lines = err.message.split('\n');
    expect(lines[0]).toMatch(/^data\/MLTable:1:7: type: expected "mltable", got "mltabel"/);
    expect(
      lines.some((l) =>
        l.includes('paths[0]: each path needs exactly one of file, folder or pattern, got 2'),
      ),
    ).toBe(true);
    expect(
      lines.some((l) =>
        /^data\/MLTable:5:5: paths\[1\]\.files: unknown field "files" \(did you mean "file/.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes('transformations[0].take: expected a number >= 0, got -1'))).toBe(
      true,
    );
    expect(
      lines.some((l) => l.includes('transformations[1].read_parquet: read_parquet must be the first')),
    ).toBe(true);
    expect(lines.some((l) => l.includes('transformations[2].skip: expected a number, got "two"'))).toBe(true);
    expect((err.details.issues as unknown[]).length).toBe(lines.length);
  });

  it('checks the options of a read transformation', () => {
    const err = rejected(
      'paths: [{file: a}]\ntransformations:\n  - read_delimited: {header: first_line, encoding: utf32, quote: x}\n',
    );
    expect(err.message).toContain('read_delimited.header: expected one of "no_header", "from_first_file"');
    expect(err.message).toContain('read_delimited.encoding: utf32 is not supported by Cairn');
    expect(err.message).toContain('read_delimited.quote: unknown field "quote"');
  });

  it('requires at least one path and allows only one read transformation', () => {
    expect(rejected('type: mltable\n').message).toContain('paths: is required');
    expect(rejected('paths: []\n').message).toContain('paths: expected a list with at least 1 item');
    expect(
      rejected('paths: [{file: a}]\ntransformations: [read_parquet, {read_delimited: {}}]\n').message,
    ).toContain('only one read transformation is allowed');
  });

  it('loads a file from disk, and names a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-mltable-'));
    try {
      await writeFile(join(dir, 'MLTable'), 'paths:\n  - file: ./x.csv\n');
      expect((await loadMLTable(join(dir, 'MLTable'), 'MLTable')).paths).toEqual([{ file: './x.csv' }]);
      await expect(loadMLTable(join(dir, 'nope', 'MLTable'), 'nope/MLTable')).rejects.toThrow(
        'MLTable file nope/MLTable does not exist',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

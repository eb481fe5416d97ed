import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CairnError, ErrorCode } from '@cairn/core';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { previewTable } from './preview-table.js';
import type { TableSource } from './table-source.js';
import { tableSourceFromPath } from './table-source.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-preview-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

const files = (...paths: string[]): TableSource => ({ kind: 'files', paths });

async function failure(
  promise: Promise<unknown>,
  code: ErrorCode = ErrorCode.INVALID_ARGUMENT,
): Promise<CairnError> {
  const err = await promise.then(
    () => new Error(`expected ${code}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CairnError);
  expect((err as CairnError).code).toBe(code);
  return err as CairnError;
}

/** Writes a Parquet file with DuckDB itself. */
async function writeParquet(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
  return path;
}

describe('previewTable on files', () => {
  it('reads a CSV with nulls: schema, typed rows and plain JSON values', async () => {
    const path = await write(
      'people.csv',
      'id,name,born,score\n1,Ada,1815-12-10,9.5\n2,,,\n3,Alan,1912-06-23,7\n',
    );
    const preview = await previewTable({ source: files(path) });
    expect(preview.columns).toEqual([
      { name: 'id', type: 'BIGINT', kind: 'numeric' },
      { name: 'name', type: 'VARCHAR', kind: 'string' },
      { name: 'born', type: 'DATE', kind: 'temporal' },
      { name: 'score', type: 'DOUBLE', kind: 'numeric' },
    ]);
    expect(preview.rows).toEqual([
      [1, 'Ada', '1815-12-10', 9.5],
      [2, null, null, null],
      [3, 'Alan', '1912-06-23', 7],
    ]);
    expect(preview.truncated).toBe(false);
    expect(preview.source).toEqual({ format: 'csv', files: 1, skippedFiles: 0, emptyFiles: 0 });
    expect(JSON.parse(JSON.stringify(preview))).toEqual(preview);
  });

  it('reads at most limit rows and says the table goes on', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i * 2}`).join('\n');
    const path = await write('n.csv', `a,b\n${rows}\n`);
    const preview = await previewTable({ source: files(path), limit: 10 });
    expect(preview.rows).toHaveLength(10);
    expect(preview.rows[9]).toEqual([9, 18]);
    expect(preview.truncated).toBe(true);
    expect((await previewTable({ source: files(path), limit: 50 })).truncated).toBe(false);
    await expect(previewTable({ source: files(path), limit: 0 })).rejects.toThrow(
      'limit must be an integer from 1',
    );
  });

  it('reads TSV, gzip-compressed CSV, JSON lines and Parquet', async () => {
    const tsv = await write('t.tsv', 'x\ty\n1\thello\n');
    expect((await previewTable({ source: files(tsv) })).rows).toEqual([[1, 'hello']]);
    const gz = await write('c.csv.gz', gzipSync('x,y\n2,b\n'));
    expect((await previewTable({ source: files(gz) })).rows).toEqual([[2, 'b']]);
    const jsonl = await write('j.jsonl', '{"a": 1, "b": "x"}\n{"a": 2, "c": true}\n');
    const json = await previewTable({ source: files(jsonl) });
    expect(json.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(json.rows).toEqual([
      [1, 'x', null],
      [2, null, true],
    ]);
    const parquet = await writeParquet(
      'p.parquet',
      "SELECT 9007199254740993::BIGINT AS big, 12.34::DECIMAL(10,2) AS price, TIMESTAMP '2024-05-01 10:30:00' AS at, [1, 2] AS list",
    );
    const pq = await previewTable({ source: files(parquet) });
    expect(pq.columns.map((c) => c.type)).toEqual(['BIGINT', 'DECIMAL(10,2)', 'TIMESTAMP', 'INTEGER[]']);
    // Beyond 2^53 a 64-bit integer stays an exact decimal string.
    expect(pq.rows).toEqual([['9007199254740993', 12.34, '2024-05-01T10:30:00', [1, 2]]]);
    expect(pq.source.format).toBe('parquet');
  });

  it('reads a folder of CSVs, leaving other files out and counting them', async () => {
    await write('data/a.csv', 'x,y\n1,a\n');
    await write('data/sub/b.csv', 'x,y\n2,b\n');
    await write('data/README.md', '# about\n');
    await write('data/.hidden.csv', 'x,y\n3,c\n');
    const preview = await previewTable({ source: await tableSourceFromPath(join(dir, 'data')) });
    expect(preview.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(preview.source).toEqual({ format: 'csv', files: 2, skippedFiles: 1, emptyFiles: 0 });
  });

  it('says a non-tabular file is not tabular', async () => {
    const png = await write('digit.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    const err = await failure(previewTable({ source: files(png) }));
    expect(err.message).toBe(
      'digit.png is not tabular: preview supports CSV/TSV, Parquet, JSON lines and MLTable ' +
        '(.csv, .tsv, .parquet, .jsonl, .ndjson, .json, optionally .gz, or a folder with an MLTable file)',
    );
    await write('images/a.png', 'x');
    await write('images/b.jpg', 'y');
    const folder = await failure(previewTable({ source: await tableSourceFromPath(join(dir, 'images')) }));
    expect(folder.message).toMatch(/^none of the 2 files is tabular: preview supports CSV\/TSV/);
  });

  it('reports a binary file named like a CSV as unreadable, without the server path', async () => {
    const path = await write('fake.csv', Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x0a, 0xc3, 0x28]));
    const err = await failure(previewTable({ source: files(path) }));
    expect(err.message).toMatch(/^cannot read the table: /);
    expect(err.message).not.toContain(dir);
  });

  it('refuses an empty file, and skips empty files beside others', async () => {
    const empty = await write('empty.csv', '');
    expect((await failure(previewTable({ source: files(empty) }))).message).toBe(
      'empty.csv is empty (0 bytes): there is no table to read',
    );
    const full = await write('full.csv', 'a\n1\n');
    const preview = await previewTable({ source: files(empty, full) });
    expect(preview.rows).toEqual([[1]]);
    expect(preview.source.emptyFiles).toBe(1);
  });

  it('gives a header-only CSV its columns and no rows', async () => {
    const path = await write('header.csv', 'a,b,c\n');
    const preview = await previewTable({ source: files(path) });
    expect(preview.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(preview.rows).toEqual([]);
  });

  it('asks to choose when a folder mixes formats, and names a missing file', async () => {
    const a = await write('a.csv', 'x\n1\n');
    const b = await write('b.jsonl', '{"x": 1}\n');
    expect((await failure(previewTable({ source: files(a, b) }))).message).toBe(
      'the files mix CSV and JSON lines; choose one with format (csv, tsv, parquet or jsonl)',
    );
    const txt = await write('c.txt', 'x;y\n1;2\n');
    expect((await previewTable({ source: { kind: 'files', paths: [txt], format: 'csv' } })).rows).toEqual([
      [1, 2],
    ]);
    await failure(previewTable({ source: files(join(dir, 'missing.csv')) }), ErrorCode.NOT_FOUND);
  });

  it('cuts long strings', async () => {
    const path = await write('long.csv', `t\n${'x'.repeat(5000)}\n`);
    const preview = await previewTable({ source: files(path), maxCellChars: 10 });
    expect(preview.rows[0]![0]).toBe(`${'x'.repeat(10)}…`);
  });

  it('stops when its signal is aborted', async () => {
    const path = await write('a.csv', 'x\n1\n');
    const controller = new AbortController();
    controller.abort();
    await expect(previewTable({ source: files(path), signal: controller.signal })).rejects.toThrow();
  });
});

describe('previewTable on an MLTable', () => {
  const mltable = async (yaml: string) => write('table/MLTable', yaml);

  beforeEach(async () => {
    await write(
      'table/data/part-1.csv',
      'id;name;age;joined\n1;Ada;36;2020-01-02\n2;Bob;;2021-03-04\n3;"Eve ""E""";52;2022-05-06\n',
    );
    await write('table/data/part-2.csv', 'id;name;age;joined\n4;Zed;19;2023-07-08\n');
  });

  it('applies read_delimited, filter, drop_columns and the path column (relative to the MLTable)', async () => {
    await mltable(
      [
        'type: mltable',
        'paths:',
        '  - pattern: ./data/*.csv',
        'transformations:',
        '  - read_delimited:',
        "      delimiter: ';'",
        '      include_path_column: true',
        '  - filter: \'col("age") > 20 or col("age") is null\'',
        '  - drop_columns: joined',
      ].join('\n'),
    );
    const preview = await previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } });
    expect(preview.columns.map((c) => c.name)).toEqual(['id', 'name', 'age', 'Path']);
    expect(preview.rows).toEqual([
      [1, 'Ada', 36, 'data/part-1.csv'],
      [2, 'Bob', null, 'data/part-1.csv'],
      [3, 'Eve "E"', 52, 'data/part-1.csv'],
    ]);
    expect(preview.source).toEqual({
      format: 'mltable',
      fileFormat: 'csv',
      files: 2,
      skippedFiles: 0,
      emptyFiles: 0,
    });
  });

  it('applies skip, take, keep_columns and convert_column_types in order', async () => {
    await mltable(
      [
        'paths:',
        '  - folder: ./data',
        'transformations:',
        "  - read_delimited: {delimiter: ';', infer_column_types: false}",
        '  - skip: 1',
        '  - take: 2',
        '  - keep_columns: [joined, AGE]',
        '  - convert_column_types:',
        '      - columns: age',
        '        column_type: int',
        '      - columns: joined',
        '        column_type: {datetime: {formats: ["%Y-%m-%d"]}}',
      ].join('\n'),
    );
    const preview = await previewTable({ source: await tableSourceFromPath(join(dir, 'table', 'MLTable')) });
    expect(preview.columns).toEqual([
      { name: 'joined', type: 'TIMESTAMP', kind: 'temporal' },
      { name: 'age', type: 'BIGINT', kind: 'numeric' },
    ]);
    expect(preview.rows).toEqual([
      ['2021-03-04T00:00:00', null],
      ['2022-05-06T00:00:00', 52],
    ]);
  });

  it('keeps a filter literal a value, whatever quotes it holds', async () => {
    await mltable(
      [
        'paths: [{folder: ./data}]',
        'transformations:',
        "  - read_delimited: {delimiter: ';'}",
        `  - filter: 'col("name") == "x''); DROP TABLE t; --" or col("name") == "Eve \\"E\\""'`,
      ].join('\n'),
    );
    const preview = await previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } });
    expect(preview.rows.map((r) => r[1])).toEqual(['Eve "E"']);
  });

  it('points a missing column at the transformation that names it', async () => {
    await mltable(
      [
        'paths: [{folder: ./data}]',
        'transformations:',
        "  - read_delimited: {delimiter: ';'}",
        '  - keep_columns: [id, agee]',
      ].join('\n'),
    );
    const err = await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }));
    expect(err.message).toBe(
      'MLTable:4:24: transformations[1].keep_columns[1]: there is no column "agee" (did you mean "age"?); the columns here are id, name, age, joined',
    );
  });

  it('reports a type mismatch in a filter as bad input', async () => {
    await mltable(
      [
        'paths: [{folder: ./data}]',
        'transformations:',
        "  - read_delimited: {delimiter: ';'}",
        '  - filter: \'col("name") > 5\'',
      ].join('\n'),
    );
    const err = await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }));
    expect(err.message).toContain('cannot read the table: Cannot compare values of type VARCHAR');
  });

  it('keeps paths inside the MLTable folder', async () => {
    await write('secret.csv', 'password\nhunter2\n');
    await mltable('paths:\n  - file: ../secret.csv\ntransformations: [read_delimited]\n');
    const outside = await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }));
    expect(outside.message).toBe(
      "MLTable:2:11: paths[0].file: ../secret.csv is outside the MLTable's folder; keep the data beside it",
    );
    await mltable(`paths:\n  - file: ${join(dir, 'secret.csv')}\n`);
    expect(
      (await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }))).message,
    ).toContain('is an absolute path; write it relative to the MLTable file');
    await mltable('paths:\n  - pattern: ../*.csv\n');
    expect(
      (await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }))).message,
    ).toContain('a pattern cannot reach outside the MLTable folder');
    await mltable('paths:\n  - file: azureml://datastores/blob/paths/x.csv\n');
    expect(
      (await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }))).message,
    ).toContain('is a URI; preview reads MLTable paths relative to the MLTable file only');
  });

  it('names a missing file, a folder given as a file and a pattern matching nothing', async () => {
    const check = async (yaml: string, message: string) => {
      await mltable(yaml);
      expect(
        (await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }))).message,
      ).toBe(message);
    };
    await check('paths:\n  - file: ./nope.csv\n', 'MLTable:2:11: paths[0].file: ./nope.csv does not exist');
    await check(
      'paths:\n  - file: ./data\n',
      'MLTable:2:11: paths[0].file: ./data is a folder; use folder: instead of file:',
    );
    await check(
      'paths:\n  - pattern: ./data/*.parquet\n',
      'MLTable:2:14: paths[0].pattern: the pattern ./data/*.parquet matches no file next to the MLTable',
    );
  });

  it('without a read transformation, is the table of its files', async () => {
    await mltable('paths:\n  - pattern: "**/*.csv"\ntransformations:\n  - take: 5\n');
    const preview = await previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } });
    expect(preview.columns).toEqual([{ name: 'Path', type: 'VARCHAR', kind: 'string' }]);
    expect(preview.rows).toEqual([['data/part-1.csv'], ['data/part-2.csv']]);
  });

  it('reads JSON lines, dropping invalid lines only when asked', async () => {
    await write('table/events.jsonl', '{"k": 1}\nnot json\n{"k": 2}\n');
    await mltable(
      'paths: [{file: events.jsonl}]\ntransformations:\n  - read_json_lines: {invalid_lines: drop}\n',
    );
    expect((await previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } })).rows).toEqual([
      [1],
      [2],
    ]);
    await mltable('paths: [{file: events.jsonl}]\ntransformations:\n  - read_json_lines\n');
    const err = await failure(previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } }));
    expect(err.message).toContain('Malformed JSON');
    expect(err.message).not.toContain(dir);
  });

  it('reads Parquet with a random sample that repeats for a seed', async () => {
    await writeParquet('table/p.parquet', 'SELECT range AS n FROM range(1000)');
    await mltable(
      'paths: [{file: p.parquet}]\ntransformations:\n  - read_parquet\n  - take_random_sample: {probability: 0.1, seed: 42}\n',
    );
    const source = { kind: 'mltable', path: join(dir, 'table') } as const;
    const first = await previewTable({ source, limit: 1000 });
    expect(first.rows.length).toBeGreaterThan(50);
    expect(first.rows.length).toBeLessThan(150);
    expect((await previewTable({ source, limit: 1000 })).rows).toEqual(first.rows);
  });

  it('reads empty fields as empty strings with empty_as_string', async () => {
    await mltable(
      "paths: [{folder: ./data}]\ntransformations:\n  - read_delimited: {delimiter: ';', empty_as_string: true}\n",
    );
    const preview = await previewTable({ source: { kind: 'mltable', path: join(dir, 'table') } });
    expect(preview.rows[1]).toEqual([2, 'Bob', '', '2021-03-04']);
  });
});

import { relative, sep } from 'node:path';
import { didYouMean } from '@cairn/core';
import { filterColumns } from '../mltable/filter-expression.js';
import type {
  ColumnConversion,
  Encoding,
  MLTable,
  MLTableTransformation,
  ReadTransformation,
} from '../mltable/mltable-spec.js';
import { mltableFieldError } from '../mltable/parse-mltable.js';
import type { TableSession } from './duckdb-session.js';
import { filterToSql, quoteIdent, type SqlParam, SqlParams } from './sql.js';
import type { ResolvedTable } from './table-source.js';

/** A query whose rows are the table, with its parameters. */
export interface TableRelation {
  sql: string;
  params: readonly SqlParam[];
}

// DuckDB reads UTF-8, UTF-16 and Latin-1 without extensions; windows1252 differs from Latin-1 only in 0x80–0x9F.
const DUCKDB_ENCODING: Record<Exclude<Encoding, 'utf32'>, string> = {
  utf8: 'utf-8',
  utf8bom: 'utf-8',
  ascii: 'utf-8',
  iso88591: 'latin-1',
  latin1: 'latin-1',
  windows1252: 'latin-1',
  utf16: 'utf-16',
};

/** A NUL never occurs in a text file, so as the null string it makes every empty field an empty string. */
const NO_NULL_STRING = '\u0000';

const options = (entries: [string, string][]): string => entries.map(([k, v]) => `, ${k} = ${v}`).join('');

/** The table function reading `resolved.files`: DuckDB's detection for plain files, the MLTable's settings otherwise. */
function readerSql(resolved: ResolvedTable, read: ReadTransformation | undefined, params: SqlParams): string {
  if (resolved.format === undefined) {
    // An MLTable without a read transformation is the table of its files' paths.
    const names = resolved.files.map((f) => relative(resolved.baseDir, f).split(sep).join('/'));
    return `SELECT unnest(${params.bind(names)}) AS "Path"`;
  }
  const files = params.bind(resolved.files);
  const opts: [string, string][] = [];
  if (read?.includePathColumn) opts.push(['filename', params.bind(read.pathColumn)]);
  let reader: string;
  switch (resolved.format) {
    case 'csv':
    case 'tsv':
      if (resolved.format === 'tsv') opts.push(['delim', params.bind('\t')]);
      if (read?.type === 'read_delimited') {
        opts.push(
          ['delim', params.bind(read.delimiter)],
          ['header', read.header === 'no_header' ? 'false' : 'true'],
          ['encoding', params.bind(DUCKDB_ENCODING[read.encoding as Exclude<Encoding, 'utf32'>] ?? 'utf-8')],
          ['all_varchar', read.inferColumnTypes ? 'false' : 'true'],
        );
        if (read.emptyAsString) opts.push(['nullstr', params.bind(NO_NULL_STRING)]);
        if (read.header === 'all_files_different_headers') opts.push(['union_by_name', 'true']);
      }
      reader = `read_csv(${files}${options(opts)})`;
      break;
    case 'parquet':
      if (resolved.files.length > 1) opts.push(['union_by_name', 'true']);
      reader = `read_parquet(${files}${options(opts)})`;
      break;
    case 'jsonl': {
      const strict = read?.type === 'read_json_lines';
      opts.push(['format', params.bind(strict ? 'newline_delimited' : 'auto')]);
      if (read?.type === 'read_json_lines' && read.invalidLines === 'drop')
        opts.push(['ignore_errors', 'true']);
      reader = `read_json(${files}${options(opts)})`;
      break;
    }
  }
  const select = `SELECT * FROM ${reader}`;
  if (!read?.includePathColumn) return select;
  // Show the Path column relative to the MLTable's folder, not as a path on this server.
  const col = quoteIdent(read.pathColumn);
  const prefix = params.bind(`${resolved.baseDir}${sep}`);
  return `SELECT * REPLACE (CASE WHEN starts_with(${col}, ${prefix}) THEN substr(${col}, length(${prefix}) + 1) ELSE ${col} END AS ${col}) FROM (${select})`;
}

function conversionSql(conversion: ColumnConversion, column: string, params: SqlParams): string {
  const q = quoteIdent(column);
  switch (conversion.to) {
    case 'int':
      return `TRY_CAST(${q} AS BIGINT)`;
    case 'float':
      return `TRY_CAST(${q} AS DOUBLE)`;
    case 'boolean':
      return `TRY_CAST(${q} AS BOOLEAN)`;
    case 'string':
      return `CAST(${q} AS VARCHAR)`;
    case 'datetime':
      return conversion.formats.length === 0
        ? `TRY_CAST(${q} AS TIMESTAMP)`
        : `try_strptime(CAST(${q} AS VARCHAR), ${params.bind(conversion.formats)})`;
  }
}

/** Applies one transformation after the read; checks the columns it names against `columns`. */
function applyTransformation(
  t: MLTableTransformation,
  index: number,
  sql: string,
  columns: string[],
  table: MLTable,
  params: SqlParams,
): { sql: string; columns: string[] } {
  const at = ['transformations', index, t.type];
  const find = (name: string, path: PropertyKey[]): string => {
    // DuckDB matches column names case-insensitively, quoted or not.
    const hit = columns.find((c) => c.toLowerCase() === name.toLowerCase());
    if (hit !== undefined) return hit;
    const listed = columns.length > 20 ? `${columns.slice(0, 20).join(', ')}, …` : columns.join(', ');
    throw mltableFieldError(
      table,
      path,
      `there is no column "${name}"${didYouMean(name, columns)}; the columns here are ${listed}`,
    );
  };
  switch (t.type) {
    case 'take':
      return { sql: `SELECT * FROM (${sql}) LIMIT ${t.count}`, columns };
    case 'skip':
      return { sql: `SELECT * FROM (${sql}) OFFSET ${t.count}`, columns };
    case 'take_random_sample': {
      const seed = t.seed === undefined ? '' : `, ${t.seed}`;
      return {
        sql: `SELECT * FROM (${sql}) USING SAMPLE ${t.probability * 100} PERCENT (bernoulli${seed})`,
        columns,
      };
    }
    case 'keep_columns': {
      const kept = t.columns.map((c, i) => find(c, [...at, i]));
      return { sql: `SELECT ${kept.map(quoteIdent).join(', ')} FROM (${sql})`, columns: [...new Set(kept)] };
    }
    case 'drop_columns': {
      const dropped = new Set(t.columns.map((c, i) => find(c, [...at, i])));
      const rest = columns.filter((c) => !dropped.has(c));
      if (rest.length === 0) throw mltableFieldError(table, at, 'this drops every column; keep at least one');
      return {
        sql: `SELECT * EXCLUDE (${[...dropped].map(quoteIdent).join(', ')}) FROM (${sql})`,
        columns: rest,
      };
    }
    case 'filter': {
      for (const name of filterColumns(t.parsed)) find(name, at);
      return { sql: `SELECT * FROM (${sql}) WHERE ${filterToSql(t.parsed, params)}`, columns };
    }
    case 'convert_column_types': {
      const byColumn = new Map<string, ColumnConversion>();
      t.conversions.forEach((conversion, i) => {
        for (const name of conversion.columns) byColumn.set(find(name, [...at, i, 'columns']), conversion);
      });
      const replaced = [...byColumn].map(
        ([c, conv]) => `${conversionSql(conv, c, params)} AS ${quoteIdent(c)}`,
      );
      return { sql: `SELECT * REPLACE (${replaced.join(', ')}) FROM (${sql})`, columns };
    }
    case 'read_delimited':
    case 'read_parquet':
    case 'read_json_lines':
      // parseMLTable allows a read transformation only first, where buildRelation consumes it.
      throw new Error(`${t.type} after the first transformation`);
  }
}

/**
 * The query reading `resolved` as a table. For an MLTable, the columns of the read step are described
 * once, so each transformation naming a missing column fails at its own line before any data is read.
 */
export async function buildRelation(session: TableSession, resolved: ResolvedTable): Promise<TableRelation> {
  const params = new SqlParams();
  const table = resolved.mltable;
  const first = table?.transformations[0];
  const read =
    first?.type === 'read_delimited' || first?.type === 'read_parquet' || first?.type === 'read_json_lines'
      ? first
      : undefined;
  let sql = readerSql(resolved, read, params);
  if (table === undefined) return { sql, params: params.values };
  const rest = table.transformations.slice(read === undefined ? 0 : 1);
  const dropInvalid = read?.type === 'read_json_lines' && read.invalidLines === 'drop';
  if (rest.length === 0 && !dropInvalid) return { sql, params: params.values };
  const described = await session.query(`DESCRIBE ${sql}`, params.values);
  let columns = described.getRowObjectsJson().map((r) => String(r.column_name));
  if (dropInvalid) {
    // DuckDB reads an invalid line as a row of nulls; drop those (and so also a line that is just `{}`).
    const fields = columns.filter((c) => !read.includePathColumn || c !== read.pathColumn);
    sql = `SELECT * FROM (${sql}) WHERE ${fields.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' OR ')}`;
  }
  const offset = read === undefined ? 0 : 1;
  rest.forEach((t, i) => {
    ({ sql, columns } = applyTransformation(t, i + offset, sql, columns, table, params));
  });
  return { sql, params: params.values };
}

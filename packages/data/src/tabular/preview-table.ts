import { invalidArgument } from '@cairn/core';
import type { DuckDBOptions } from './duckdb-session.js';
import { withTableSession } from './duckdb-session.js';
import { type ColumnKind, columnKind, type JsonValue, toJsonValue } from './json-values.js';
import type { TabularFormat } from './table-format.js';
import { buildRelation } from './table-relation.js';
import { allowedDirectories, redactionsFor, resolveTableSource, type TableSource } from './table-source.js';

export interface TableColumn {
  name: string;
  /** DuckDB's type name: `BIGINT`, `DOUBLE`, `VARCHAR`, `DATE`, `TIMESTAMP`, `DECIMAL(10,2)`, `INTEGER[]`… */
  type: string;
  kind: ColumnKind;
}

/** Where the rows came from: plain JSON, to be cached beside the preview. */
export interface TableSourceSummary {
  /** `mltable` when an MLTable was applied; the format of its files is then `fileFormat`. */
  format: TabularFormat | 'mltable';
  fileFormat?: TabularFormat;
  /** Files read (or listed, for an MLTable with no read transformation). */
  files: number;
  /** Files left out: a different extension, or empty. */
  skippedFiles: number;
  emptyFiles: number;
}

export interface TablePreview {
  columns: TableColumn[];
  /** One array per row, aligned with `columns`. */
  rows: JsonValue[][];
  /** True when the table has more rows than `rows`. */
  truncated: boolean;
  source: TableSourceSummary;
}

export interface PreviewOptions {
  source: TableSource;
  /** Rows to return, 1–10,000. Default 100. */
  limit?: number;
  /** Longer strings are cut to this many characters and end in `…`. Default 1,000. */
  maxCellChars?: number;
  duckdb?: DuckDBOptions;
  signal?: AbortSignal;
}

export const MAX_PREVIEW_ROWS = 10_000;

export function summarise(resolved: Awaited<ReturnType<typeof resolveTableSource>>): TableSourceSummary {
  return {
    format: resolved.mltable !== undefined ? 'mltable' : resolved.format!,
    ...(resolved.mltable !== undefined && resolved.format !== undefined
      ? { fileFormat: resolved.format }
      : {}),
    files: resolved.files.length,
    skippedFiles: resolved.skippedFiles,
    emptyFiles: resolved.emptyFiles,
  };
}

/**
 * The first `limit` rows of a table and its schema. Reads at most `limit + 1` rows (DuckDB stops the
 * scan there), so a preview of a large file costs about as much as one of a small one.
 */
export async function previewTable(options: PreviewOptions): Promise<TablePreview> {
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PREVIEW_ROWS) {
    throw invalidArgument(`limit must be an integer from 1 to ${MAX_PREVIEW_ROWS}, got ${limit}`, {
      field: 'limit',
    });
  }
  const maxCellChars = options.maxCellChars ?? 1000;
  const resolved = await resolveTableSource(options.source);
  const sessionOptions = {
    duckdb: options.duckdb,
    signal: options.signal,
    redactions: redactionsFor(resolved),
  };
  return withTableSession(allowedDirectories(resolved), sessionOptions, async (session) => {
    const relation = await buildRelation(session, resolved);
    const reader = await session.query(`SELECT * FROM (${relation.sql}) LIMIT ${limit + 1}`, relation.params);
    const types = reader.columnTypes();
    const names = reader.columnNames();
    const columns = names.map((name, i) => ({
      name,
      type: types[i]!.toString(),
      kind: columnKind(types[i]!.typeId),
    }));
    const all = reader.getRowsJson() as JsonValue[][];
    const rows = all
      .slice(0, limit)
      .map((row) => row.map((value, i) => toJsonValue(value, types[i]!.typeId, maxCellChars)));
    return { columns, rows, truncated: all.length > limit, source: summarise(resolved) };
  });
}

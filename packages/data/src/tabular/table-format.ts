import { basename } from 'node:path';
import { invalidArgument } from '@cairn/core';

export const TABULAR_FORMATS = ['csv', 'tsv', 'parquet', 'jsonl'] as const;
/** A file format DuckDB reads as a table. `jsonl` also covers `.json` (an array or one object per line). */
export type TabularFormat = (typeof TABULAR_FORMATS)[number];

/** The name an MLTable file must have (Azure ML's rule). */
export const MLTABLE_FILE_NAME = 'MLTable';

const EXTENSIONS: Record<string, TabularFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  parquet: 'parquet',
  pq: 'parquet',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'jsonl',
};

/** The format a file's name says it has (`x.csv`, `x.csv.gz`, `x.parquet`), `mltable`, or undefined. */
export function detectFormat(path: string): TabularFormat | 'mltable' | undefined {
  const name = basename(path);
  if (name === MLTABLE_FILE_NAME) return 'mltable';
  // DuckDB decompresses gzip and zstd by itself, so `x.csv.gz` is a CSV.
  const parts = name
    .toLowerCase()
    .replace(/\.(gz|zst)$/, '')
    .split('.');
  if (parts.length < 2) return undefined;
  return EXTENSIONS[parts.at(-1)!];
}

/** INVALID_ARGUMENT for a file, or `count` files, that preview cannot read. */
export function notTabular(what: string, count = 1) {
  const subject = count === 1 ? `${what} is not tabular` : `none of the ${count} files is tabular`;
  return invalidArgument(
    `${subject}: preview supports CSV/TSV, Parquet, JSON lines and MLTable ` +
      '(.csv, .tsv, .parquet, .jsonl, .ndjson, .json, optionally .gz, or a folder with an MLTable file)',
    { field: 'path' },
  );
}

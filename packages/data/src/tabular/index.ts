// Tabular preview and profile of a data version's local files, with embedded DuckDB.
//   table-source.ts    what to read (files in one format, or an MLTable) → checked file list
//   table-relation.ts  that source (and an MLTable's transformations) → one SQL query with bound params
//   duckdb-session.ts  one sandboxed in-memory DuckDB per call: reads only the source's folders, no
//                      extensions, no network; DuckDB's data errors → INVALID_ARGUMENT, paths made relative
//   preview-table.ts / profile-table.ts  the two entry points; results are plain JSON (cacheable as is)
// Pitfalls: DuckDB matches column names case-insensitively; values from users are bound as parameters,
// never spliced into SQL (identifiers are quoted with quoteIdent); 64-bit integers beyond 2^53 stay strings.
export type { DuckDBOptions } from './duckdb-session.js';
export type { ColumnKind, JsonValue } from './json-values.js';
export type { ResolveUri } from './mltable-paths.js';
export * from './preview-table.js';
export * from './profile-table.js';
export { detectFormat, MLTABLE_FILE_NAME, TABULAR_FORMATS, type TabularFormat } from './table-format.js';
export { type TableSource, tableSourceFromPath } from './table-source.js';

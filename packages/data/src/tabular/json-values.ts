import { DuckDBTypeId } from '@duckdb/node-api';

/** A value that survives `JSON.stringify` and back unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** How a column is summarised: which statistics and which kind of histogram it gets. */
export type ColumnKind = 'numeric' | 'boolean' | 'string' | 'temporal' | 'other';

const NUMERIC = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
]);
const INTEGER = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);
const TIMESTAMPS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);
const TEMPORAL = new Set<DuckDBTypeId>([
  ...TIMESTAMPS,
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIME,
  DuckDBTypeId.TIME_NS,
  DuckDBTypeId.TIME_TZ,
]);

export function columnKind(type: DuckDBTypeId): ColumnKind {
  if (NUMERIC.has(type)) return 'numeric';
  if (TEMPORAL.has(type)) return 'temporal';
  if (type === DuckDBTypeId.BOOLEAN) return 'boolean';
  if (type === DuckDBTypeId.VARCHAR || type === DuckDBTypeId.ENUM || type === DuckDBTypeId.UUID)
    return 'string';
  return 'other';
}

export const isIntegerType = (type: DuckDBTypeId): boolean => INTEGER.has(type);

/** `2020-01-01 10:00:00+02` → `2020-01-01T10:00:00+02:00` (DuckDB's text form to ISO 8601). */
export function isoTimestamp(text: string): string {
  if (!/^\d{4,}-\d\d-\d\d /.test(text)) return text; // infinity, -infinity
  return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
}

/**
 * A value from DuckDB's JSON conversion made plain and JSON-friendly: 64/128-bit integers and decimals
 * become numbers when exact (else stay decimal strings), timestamps become ISO 8601, long strings are cut
 * to `maxChars` with a trailing `…`. NaN and ±Infinity stay the strings DuckDB gives.
 */
export function toJsonValue(
  value: JsonValue,
  type: DuckDBTypeId,
  maxChars = Number.POSITIVE_INFINITY,
): JsonValue {
  if (value === null) return null;
  if (typeof value === 'string') {
    if (INTEGER.has(type)) {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    if (type === DuckDBTypeId.DECIMAL) {
      const digits = value.replace(/^-|\./g, '').replace(/^0+/, '');
      return digits.length <= 15 ? Number(value) : value;
    }
    if (TIMESTAMPS.has(type)) return isoTimestamp(value);
    return value.length > maxChars ? `${value.slice(0, maxChars)}…` : value;
  }
  return value;
}

import { formatNumber } from './format.js';

/**
 * Preview and profile of tabular data as the server sends them (DuckDB results, see
 * @cairn/data tabular/), and what the pages draw from them: cell text and histogram bars.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface TableColumn {
  name: string;
  /** DuckDB's type name: BIGINT, DOUBLE, VARCHAR, DATE… */
  type: string;
  kind: 'numeric' | 'boolean' | 'string' | 'temporal' | 'other';
}

export interface TableSourceSummary {
  format: string;
  fileFormat?: string;
  files: number;
  skippedFiles: number;
  emptyFiles: number;
}

export interface TablePreviewData {
  columns: TableColumn[];
  /** One array per row, aligned with `columns`. */
  rows: JsonValue[][];
  truncated: boolean;
  source: TableSourceSummary;
}

export type ColumnHistogram =
  | { kind: 'bins'; bins: { lower: number; upper: number; count: number }[] }
  | { kind: 'time-bins'; bins: { lower: string; upper: string; count: number }[] }
  | { kind: 'top-values'; values: { value: string | boolean; count: number }[]; otherCount: number };

export interface ColumnProfile extends TableColumn {
  count: number;
  nulls: number;
  distinct: number | null;
  min?: number | string;
  max?: number | string;
  mean?: number;
  stddev?: number;
  quartiles?: [number, number, number];
  nonFinite?: number;
  minLength?: number;
  maxLength?: number;
  trueCount?: number;
  histogram?: ColumnHistogram;
}

export interface TableProfileData {
  rowCount: number;
  truncated: boolean;
  columns: ColumnProfile[];
  omittedColumns: number;
  source: TableSourceSummary;
}

/** The preview body, checked for the fields the page reads (the SDK types it loosely). */
export function asTablePreview(body: unknown): TablePreviewData {
  const b = body as Partial<TablePreviewData> | null;
  if (!b || !Array.isArray(b.columns) || !Array.isArray(b.rows)) {
    throw new Error('The server sent a preview without columns and rows');
  }
  return b as TablePreviewData;
}

export function asTableProfile(body: unknown): TableProfileData {
  const b = body as Partial<TableProfileData> | null;
  if (!b || !Array.isArray(b.columns) || typeof b.rowCount !== 'number') {
    throw new Error('The server sent a profile without columns and a row count');
  }
  return b as TableProfileData;
}

/** A cell as text: numbers formatted, nested values as JSON; null is its own case (shown dimmed). */
export function cellText(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export interface HistogramBar {
  label: string;
  count: number;
  /** Of the tallest bar, 0–1. */
  fraction: number;
}

/** Bars to draw for a column's histogram, tallest = 1; the "other values" bar last for top values. */
export function histogramBars(histogram: ColumnHistogram): HistogramBar[] {
  let bars: { label: string; count: number }[];
  switch (histogram.kind) {
    case 'bins':
      bars = histogram.bins.map((b) => ({
        label: `${formatNumber(b.lower)} – ${formatNumber(b.upper)}`,
        count: b.count,
      }));
      break;
    case 'time-bins':
      bars = histogram.bins.map((b) => ({ label: `${b.lower} – ${b.upper}`, count: b.count }));
      break;
    case 'top-values':
      bars = histogram.values.map((v) => ({ label: String(v.value), count: v.count }));
      if (histogram.otherCount > 0) bars.push({ label: '(other values)', count: histogram.otherCount });
      break;
  }
  const max = Math.max(1, ...bars.map((b) => b.count));
  return bars.map((b) => ({ ...b, fraction: b.count / max }));
}

/** A statistic for the profile table: numbers formatted, strings as they are, missing as ''. */
export function statText(value: number | string | undefined | null): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** `+3 ~1 -2` for a diff's counts; `''` when there is none (a first version). */
export function diffCounts(diff: { added: number; changed: number; removed: number } | null): string {
  if (!diff) return '';
  return `+${diff.added} ~${diff.changed} -${diff.removed}`;
}

/** Where a datastore points, from its (redacted) settings. */
export function datastoreLocation(store: { type: string; spec: Record<string, unknown> }): string {
  const s = store.spec;
  const str = (key: string) => (typeof s[key] === 'string' ? (s[key] as string) : '');
  switch (store.type) {
    case 'local':
      return str('path');
    case 's3': {
      const prefix = str('prefix');
      const where = `s3://${str('bucket')}${prefix ? `/${prefix.replace(/^\/+/, '')}` : ''}`;
      return str('endpoint_url') ? `${where} at ${str('endpoint_url')}` : where;
    }
    case 'http':
      return str('url');
    default:
      return '';
  }
}

/** "every 1 h", "every 30 min", "every 45 s". */
export function refreshEvery(seconds: number): string {
  if (seconds % 86_400 === 0) return `every ${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

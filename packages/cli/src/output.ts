import { CairnError } from '@cairn/core';
import { CairnApiError } from '@cairn/sdk';

export type OutputFormat = 'table' | 'json';

/** Prints an error in words (no stack trace for expected failures) and exits non-zero. */
export function reportErrorAndExit(err: unknown): never {
  process.stderr.write(`error: ${describeError(err)}\n`);
  process.exit(1);
}

export function describeError(err: unknown): string {
  if (err instanceof CairnApiError) {
    const field =
      err.code === 'INVALID_ARGUMENT' && err.details.field ? ` (field: ${err.details.field})` : '';
    const hint =
      err.code === 'UNAUTHENTICATED'
        ? '; pass --token or set CAIRN_TOKEN (create one with POST /api/v1/tokens)'
        : '';
    return `${err.message}${field}${hint}`;
  }
  if (err instanceof CairnError) {
    const field = err.details.field ? ` (field: ${err.details.field})` : '';
    return `${err.message}${field}`;
  }
  const code = errorCode(err);
  const fetchFailed = err instanceof TypeError && err.message === 'fetch failed';
  if (fetchFailed || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET') {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return `cannot reach the Cairn server (${code ?? cause ?? 'network error'}); is it running? Start one with: cairn server start (or pass --url / set CAIRN_URL)`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** fetch wraps network failures: `TypeError: fetch failed` with the system error as `cause`. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonNumbers, 2)}\n`);
}

/** JSON cannot carry NaN and ±Infinity; print them as the API does. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
  /** Cut longer values with an ellipsis. */
  maxWidth?: number;
}

/** Renders rows as an aligned text table with a header line. */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => truncate(c.value(row), c.maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

export function printTable<T>(columns: readonly Column<T>[], rows: readonly T[], empty = '(none)'): void {
  process.stdout.write(rows.length === 0 ? `${empty}\n` : `${formatTable(columns, rows)}\n`);
}

/** `key: value` lines with the keys aligned. */
export function printFields(fields: readonly (readonly [string, string])[]): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  process.stdout.write(`${fields.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v}`).join('\n')}\n`);
}

const truncate = (s: string, max?: number) => (max && s.length > max ? `${s.slice(0, max - 1)}…` : s);

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time, to the second: `2025-03-01 14:05:09`. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `1h 02m`, `3m 07s`, `12.4s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** Metric values: up to 6 significant digits, names for the non-finite ones. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** `1.5 MiB`. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

export const formatMap = (m: Record<string, string> | undefined): string =>
  Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '-';

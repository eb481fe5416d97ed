import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { invalidArgument, notFound } from '@cairn/core';
import type { MLTable } from '../mltable/mltable-spec.js';
import { loadMLTable } from '../mltable/parse-mltable.js';
import { listFiles } from './list-files.js';
import { type ResolveUri, resolveMLTablePaths } from './mltable-paths.js';
import { detectFormat, MLTABLE_FILE_NAME, notTabular, type TabularFormat } from './table-format.js';

/**
 * What to read as a table: local files (a version's files, materialised by the registry) in one format,
 * or an MLTable (its file, the folder holding it, or one already parsed, with the folder its paths are
 * relative to).
 */
export type TableSource =
  | { kind: 'files'; paths: readonly string[]; format?: TabularFormat }
  | { kind: 'mltable'; path: string; resolveUri?: ResolveUri }
  | { kind: 'mltable'; table: MLTable; baseDir: string; resolveUri?: ResolveUri };

/** A source with its files found, checked and sorted. */
export interface ResolvedTable {
  /** The format of `files`; undefined for an MLTable with no read transformation (a table of paths). */
  format: TabularFormat | undefined;
  /** The non-empty files to read, absolute. */
  files: string[];
  /** The folder names are shown relative to (and the Path column is relative to). */
  baseDir: string;
  mltable?: MLTable;
  /** Files left out because their extension is not the table's format (a README beside the CSVs). */
  skippedFiles: number;
  /** Files left out because they are empty (0 bytes). */
  emptyFiles: number;
}

/**
 * The source for a local path: a file named `MLTable` or a folder holding one is an MLTable; another
 * folder is all its files; anything else is that one file.
 */
export async function tableSourceFromPath(path: string): Promise<TableSource> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw notFound(`${path} does not exist`, { field: 'path' });
  if (info.isDirectory()) {
    const mltable = join(path, MLTABLE_FILE_NAME);
    if ((await stat(mltable).catch(() => undefined))?.isFile()) return { kind: 'mltable', path: mltable };
    return { kind: 'files', paths: await listFiles(path) };
  }
  return basename(path) === MLTABLE_FILE_NAME ? { kind: 'mltable', path } : { kind: 'files', paths: [path] };
}

/** The deepest folder holding every path. */
function commonDir(paths: readonly string[]): string {
  let dir = dirname(paths[0]!);
  for (const p of paths) {
    while (dir !== dirname(dir) && relative(dir, p).startsWith('..')) dir = dirname(dir);
  }
  return dir;
}

const FORMAT_NAMES: Record<TabularFormat, string> = {
  csv: 'CSV',
  tsv: 'TSV',
  parquet: 'Parquet',
  jsonl: 'JSON lines',
};

/** `iris.csv`, or `3 files under data/`: how a set of files is named in a message. */
export function describeFiles(files: readonly string[], baseDir: string): string {
  if (files.length === 1) return relative(baseDir, files[0]!) || basename(files[0]!);
  return `${files.length} files`;
}

async function dropEmpty(files: string[], baseDir: string): Promise<{ files: string[]; empty: number }> {
  const sizes = await Promise.all(
    files.map(async (f) => {
      const info = await stat(f).catch(() => undefined);
      if (info === undefined)
        throw notFound(`${relative(baseDir, f) || f} does not exist`, { field: 'path' });
      if (!info.isFile()) throw notTabular(relative(baseDir, f) || f);
      return info.size;
    }),
  );
  const kept = files.filter((_, i) => sizes[i]! > 0);
  if (kept.length === 0) {
    throw invalidArgument(
      `${describeFiles(files, baseDir)} ${files.length === 1 ? 'is' : 'are all'} empty (0 bytes): there is no table to read`,
      { field: 'path' },
    );
  }
  return { files: kept, empty: files.length - kept.length };
}

async function resolveFiles(
  paths: readonly string[],
  format: TabularFormat | undefined,
): Promise<ResolvedTable> {
  if (paths.length === 0) throw invalidArgument('no files to read: the source lists none', { field: 'path' });
  const all = [...new Set(paths)].sort();
  const baseDir = commonDir(all);
  let chosen = all;
  let chosenFormat = format;
  if (chosenFormat === undefined) {
    const byFormat = new Map<TabularFormat, string[]>();
    for (const f of all) {
      const detected = detectFormat(f);
      if (detected === undefined || detected === 'mltable') continue;
      byFormat.set(detected, [...(byFormat.get(detected) ?? []), f]);
    }
    if (byFormat.size === 0) throw notTabular(describeFiles(all, baseDir), all.length);
    if (byFormat.size > 1) {
      const found = [...byFormat.keys()].map((k) => FORMAT_NAMES[k]).join(' and ');
      throw invalidArgument(`the files mix ${found}; choose one with format (csv, tsv, parquet or jsonl)`, {
        field: 'format',
      });
    }
    [[chosenFormat, chosen]] = [...byFormat.entries()] as [[TabularFormat, string[]]];
  }
  const { files, empty } = await dropEmpty(chosen, baseDir);
  return {
    format: chosenFormat,
    files,
    baseDir,
    skippedFiles: all.length - chosen.length,
    emptyFiles: empty,
  };
}

const READ_FORMAT = { read_delimited: 'csv', read_parquet: 'parquet', read_json_lines: 'jsonl' } as const;

async function resolveMLTable(
  table: MLTable,
  baseDir: string,
  resolveUri?: ResolveUri,
): Promise<ResolvedTable> {
  const found = await resolveMLTablePaths(table, baseDir, resolveUri);
  const read = table.transformations[0];
  const format =
    read !== undefined && read.type in READ_FORMAT
      ? READ_FORMAT[read.type as keyof typeof READ_FORMAT]
      : undefined;
  if (format === undefined) {
    // No read transformation: the table is the list of files (Azure ML's behaviour), so empty ones count.
    return { format, files: found, baseDir, mltable: table, skippedFiles: 0, emptyFiles: 0 };
  }
  const { files, empty } = await dropEmpty(found, baseDir);
  return { format, files, baseDir, mltable: table, skippedFiles: 0, emptyFiles: empty };
}

/** Finds and checks the files of `source`; nothing is read yet. */
export async function resolveTableSource(source: TableSource): Promise<ResolvedTable> {
  if (source.kind === 'files') return resolveFiles(source.paths, source.format);
  if ('table' in source) return resolveMLTable(source.table, source.baseDir, source.resolveUri);
  const info = await stat(source.path).catch(() => undefined);
  const file = info?.isDirectory() ? join(source.path, MLTABLE_FILE_NAME) : source.path;
  const table = await loadMLTable(file, MLTABLE_FILE_NAME);
  return resolveMLTable(table, dirname(file), source.resolveUri);
}

/** The folders a session must be allowed to read for `resolved`. */
export function allowedDirectories(resolved: ResolvedTable): string[] {
  return [...new Set(resolved.files.map((f) => dirname(f)))];
}

/** Local path prefixes to hide in messages: the base folder becomes relative names. */
export const redactionsFor = (resolved: ResolvedTable): Record<string, string> => ({
  [`${resolved.baseDir}${sep}`]: '',
});

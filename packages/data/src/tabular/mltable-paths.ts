import { stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import type { MLTable, MLTablePath } from '../mltable/mltable-spec.js';
import { mltableFieldError } from '../mltable/parse-mltable.js';
import { globToRegExp, listFiles } from './list-files.js';
import { MLTABLE_FILE_NAME } from './table-format.js';

/** Turns a URI an MLTable names (`azureml://datastores/x/paths/y`) into a local file or folder. */
export type ResolveUri = (uri: string) => Promise<string>;

const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

const toPosix = (path: string): string => path.split(sep).join('/');

async function kindOf(path: string): Promise<'file' | 'folder' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The local files an MLTable's `paths` name, in order, without duplicates. Relative paths resolve
 * against `baseDir` (the MLTable's folder) and must stay inside it: an MLTable cannot reach other files
 * on the server. Absolute paths are refused; URIs go through `resolveUri` when given.
 */
export async function resolveMLTablePaths(
  table: MLTable,
  baseDir: string,
  resolveUri?: ResolveUri,
): Promise<string[]> {
  const out = new Set<string>();
  let all: string[] | undefined;
  const allFiles = async () => {
    all ??= (await listFiles(baseDir)).filter((f) => basename(f) !== MLTABLE_FILE_NAME);
    return all;
  };
  for (const [index, entry] of table.paths.entries()) {
    const key = Object.keys(entry)[0] as 'file' | 'folder' | 'pattern';
    const value = (entry as Record<string, string>)[key]!;
    const at = ['paths', index, key];
    const fail = (message: string) => mltableFieldError(table, at, message);
    for (const file of await resolveEntry(entry, key, value, baseDir, allFiles, fail, resolveUri))
      out.add(file);
  }
  return [...out];
}

async function resolveEntry(
  entry: MLTablePath,
  key: 'file' | 'folder' | 'pattern',
  value: string,
  baseDir: string,
  allFiles: () => Promise<string[]>,
  fail: (message: string) => Error,
  resolveUri: ResolveUri | undefined,
): Promise<string[]> {
  let local: string;
  if (URI.test(value)) {
    if (resolveUri === undefined) {
      throw fail(`${value} is a URI; preview reads MLTable paths relative to the MLTable file only`);
    }
    if (key === 'pattern') throw fail('a pattern must be relative to the MLTable file, not a URI');
    local = await resolveUri(value);
  } else {
    if (isAbsolute(value)) {
      throw fail(`${value} is an absolute path; write it relative to the MLTable file (e.g. ./data.csv)`);
    }
    if (key === 'pattern') {
      if (value.split('/').includes('..'))
        throw fail('a pattern cannot reach outside the MLTable folder (..)');
      const regex = globToRegExp(value.replace(/^(\.\/)+/, ''));
      const matches = (await allFiles()).filter((f) => regex.test(toPosix(relative(baseDir, f))));
      if (matches.length === 0) throw fail(`the pattern ${value} matches no file next to the MLTable`);
      return matches;
    }
    local = resolve(baseDir, value);
    if (!inside(baseDir, local))
      throw fail(`${value} is outside the MLTable's folder; keep the data beside it`);
  }
  const kind = await kindOf(local);
  if (kind === undefined) throw fail(`${value} does not exist`);
  if ('file' in entry) {
    if (kind !== 'file') throw fail(`${value} is a folder; use folder: instead of file:`);
    return [local];
  }
  if (kind !== 'folder') throw fail(`${value} is a file; use file: instead of folder:`);
  const files = (await listFiles(local)).filter((f) => basename(f) !== MLTABLE_FILE_NAME);
  if (files.length === 0) throw fail(`the folder ${value} holds no files`);
  return files;
}

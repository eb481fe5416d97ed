import type { DataFile } from '@cairn/sdk';

/**
 * One folder level of a data version's files. The server lists files (recursively, sorted, in pages)
 * under a prefix; the browser shows the first level below it: the files there, and each subfolder
 * once with the number of its files seen in this page.
 */

export type FolderEntry =
  | { kind: 'folder'; name: string; path: string; files: number; bytes: number }
  | { kind: 'file'; name: string; path: string; file: DataFile };

/** `prefix` is a folder path without a trailing slash ('' for the root). */
export function folderEntries(files: readonly DataFile[], prefix: string): FolderEntry[] {
  const base = prefix === '' ? '' : `${prefix}/`;
  const folders = new Map<
    string,
    { kind: 'folder'; name: string; path: string; files: number; bytes: number }
  >();
  const out: FolderEntry[] = [];
  for (const file of files) {
    if (!file.path.startsWith(base)) continue;
    const rest = file.path.slice(base.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      out.push({ kind: 'file', name: rest, path: file.path, file });
      continue;
    }
    const name = rest.slice(0, slash);
    let folder = folders.get(name);
    if (!folder) {
      folder = { kind: 'folder', name, path: base + name, files: 0, bytes: 0 };
      folders.set(name, folder);
      out.push(folder);
    }
    folder.files++;
    folder.bytes += file.size;
  }
  // Folders first, each group in the server's path order.
  return [...out.filter((e) => e.kind === 'folder'), ...out.filter((e) => e.kind === 'file')];
}

/** Breadcrumb steps of a folder path: `a/b` → [{name:'a', path:'a'}, {name:'b', path:'a/b'}]. */
export function folderCrumbs(prefix: string): { name: string; path: string }[] {
  if (prefix === '') return [];
  const parts = prefix.split('/');
  return parts.map((name, i) => ({ name, path: parts.slice(0, i + 1).join('/') }));
}

const TABULAR = /\.(csv|tsv|tab|parquet|pq|jsonl|ndjson|json)(\.(gz|zst))?$/i;

/** Whether a file looks tabular enough to offer a preview of it alone. */
export const looksTabular = (path: string): boolean => TABULAR.test(path) || /(^|\/)MLTable$/.test(path);

/** The API URL of one file's bytes (the server sends it as an attachment under its own name). */
export function dataFileUrl(workspace: string, name: string, version: string, path: string): string {
  const e = encodeURIComponent;
  return `/api/v1/workspaces/${e(workspace)}/data/${e(name)}/versions/${e(version)}/files/content?path=${e(path)}`;
}

/**
 * A code snapshot's flat file list browsed as folders: the entries directly inside one folder, folders
 * first, each folder with how many files it holds below it.
 */
export interface SnapshotFileLike {
  path: string;
  size: number | null;
}

export type FolderEntry<F> =
  | { kind: 'folder'; name: string; path: string; files: number }
  | { kind: 'file'; name: string; file: F };

export function folderEntries<F extends SnapshotFileLike>(
  files: readonly F[],
  folder: string,
): FolderEntry<F>[] {
  const prefix = folder === '' ? '' : `${folder.replace(/\/+$/, '')}/`;
  const folders = new Map<string, number>();
  const inside: FolderEntry<F>[] = [];
  for (const f of files) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) inside.push({ kind: 'file', name: rest, file: f });
    else folders.set(rest.slice(0, slash), (folders.get(rest.slice(0, slash)) ?? 0) + 1);
  }
  const folderList: FolderEntry<F>[] = [...folders.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => ({ kind: 'folder', name, path: `${prefix}${name}`, files: count }));
  inside.sort((a, b) => a.name.localeCompare(b.name));
  return [...folderList, ...inside];
}

/** The folders from the root to `folder`, for breadcrumbs: `a/b` → ['', 'a', 'a/b']. */
export function folderTrail(folder: string): { name: string; path: string }[] {
  const parts = folder.split('/').filter((p) => p !== '');
  return [
    { name: 'code', path: '' },
    ...parts.map((name, i) => ({ name, path: parts.slice(0, i + 1).join('/') })),
  ];
}

/** The file to show first: a README, else the entry point a command names (`python train.py`), else none. */
export function defaultFile(paths: readonly string[], command: string): string | null {
  const named = paths.find((p) => !p.includes('/') && command.includes(p));
  if (named) return named;
  return paths.find((p) => /^readme(\.md|\.txt)?$/i.test(p)) ?? null;
}

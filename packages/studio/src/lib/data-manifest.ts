/**
 * The data manifest of files uploaded from the browser, byte for byte what @cairn/data's
 * `serializeDataManifest(dataManifest(entries))` writes for the same files (the unit test proves it), so
 * the server accepts it and its sha256 (the manifest id) is the one the CLI would get. @cairn/data itself
 * is Node-only and never imported into the studio bundle.
 */

export interface DataManifestEntry {
  /** Relative to the version's root, posix separators. */
  path: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

export interface BuiltDataManifest {
  /** The sha256 of `bytes`: the id the version is registered with. */
  id: string;
  bytes: Uint8Array;
  /** Sorted by path. */
  entries: DataManifestEntry[];
}

/** UTF-16 code unit order, as @cairn/fileset sorts paths (not locale order, not code point order). */
export const comparePaths = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** No empty, `.` or `..` segment, no leading `/`, no NUL: what the server accepts in a manifest. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Entries sorted by path; throws naming the path when one is unsafe, repeated or beneath a file. */
export function sortManifestEntries(entries: readonly DataManifestEntry[]): DataManifestEntry[] {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i] as DataManifestEntry;
    if (!isSafeRelativePath(entry.path)) {
      throw new Error(`'${entry.path}' is not a safe relative path (no '..', no leading '/')`);
    }
    const previous = sorted[i - 1];
    if (previous?.path === entry.path) throw new Error(`'${entry.path}' is picked twice`);
    if (previous && entry.path.startsWith(`${previous.path}/`)) {
      throw new Error(`'${entry.path}' is beneath the file '${previous.path}'`);
    }
  }
  return sorted;
}

/** The canonical JSON text of a manifest of entries already sorted. */
export function serializeManifestEntries(sorted: readonly DataManifestEntry[]): string {
  const parts = sorted.map(
    (e) =>
      `{"path":${JSON.stringify(e.path)},"size":${e.size},"sha256":"${e.sha256}","mtimeMs":null,"etag":null,"inode":null}`,
  );
  return `{"version":1,"kind":"data","entries":[${parts.join(',')}]}`;
}

/** Lowercase hex sha256 of bytes (Web Crypto, so it runs in the browser and in Node). */
export async function sha256Hex(data: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Sorts, checks and serialises the entries, and names the result by its sha256. */
export async function buildDataManifest(entries: readonly DataManifestEntry[]): Promise<BuiltDataManifest> {
  const sorted = sortManifestEntries(entries);
  const bytes = new TextEncoder().encode(serializeManifestEntries(sorted));
  return { id: await sha256Hex(bytes), bytes, entries: sorted };
}

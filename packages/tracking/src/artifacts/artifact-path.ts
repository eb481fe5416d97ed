import { invalidArgument } from '@cairn/core';

/**
 * The one check every artifact path goes through. Paths are relative, '/'-separated, and canonical: no
 * `..` or `.` segments, no leading '/', no backslashes or NUL, no empty segments. A folder argument may
 * end in one '/', which is dropped; `allowRoot` lets a folder argument be '' (the whole path space).
 */
export function validateArtifactPath(
  path: string,
  {
    field = 'path',
    folder = false,
    allowRoot = false,
  }: { field?: string; folder?: boolean; allowRoot?: boolean } = {},
): string {
  const fail = (why: string) => invalidArgument(`Invalid artifact ${field} '${path}': ${why}`, { field });
  if (typeof path !== 'string') throw invalidArgument(`Artifact ${field} must be a string`, { field });
  const p = folder && path.endsWith('/') && path.length > 1 ? path.slice(0, -1) : path;
  if (p === '') {
    if (allowRoot) return '';
    throw fail('it is empty; give a relative path such as model/MLmodel');
  }
  if (p.includes('\0')) throw fail('it contains a NUL character');
  if (p.includes('\\')) throw fail("it contains a backslash; separate folders with '/'");
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p))
    throw fail('it is absolute; give a path relative to the artifact root');
  for (const segment of p.split('/')) {
    if (segment === '') throw fail("it has an empty segment ('//' or a trailing '/')");
    if (segment === '..') throw fail("it contains a '..' segment, which would leave the artifact root");
    if (segment === '.') throw fail("it contains a '.' segment; give the path without it");
  }
  return p;
}

/** The byte-ordered key range [lower, upper) holding every path under folder `dir` ('' is the root). */
export function rangeUnder(dir: string): { prefix: string; lower: string; upper: string } | null {
  if (dir === '') return null;
  const prefix = `${dir}/`;
  // '0' is the character right after '/', so every 'dir/…' sorts in [dir/, dir0).
  return { prefix, lower: prefix, upper: `${dir}0` };
}

import { posix } from 'node:path';
import { invalidArgument } from '@cairn/core';

/**
 * A path inside a datastore in its one canonical form: POSIX, relative, no `.` segments, no leading or
 * trailing `/`, `''` for the root. A path that climbs out of the datastore (`..`) is refused, so no
 * adapter can be talked into reading beside its root.
 */
export function normaliseDatastorePath(path: string, field = 'path'): string {
  if (path.includes('\0'))
    throw invalidArgument(`${field}: a path cannot contain a NUL character`, { field });
  const trimmed = path.replace(/^\/+/, '');
  if (trimmed === '') return '';
  const normal = posix.normalize(trimmed).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) {
    throw invalidArgument(
      `${field}: "${path}" leads outside the datastore through ".."; give a path inside it`,
      { field },
    );
  }
  return normal === '.' ? '' : normal;
}

/** `prefix/path` with either side possibly empty. */
export const joinDatastorePath = (prefix: string, path: string): string =>
  prefix === '' ? path : path === '' ? prefix : `${prefix}/${path}`;

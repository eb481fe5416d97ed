import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { invalidArgument } from '@cairn/core';

/** More files than this under one folder is refused rather than listed without end. */
export const MAX_LISTED_FILES = 200_000;

/**
 * Every regular file under `dir` (recursively), as absolute paths sorted by their path relative to
 * `dir`. Hidden entries (`.git`, `.DS_Store`) are skipped; symbolic links are followed for files only.
 */
export async function listFiles(dir: string, limit = MAX_LISTED_FILES): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (!(entry.isFile() || entry.isSymbolicLink())) continue;
    const full = join(entry.parentPath, entry.name);
    if (
      relative(dir, full)
        .split(sep)
        .some((part) => part.startsWith('.'))
    )
      continue;
    files.push(full);
    if (files.length > limit) {
      throw invalidArgument(
        `${dir} holds more than ${limit} files; preview a subfolder or an MLTable instead`,
        {
          field: 'path',
        },
      );
    }
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A glob (`*.csv`, `data/**\/part-?.parquet`, `[a-c]*.csv`) as a regular expression over `/`-separated
 * relative paths: `*` and `?` stay within one folder, `**` spans any number of folders.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else {
      out += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

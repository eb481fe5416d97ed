/**
 * pip requirement lines in one canonical spelling, so that the same environment written two ways
 * hashes the same: `Scikit_Learn >= 1.5 , <2` and `scikit-learn<2,>=1.5` are one requirement.
 */

// name, optional [extras], optional version specifiers, optional `; marker` (PEP 508, without URLs).
const REQUIREMENT = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*([<>=!~][^;]*)?(;.*)?$/;

/** PEP 503 name normalisation: lowercase, runs of `-`, `_`, `.` become one `-`. */
export const normalizePackageName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** Drops a `#` comment (at the start, or after whitespace, as pip reads requirements files). */
export const stripComment = (line: string): string => line.replace(/(^|\s)#.*$/, '').trim();

/**
 * One requirement or option line in canonical form, or null when nothing is left after the comment.
 * Requirements get a normalised name, sorted extras and sorted specifiers without spaces; option lines
 * (`--index-url URL`, `--pre`) get `--opt=value` spelled `--opt value`; anything else (URLs, paths) is
 * kept with its whitespace collapsed.
 */
export function normalizePipLine(line: string): string | null {
  const text = stripComment(line).replace(/\s+/g, ' ');
  if (text === '') return null;
  if (text.startsWith('-')) return text.replace(/^(--[A-Za-z-]+)=/, '$1 ');
  const match = REQUIREMENT.exec(text);
  if (match === null) return text;
  const [, name, extras, specifiers, marker] = match;
  let out = normalizePackageName(name!);
  if (extras !== undefined) {
    const names = extras
      .slice(1, -1)
      .split(',')
      .map((e) => normalizePackageName(e.trim()))
      .filter((e) => e !== '');
    if (names.length > 0) out += `[${[...new Set(names)].sort().join(',')}]`;
  }
  if (specifiers !== undefined && specifiers.trim() !== '') {
    const parts = specifiers
      .split(',')
      .map((s) => s.replace(/\s+/g, ''))
      .filter((s) => s !== '');
    out += [...new Set(parts)].sort().join(',');
  }
  if (marker !== undefined) {
    const condition = marker.slice(1).trim();
    if (condition !== '') out += `; ${condition}`;
  }
  return out;
}

/** The argument of a `-r file` / `--requirement file` line, or null for any other line. */
export function requirementFileOf(line: string): string | null {
  const match = /^(?:-r|--requirement)(?:\s+|=)?(\S.*)$/.exec(stripComment(line));
  return match === null ? null : match[1]!.trim();
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Seconds from what a user writes for a duration: an integer number of seconds (`3600`, `"3600"`)
 * or a string of amounts with units `s`, `m`, `h`, `d`, `w` (`30m`, `2h`, `1h30m`, `1.5h`).
 * Returns undefined for anything else, and for zero or negative durations.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return parseDuration(Number(text));
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*([smhdw])/g)];
  if (
    parts.length === 0 ||
    parts
      .map((p) => p[0])
      .join('')
      .replace(/\s+/g, '') !== text.replace(/\s+/g, '')
  )
    return undefined;
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0);
  return seconds > 0 ? Math.round(seconds) : undefined;
}

/**
 * Seconds from Slurm's time formats (`MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`) as well as
 * `parseDuration`'s. A bare number stays seconds, as everywhere in Cairn (Slurm itself reads minutes).
 */
export function parseSlurmTime(value: unknown): number | undefined {
  const plain = parseDuration(value);
  if (plain !== undefined || typeof value !== 'string') return plain;
  const match = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(value.trim());
  if (match === null) return undefined;
  const [, days, a, b, c] = match;
  const n = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  let seconds: number;
  if (days !== undefined) seconds = n(days) * 86_400 + n(a) * 3600 + n(b) * 60 + n(c);
  else if (c !== undefined) seconds = n(a) * 3600 + n(b) * 60 + n(c);
  else seconds = n(a) * 60 + n(b);
  return seconds > 0 ? seconds : undefined;
}

/** `90` → `1m30s`; the inverse of `parseDuration` for display. */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join('');
}

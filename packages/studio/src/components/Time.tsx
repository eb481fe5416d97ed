import { formatRelative, formatTimestamp } from '../lib/format.js';

/** A moment as "5 min ago", with the exact local time on hover. */
export function Time({ ms }: { ms: number | null | undefined }) {
  if (ms === null || ms === undefined) return null;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatTimestamp(ms)}>
      {formatRelative(ms)}
    </time>
  );
}

/** Failures of the connection itself (or our timeout), as opposed to an answer from the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'TimeoutError',
  'AbortError',
]);
/** The network failure code behind `err`, looking through `cause` and AggregateError's `errors`. */
export function networkCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const record = err as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  for (const candidate of [record.code, record.name]) {
    if (typeof candidate === 'string' && NETWORK_CODES.has(candidate)) return candidate;
  }
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = networkCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return networkCode(record.cause, depth + 1);
}

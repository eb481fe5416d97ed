import { invalidArgument, Limits } from '@cairn/core';

/**
 * Search page tokens, in MLflow's format: base64 of `{"offset": n}`. Opaque to clients; a token that
 * does not decode to a non-negative integer offset is rejected rather than silently restarting.
 */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

export function decodePageToken(token: string | null | undefined): number {
  if (token === null || token === undefined || token === '') return 0;
  const bad = (why: string) =>
    invalidArgument(
      `Invalid page_token '${token.length > 40 ? `${token.slice(0, 40)}…` : token}': ${why}; pass the next_page_token of a previous search unchanged, or omit it to start from the first page`,
      { field: 'page_token' },
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) throw bad('it is not base64');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw bad('it does not decode to a page position');
  }
  const offset =
    typeof parsed === 'object' && parsed !== null && 'offset' in parsed ? Number(parsed.offset) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset < 0) throw bad('it does not decode to a page position');
  return offset;
}

/** MLflow's check of `max_results` (`_validate_max_results_param`), with its wording. */
export function validateMaxResults(maxResults: number): number {
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidArgument(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
      { field: 'max_results' },
    );
  }
  if (maxResults > Limits.maxSearchResults) {
    throw invalidArgument(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${Limits.maxSearchResults}`,
      { field: 'max_results' },
    );
  }
  return maxResults;
}

import { SEARCH } from './dataset.js';
import { type HttpClient, HttpError } from './http-client.js';
import { API, type SearchResponse } from './mlflow-api.js';
import { type RepeatOptions, repeat, summarize, type Timing } from './stats.js';

export interface SearchResult {
  /** The first search after the server (re)started, ms. */
  coldMs: number;
  warm: Timing;
  runIds: string[];
}

export async function timeSearch(
  client: HttpClient,
  experimentId: string,
  opts: RepeatOptions,
): Promise<SearchResult> {
  const body = JSON.stringify({
    experiment_ids: [experimentId],
    filter: SEARCH.filter,
    order_by: SEARCH.orderBy,
    max_results: SEARCH.maxResults,
  });
  let runIds: string[] = [];
  const once = async () => {
    const res = await client.post(`${API}/runs/search`, body);
    if (res.status !== 200) throw new HttpError(res.status, res.body, `runs/search on ${client.baseUrl}`);
    runIds = ((JSON.parse(res.body) as SearchResponse).runs ?? []).map((r) => r.info.run_id);
    return res.ms;
  };
  const coldMs = await once();
  const samples = await repeat(once, coldMs, opts);
  return { coldMs, warm: summarize(samples), runIds };
}

/** Where two id lists first differ, in words; null when equal. */
export function compareIds(expected: string[], actual: string[]): string | null {
  if (expected.length !== actual.length) {
    return `returned ${actual.length} runs, expected ${expected.length}`;
  }
  const i = expected.findIndex((id, k) => actual[k] !== id);
  if (i === -1) return null;
  const inSet = new Set(expected);
  const foreign = actual.filter((id) => !inSet.has(id)).length;
  return `first difference at position ${i} (expected ${expected[i]}, got ${actual[i]}); ${foreign} returned ids are not in the expected set`;
}

import type { MetadataStore } from '@cairn/store';
import { readHistoryPage } from '@cairn/tracking';

/** Every value a run logged for `key`, in step then timestamp order (the policies' interval order). */
export async function metricValues(store: MetadataStore, runId: string, key: string): Promise<number[]> {
  const values: number[] = [];
  let pageToken: string | null = null;
  do {
    const page = await readHistoryPage(store, runId, key, { pageToken, maxResults: 25_000 });
    for (const m of page.metrics) values.push(m.value);
    pageToken = page.nextPageToken;
  } while (pageToken !== null);
  return values;
}

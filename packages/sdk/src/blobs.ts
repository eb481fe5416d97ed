import { type UploadBody, uploadRequestBody } from './runs.js';
import type { Transport } from './transport.js';

/** Most sha256s one `missing` call takes (the server's limit). */
export const MISSING_BATCH = 10_000;

/**
 * Content-addressed uploads: what a client sends before naming files in a manifest (a job's code
 * snapshot, a data version). Ask which contents the workspace lacks, upload only those.
 */
export class BlobsApi {
  readonly #t: Transport;
  readonly #ws: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#ws = workspace;
  }

  #path(suffix: string): string {
    return `/api/v1/workspaces/${encodeURIComponent(this.#ws)}/blobs${suffix}`;
  }

  /** Of these sha256s, the ones the workspace lacks (any number; sent in batches). */
  async missing(sha256s: readonly string[]): Promise<Set<string>> {
    const missing = new Set<string>();
    for (let i = 0; i < sha256s.length; i += MISSING_BATCH) {
      const res = await this.#t.json<{ missing: string[] }>('POST', this.#path('/missing'), {
        body: { sha256: sha256s.slice(i, i + MISSING_BATCH) },
      });
      for (const sha256 of res.missing) missing.add(sha256);
    }
    return missing;
  }

  /** Uploads one content; the server refuses bytes that do not hash to `sha256`. */
  async put(sha256: string, data: UploadBody): Promise<{ sha256: string; size: number; created: boolean }> {
    const res = await this.#t.raw('PUT', this.#path(`/${sha256}`), {
      headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
      ...uploadRequestBody(data),
    });
    return (await res.json()) as { sha256: string; size: number; created: boolean };
  }

  /** Uploads many contents in one request: `tar` is a tar stream whose entries are named by sha256. */
  async putBatch(tar: UploadBody): Promise<{ sha256: string; size: number; created: boolean }[]> {
    const res = await this.#t.raw('POST', this.#path('/batch'), {
      headers: { 'content-type': 'application/x-tar', accept: 'application/json' },
      ...uploadRequestBody(tar),
    });
    return ((await res.json()) as { stored: { sha256: string; size: number; created: boolean }[] }).stored;
  }
}

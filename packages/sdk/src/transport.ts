import { CairnApiError } from './errors.js';

export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface TransportOptions {
  baseUrl: string;
  token?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Sent with every request (e.g. `X-Cairn-Message`). */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** HTTP to one Cairn server: URLs, auth, JSON in and out, errors as CairnApiError. */
export class Transport {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;

  constructor(options: TransportOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new TypeError(`baseUrl must start with http:// or https://, got '${options.baseUrl}'`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token || undefined;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#headers = options.headers ?? {};
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, v);
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** A JSON request; resolves to the parsed body (undefined for 204). */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await this.raw(method, path, { ...options, headers, body });
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** Any request; rejects with CairnApiError on a non-2xx status, otherwise returns the Response unread. */
  async raw(
    method: string,
    path: string,
    options: Omit<RequestOptions, 'body'> & {
      body?: NonNullable<RequestInit['body']> | null;
      duplex?: 'half';
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.#headers, ...options.headers };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body: options.body ?? null };
    if (options.signal) init.signal = options.signal;
    if (options.duplex) init.duplex = options.duplex;
    const res = await this.#fetch(this.url(path, options.query), init);
    if (!res.ok) throw await CairnApiError.fromResponse(res);
    return res;
  }
}

/** Walks a paged listing: calls `page` with each next token until there is none. */
export async function* paginate<P extends { nextPageToken: string | null }, T>(
  page: (pageToken: string | undefined) => Promise<P>,
  items: (p: P) => readonly T[],
  startToken?: string,
): AsyncGenerator<T, void, undefined> {
  let token = startToken;
  for (;;) {
    const p = await page(token);
    yield* items(p);
    if (!p.nextPageToken) return;
    token = p.nextPageToken;
  }
}

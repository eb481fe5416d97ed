import { Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { CairnError, ErrorCode, invalidArgument, notFound, permissionDenied } from '@cairn/core';
import {
  type ByteRange,
  checkRange,
  type DatastoreAdapter,
  type ResolvedDatastoreOptions,
  type SourceObject,
} from '../datastore-adapter.js';
import { normaliseDatastorePath } from '../datastore-path.js';
import type { HttpDatastoreSpec } from '../datastore-spec.js';
import { networkCode } from '../network-error.js';
import { HttpTimeoutError, sendHttpRequest } from './http-request.js';

/**
 * Read-only files over HTTP(S). The datastore's `url` is one file (path `''`), or a base URL ending in
 * `/` under which a path names one file. There is no listing: HTTP has no portable way to enumerate a
 * folder, so asking for one is an error rather than a guess at an HTML index page.
 */
export class HttpDatastore implements DatastoreAdapter {
  readonly type = 'http';
  readonly name: string;
  readonly location: string;
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #options: ResolvedDatastoreOptions;
  readonly #agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(spec: HttpDatastoreSpec, options: ResolvedDatastoreOptions) {
    this.name = spec.name;
    this.#base = new URL(spec.url);
    this.#headers = spec.headers ?? {};
    this.#options = options;
    this.location = shownUrl(this.#base);
  }

  /** The URL of `path`: the datastore's URL itself for `''`, else resolved under it. */
  urlOf(path: string): URL {
    const rel = normaliseDatastorePath(path);
    if (rel === '') return new URL(this.#base);
    const base = this.#base.pathname.endsWith('/')
      ? this.#base
      : new URL(`${this.#base.pathname}/`, this.#base);
    return new URL(rel.split('/').map(encodeURIComponent).join('/'), base);
  }

  async check(): Promise<void> {
    const url = this.urlOf('');
    const response = await this.#send(url, 'HEAD');
    response.resume();
    const status = response.statusCode ?? 0;
    // A base URL need not answer itself (many servers give 404 or 403 for a "folder"): reachable is enough.
    if (this.#isFolder('')) {
      if (status >= 500) throw this.#statusError(response, url);
      if (status === 401) throw this.#statusError(response, url);
      return;
    }
    if (status >= 400 && status !== 405 && status !== 501) throw this.#statusError(response, url);
  }

  async stat(path: string): Promise<SourceObject | null> {
    const rel = normaliseDatastorePath(path);
    const url = this.urlOf(rel);
    let response = await this.#send(url, 'HEAD');
    response.resume();
    let status = response.statusCode ?? 0;
    if (status === 404 || status === 410) return null;
    let size = contentLength(response);
    // Some servers refuse HEAD, or leave out Content-Length (chunked): ask for the first byte instead.
    if (status === 405 || status === 501 || (status < 300 && size === null)) {
      response = await this.#send(url, 'GET', { range: 'bytes=0-0' });
      response.destroy();
      status = response.statusCode ?? 0;
      if (status === 404 || status === 410) return null;
      size = status === 206 ? rangeTotal(response) : contentLength(response);
    }
    if (status >= 300) throw this.#statusError(response, url);
    if (size === null) {
      throw invalidArgument(
        `${shownUrl(url)} (datastore '${this.name}') does not report its size (no Content-Length or Content-Range): Cairn needs it to notice when the file changes; serve the file with a Content-Length`,
        { field: 'url' },
      );
    }
    const modified = response.headers['last-modified'];
    const mtimeMs = modified === undefined ? Number.NaN : Date.parse(modified);
    return {
      path: rel,
      size,
      mtimeMs: Number.isNaN(mtimeMs) ? null : mtimeMs,
      etag: response.headers.etag ?? null,
      inode: null,
    };
  }

  async *list(path = ''): AsyncGenerator<SourceObject> {
    const rel = normaliseDatastorePath(path);
    if (this.#isFolder(path)) {
      throw invalidArgument(
        `Datastore '${this.name}' is an HTTP source, and HTTP sources are single files: ${shownUrl(this.urlOf(rel))} is a folder, which HTTP cannot list. Register each file by its URL, or put the folder in an S3 or local datastore`,
        { field: 'path', datastore: this.name },
      );
    }
    const file = await this.stat(rel);
    if (file === null) throw this.#notFound(this.urlOf(rel));
    yield file;
  }

  async open(path: string, range?: ByteRange): Promise<Readable> {
    const rel = normaliseDatastorePath(path);
    const span = checkRange(range);
    if (span?.end !== undefined && span.end <= span.offset) return Readable.from([]);
    const url = this.urlOf(rel);
    const partial = span !== undefined && (span.offset > 0 || span.end !== undefined);
    const response = await this.#send(
      url,
      'GET',
      partial ? { range: `bytes=${span.offset}-${span.end === undefined ? '' : span.end - 1}` } : {},
    );
    const status = response.statusCode ?? 0;
    if (status === 206 || (status === 200 && !partial)) return response;
    if (status === 200 && partial) return Readable.from(slice(response, span.offset, span.end));
    response.resume();
    if (status === 416) {
      throw invalidArgument(`The range asked of ${shownUrl(url)} starts past the end of the file`, {
        field: 'range',
      });
    }
    throw this.#statusError(response, url);
  }

  async close(): Promise<void> {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  /** A folder: the path as given ends in `/`, or it is the root and the datastore's URL does. */
  #isFolder(path: string): boolean {
    const rel = normaliseDatastorePath(path);
    return path.endsWith('/') || (rel === '' && this.#base.pathname.endsWith('/'));
  }

  async #send(
    url: URL,
    method: 'GET' | 'HEAD',
    headers: Record<string, string> = {},
  ): Promise<IncomingMessage> {
    try {
      return await sendHttpRequest(url, {
        method,
        originHeaders: this.#headers,
        headers: { 'accept-encoding': 'identity', ...headers },
        agents: this.#agents,
        connectTimeoutMs: this.#options.connectTimeoutMs,
        responseTimeoutMs: this.#options.requestTimeoutMs,
      });
    } catch (err) {
      const why =
        err instanceof HttpTimeoutError ? err.message : (networkCode(err) ?? (err as Error).message);
      throw new CairnError(
        ErrorCode.UNAVAILABLE,
        `Cannot reach ${url.origin} for datastore '${this.name}' (${why}): check the url and that the server is up`,
        { field: 'url', datastore: this.name },
        { cause: err },
      );
    }
  }

  #notFound(url: URL): CairnError {
    return notFound(`Datastore '${this.name}': ${shownUrl(url)} does not exist (404)`, {
      field: 'path',
      datastore: this.name,
    });
  }

  #statusError(response: IncomingMessage, url: URL): CairnError {
    const status = response.statusCode ?? 0;
    const answered = `${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
    if (status === 404 || status === 410) return this.#notFound(url);
    if (status === 401 || status === 403) {
      const fix =
        Object.keys(this.#headers).length > 0
          ? "check the datastore's headers (e.g. Authorization)"
          : 'give the datastore the headers it needs (e.g. Authorization)';
      return permissionDenied(`${shownUrl(url)} refused datastore '${this.name}' (${answered}): ${fix}`, {
        field: 'headers',
        datastore: this.name,
      });
    }
    if (status >= 500) {
      return new CairnError(
        ErrorCode.UNAVAILABLE,
        `${shownUrl(url)} failed for datastore '${this.name}' (${answered}): try again later`,
        { datastore: this.name },
      );
    }
    return invalidArgument(`${shownUrl(url)} answered ${answered} to datastore '${this.name}'`, {
      field: 'url',
      datastore: this.name,
    });
  }
}

/** The URL without its query string, which may carry a token (a presigned URL). */
const shownUrl = (url: URL): string => `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`;

function contentLength(response: IncomingMessage): number | null {
  const text = response.headers['content-length'];
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/** The total of `Content-Range: bytes 0-0/1234`. */
function rangeTotal(response: IncomingMessage): number | null {
  const match = /\/(\d+)\s*$/.exec(response.headers['content-range'] ?? '');
  return match === null ? null : Number(match[1]);
}

/** Bytes [offset, end) of a whole body, for a server that ignored the Range header. */
async function* slice(
  source: AsyncIterable<Buffer>,
  offset: number,
  end: number | undefined,
): AsyncGenerator<Buffer> {
  let at = 0;
  for await (const chunk of source) {
    const from = Math.max(0, offset - at);
    const to = end === undefined ? chunk.length : Math.min(chunk.length, end - at);
    if (to > from) yield chunk.subarray(from, to);
    at += chunk.length;
    if (end !== undefined && at >= end) return;
  }
}

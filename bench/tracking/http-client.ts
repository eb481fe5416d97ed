import { Agent, request as httpRequest } from 'node:http';

export interface HttpResponse {
  status: number;
  body: string;
  /** Wall time from sending the request to the last byte of the body, in ms. */
  ms: number;
}

/**
 * A keep-alive HTTP/1.1 client bound to one server. Both servers are driven through the same class,
 * so client-side costs (JSON building, sockets) are identical for each.
 */
export class HttpClient {
  readonly #agent: Agent;

  constructor(
    readonly baseUrl: string,
    maxSockets = 16,
    private readonly timeoutMs = 300_000,
  ) {
    this.#agent = new Agent({ keepAlive: true, maxSockets });
  }

  get(path: string): Promise<HttpResponse> {
    return this.send('GET', path, undefined);
  }

  post(path: string, body: unknown): Promise<HttpResponse> {
    return this.send('POST', path, typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** POSTs and throws with the server's body unless the status is 200; returns the parsed JSON. */
  async postOk<T>(path: string, body: unknown): Promise<T> {
    const res = await this.post(path, body);
    return parseOk<T>('POST', this.baseUrl + path, res);
  }

  async getOk<T>(path: string): Promise<T> {
    const res = await this.get(path);
    return parseOk<T>('GET', this.baseUrl + path, res);
  }

  send(method: 'GET' | 'POST', path: string, body: string | undefined): Promise<HttpResponse> {
    const url = new URL(path, this.baseUrl);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = httpRequest(
        url,
        { method, agent: this.#agent, headers, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${url} timed out after ${this.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered HTTP ${status}: ${body.slice(0, 2000)}`);
  }
}

function parseOk<T>(method: string, url: string, res: HttpResponse): T {
  if (res.status !== 200) throw new HttpError(res.status, res.body, `${method} ${url}`);
  return JSON.parse(res.body) as T;
}

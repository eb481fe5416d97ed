import { type Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpRequestOptions {
  method: 'GET' | 'HEAD';
  /** Sent to the URL's own origin only: dropped when a redirect leads elsewhere (they may be credentials). */
  originHeaders: Record<string, string>;
  /** Sent wherever the request goes (`Range`). */
  headers: Record<string, string>;
  agents: { http: HttpAgent; https: HttpsAgent };
  connectTimeoutMs: number;
  /** From sending the request until the response headers arrive. */
  responseTimeoutMs: number;
  maxRedirects?: number;
}

/** A timeout of ours, told apart from the network's own failures in messages. */
export class HttpTimeoutError extends Error {
  constructor(
    readonly phase: 'connect' | 'response',
    readonly ms: number,
  ) {
    super(`${phase === 'connect' ? 'no connection' : 'no response'} within ${Math.round(ms / 100) / 10} s`);
    this.name = 'HttpTimeoutError';
  }
}

/**
 * One request with node:http rather than fetch: fetch cannot bound the connection attempt apart from
 * the whole request, and it decompresses bodies so sizes would not match Content-Length. Redirects are
 * followed (as fetch would), 303 turning into GET.
 */
export async function sendHttpRequest(url: URL, options: HttpRequestOptions): Promise<IncomingMessage> {
  const origin = url.origin;
  let current = url;
  let method = options.method;
  for (let hop = 0; ; hop++) {
    const headers = { ...(current.origin === origin ? options.originHeaders : {}), ...options.headers };
    const response = await once(current, method, headers, options);
    const location = response.headers.location;
    if (![301, 302, 303, 307, 308].includes(response.statusCode ?? 0) || location === undefined)
      return response;
    response.resume();
    if (hop >= (options.maxRedirects ?? 5)) {
      throw new Error(`more than ${options.maxRedirects ?? 5} redirects`);
    }
    current = new URL(location, current);
    if (response.statusCode === 303) method = 'GET';
  }
}

function once(
  url: URL,
  method: string,
  headers: Record<string, string>,
  options: HttpRequestOptions,
): Promise<IncomingMessage> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const settle = () => {
      for (const timer of timers) clearTimeout(timer);
    };
    const req = send(
      url,
      { method, headers, agent: secure ? options.agents.https : options.agents.http },
      (res) => {
        settle();
        resolve(res);
      },
    );
    req.on('error', (err) => {
      settle();
      reject(err);
    });
    req.on('socket', (socket) => {
      // A kept-alive socket is already connected; only a new one gets the short connect limit.
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => req.destroy(new HttpTimeoutError('connect', options.connectTimeoutMs)),
        options.connectTimeoutMs,
      );
      timers.push(timer);
      socket.once('connect', () => clearTimeout(timer));
    });
    timers.push(
      setTimeout(
        () => req.destroy(new HttpTimeoutError('response', options.responseTimeoutMs)),
        options.responseTimeoutMs,
      ),
    );
    req.end();
  });
}

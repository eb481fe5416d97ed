import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  body: Buffer;
}

/**
 * One HTTP request with node:http, not `fetch`: Node's fetch always sends `Sec-Fetch-Mode`, which Ray's
 * dashboard takes for a browser and answers every POST and PUT with 405 ("method not allowed for browser
 * traffic", its CSRF guard). Rejects on network errors and on `timeoutMs` (error name `TimeoutError`).
 */
export function httpCall(
  method: string,
  url: string,
  options: { body?: Buffer; headers?: Record<string, string>; timeoutMs: number },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { 'user-agent': 'cairn', ...options.headers };
    if (options.body) headers['content-length'] = String(options.body.length);
    const req = send(target, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => {
      const error = new Error(`no answer from ${target.host} in ${options.timeoutMs} ms`);
      error.name = 'TimeoutError';
      req.destroy(error);
    }, options.timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(options.body);
  });
}

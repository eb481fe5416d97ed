import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type CairnServer, resolveConfig } from '@cairn/server';
import type { Database, Dialect } from '@cairn/store';
import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { freshStoreUri } from '../support/metadata-stores.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely and checked with expect
export type LooseJson = any;

export interface Reply {
  status: number;
  body: LooseJson;
  text: string;
}

/** A request body: JSON-encoded unless given as `{ raw }` (sent as is, e.g. malformed JSON). */
export type Payload = unknown | { raw: string | Buffer; contentType?: string };

const isRaw = (p: Payload): p is { raw: string | Buffer; contentType?: string } =>
  typeof p === 'object' && p !== null && 'raw' in p;

export interface MlflowTestServer {
  server: CairnServer;
  dataDir: string;
  /** Sends a request in-process; asserts it was not a 5xx. */
  call(method: InjectOptions['method'], url: string, payload?: Payload): Promise<Reply>;
  /**
   * Sends a request over a real socket with the path exactly as given. In-process requests resolve
   * `..`, `%2e%2e` and backslashes like a browser would, so climbing paths must travel this way.
   */
  http(method: string, path: string, body?: string): Promise<Reply>;
  /** Row counts of every written table, and the files in the blob folder. */
  snapshot(): Promise<Record<string, number | string[]>>;
  close(): Promise<void>;
}

/** A server on a fresh database of `dialect` and a fresh data folder, with a small body limit. */
export async function startMlflowServer(dialect: Dialect, bodyLimitBytes: number): Promise<MlflowTestServer> {
  const target = await freshStoreUri(dialect);
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-mlflow-api-'));
  const server = await buildServer(
    resolveConfig({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      storeUri: target.uri,
      logLevel: 'silent',
      bodyLimitBytes,
    }),
  );
  const { db } = server.services.store;
  let baseUrl: { host: string; port: number } | null = null;
  return {
    server,
    dataDir,
    async call(method, url, payload) {
      const options: InjectOptions = { method, url };
      if (payload !== undefined) {
        if (isRaw(payload)) {
          options.payload = payload.raw;
          options.headers = { 'content-type': payload.contentType ?? 'application/json' };
        } else {
          options.payload = JSON.stringify(payload);
          options.headers = { 'content-type': 'application/json' };
        }
      }
      const res = await server.app.inject(options);
      const text = res.body;
      let body: LooseJson = text;
      if (String(res.headers['content-type'] ?? '').startsWith('application/json')) body = res.json();
      // Never a 500, whatever the input: checked on every response of the suites.
      expect(res.statusCode, `${method} ${url} → ${res.statusCode} ${text.slice(0, 300)}`).toBeLessThan(500);
      return { status: res.statusCode, body, text };
    },
    async http(method, path, body) {
      if (!baseUrl) {
        await server.app.listen({ host: '127.0.0.1', port: 0 });
        const address = server.app.server.address() as AddressInfo;
        baseUrl = { host: '127.0.0.1', port: address.port };
      }
      const target = baseUrl;
      const res = await new Promise<{ status: number; text: string; type: string }>((resolve, reject) => {
        const req = request(
          { ...target, method, path, headers: body === undefined ? {} : { 'content-type': 'text/plain' } },
          (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () =>
              resolve({
                status: r.statusCode ?? 0,
                text: Buffer.concat(chunks).toString('utf8'),
                type: String(r.headers['content-type'] ?? ''),
              }),
            );
            r.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      expect(res.status, `${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
      const parsed: LooseJson = res.type.startsWith('application/json') ? JSON.parse(res.text) : res.text;
      return { status: res.status, body: parsed, text: res.text };
    },
    async snapshot() {
      const out: Record<string, number | string[]> = {};
      // Every table the database has (read from its catalogue, so new tables are covered too).
      const tables = await db.introspection.getTables();
      for (const { name } of tables) {
        const row = await db
          .selectFrom(name as keyof Database)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        out[name] = Number(row.n);
      }
      out.blobs = await listFiles(join(dataDir, 'blobs'));
      return out;
    },
    async close() {
      await server.close();
      await target.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Asserts an error reply in MLflow's format: exactly `{ error_code, message }`, the message naming `mentions`. */
export function expectMlflowError(
  res: Reply,
  status: number,
  errorCode: string,
  ...mentions: string[]
): void {
  const context = `${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, context).toBe(status);
  expect(res.body, context).toEqual({ error_code: errorCode, message: expect.any(String) });
  for (const m of mentions) expect(res.body.message, context).toContain(m);
}

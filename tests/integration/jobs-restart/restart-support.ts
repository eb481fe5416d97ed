import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '@cairn/store';
import { type CairnProcess, startCairn } from '../durability/cairn-process.js';
import { freshPostgresUri } from '../support/env.js';

export const WS = '/api/v1/workspaces/default';

/**
 * Storage for a server that is killed and started again: a fresh data folder (SQLite store, blobs, job
 * work folders) or, for PostgreSQL, a fresh database beside it. `dispose` stops whatever still runs.
 */
export async function restartableServer(
  dialect: Dialect,
): Promise<{ dataDir: string; start(): Promise<CairnProcess>; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-restart-'));
  const pg = dialect === 'postgres' ? await freshPostgresUri() : null;
  const started: CairnProcess[] = [];
  return {
    dataDir,
    async start() {
      const server = await startCairn({ dataDir, storeUri: pg?.uri });
      started.push(server);
      return server;
    },
    async dispose() {
      for (const server of started) await server.stop();
      await pg?.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One API call; throws with the status and body on anything but 2xx. */
export async function api<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Asks `probe` every `intervalMs` until it returns a value (not undefined). For states that only an
 * engine or the store can tell (a trial logged a metric, Ray printed a line), which no event announces.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Whether a process runs (a zombie waiting for its reaper does not count). Linux /proc. */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S …": the state follows the last ')' (comm may hold spaces or parentheses).
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export interface LogChunk {
  seq: number;
  stream: string;
  data: string;
}

/** Every stored chunk of a job's log, in order. */
export async function storedLog(baseUrl: string, name: string): Promise<LogChunk[]> {
  const chunks: LogChunk[] = [];
  for (;;) {
    const after = chunks.at(-1)?.seq ?? 0;
    const page = await api<{ chunks: LogChunk[] }>(
      baseUrl,
      'GET',
      `${WS}/jobs/${name}/logs?after=${after}&maxResults=10000`,
    );
    chunks.push(...page.chunks);
    if (page.chunks.length < 10_000) return chunks;
  }
}

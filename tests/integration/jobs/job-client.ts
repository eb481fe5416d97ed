import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type CairnServer, resolveConfig } from '@cairn/server';

export interface JobServer {
  server: CairnServer;
  baseUrl: string;
  close(): Promise<void>;
}

/** A real server on a free port over `storeUri` and `dataDir` (kept, so a second server can restart on them). */
export async function startJobServer(storeUri: string, dataDir: string): Promise<JobServer> {
  const server = await buildServer(
    resolveConfig({
      port: 0,
      dataDir,
      storeUri,
      logLevel: 'silent',
      localUser: 'tester',
      jobEnvironment: process.env,
    }),
  );
  const baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { server, baseUrl, close: () => server.close() };
}

export async function tempDir(prefix: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

export interface WireJob {
  name: string;
  status: string;
  runId: string | null;
  experimentId: string | null;
  exitCode: number | null;
  errorSummary: string | null;
  startedAt: number | null;
}

async function call<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok)
    throw Object.assign(new Error(`${res.status} ${json.message}`), { status: res.status, body: json });
  return json;
}

const WS = '/api/v1/workspaces/default';

export const submitJob = (baseUrl: string, body: Record<string, unknown>) =>
  call<{ job: WireJob }>(baseUrl, 'POST', `${WS}/jobs`, body).then((r) => r.job);
export const getJob = (baseUrl: string, name: string) =>
  call<{ job: WireJob; events: { status: string; message: string | null }[] }>(
    baseUrl,
    'GET',
    `${WS}/jobs/${name}`,
  );
export const cancelJob = (baseUrl: string, name: string) =>
  call<{ job: WireJob }>(baseUrl, 'POST', `${WS}/jobs/${name}/cancel`, {}).then((r) => r.job);
export const createCompute = (baseUrl: string, yaml: string) =>
  call(baseUrl, 'POST', `${WS}/computes`, { yaml });
export const apiCall = call;

export interface StreamEvent {
  event: string;
  data: { seq?: number; stream?: string; data?: string; status?: string; message?: string | null };
}

/**
 * Follows `GET /jobs/:name/stream` (server-sent events) until the server ends it (the job ended), or
 * until `until` returns true. Returns every event and the stdout text.
 */
export async function followJob(
  baseUrl: string,
  name: string,
  until?: (events: StreamEvent[], stdout: string) => boolean,
): Promise<{ events: StreamEvent[]; stdout: string; stderr: string }> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}${WS}/jobs/${name}/stream`, { signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  const events: StreamEvent[] = [];
  let stdout = '';
  let stderr = '';
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as StreamEvent['data'];
        events.push({ event, data });
        if (event === 'log' && data.stream === 'stdout') stdout += data.data ?? '';
        if (event === 'log' && data.stream === 'stderr') stderr += data.data ?? '';
        if (until?.(events, stdout)) {
          controller.abort();
          return { events, stdout, stderr };
        }
        end = buffer.indexOf('\n\n');
      }
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  }
  return { events, stdout, stderr };
}

export const statuses = (events: StreamEvent[]) =>
  events.filter((e) => e.event === 'status').map((e) => e.data.status);

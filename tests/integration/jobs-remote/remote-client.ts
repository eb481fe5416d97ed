import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type CairnServer, resolveConfig, type ServerConfigInput } from '@cairn/server';

export const ADMIN = { name: 'root', password: 'root-password' };
const WS = '/api/v1/workspaces/default';

export interface TestServer {
  server: CairnServer;
  baseUrl: string;
  /** Calls the API (with the admin's credentials when the server requires them); throws on 4xx/5xx. */
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Follows the job's event stream to its end; returns the job, its output and its status events. */
  runToEnd(name: string): Promise<{ job: WireJob; stdout: string; statuses: string[] }>;
  authHeader: Record<string, string>;
  dispose(): Promise<void>;
}

export interface WireJob {
  name: string;
  status: string;
  exitCode: number | null;
  errorSummary: string | null;
  snapshotId: string | null;
}

/** A real server on a free port with a fresh SQLite store under a fresh folder; `auth` adds a stored admin. */
export async function startServer(options: { auth?: boolean } = {}): Promise<TestServer & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-jobs-remote-'));
  const input: ServerConfigInput = {
    port: 0,
    dataDir: join(dir, 'data'),
    logLevel: 'silent',
    localUser: 'tester',
    jobEnvironment: process.env,
  };
  if (options.auth) {
    input.authRequired = true;
    input.bootstrapAdmin = `${ADMIN.name}:${ADMIN.password}`;
  }
  const server = await buildServer(resolveConfig(input));
  const baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const authHeader: Record<string, string> = options.auth
    ? { authorization: `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}` }
    : {};
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...authHeader, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T & { message?: string; error?: { message?: string } };
    if (!res.ok) {
      const message = json.error?.message ?? json.message;
      throw Object.assign(new Error(`${res.status} ${message}`), { status: res.status });
    }
    return json;
  };
  const runToEnd = async (name: string) => {
    const res = await fetch(`${baseUrl}${WS}/jobs/${name}/stream`, { headers: authHeader });
    if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
    let stdout = '';
    const statuses: string[] = [];
    for (const block of (await res.text()).split('\n\n')) {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as {
        stream?: string;
        data?: string;
        status?: string;
      };
      if (event === 'log' && data.stream === 'stdout') stdout += data.data ?? '';
      if (event === 'status' && data.status) statuses.push(data.status);
    }
    const { job } = await call<{ job: WireJob }>('GET', `${WS}/jobs/${name}`);
    return { job, stdout, statuses };
  };
  return {
    server,
    baseUrl,
    call,
    runToEnd,
    authHeader,
    dir,
    async dispose() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const submit = (s: TestServer, yaml: string, codeRoot?: string) =>
  s.call<{ job: WireJob }>('POST', `${WS}/jobs`, { yaml, codeRoot }).then((r) => r.job);

export const createCompute = (s: TestServer, yaml: string) => s.call('POST', `${WS}/computes`, { yaml });

export const snapshotPath = (name: string) => `${WS}/jobs/${name}/snapshot.tar`;

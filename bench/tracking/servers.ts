import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A server process the benchmark started, in its own process group so its workers stop with it. */
export interface ServerProcess {
  readonly name: string;
  readonly baseUrl: string;
  readonly logPath: string;
  /** Milliseconds from spawn until /health answered 200. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  port: number;
  logPath: string;
  startTimeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const live = new Set<ChildProcess>();

/** Last-resort cleanup: whatever happens to the benchmark, the servers it started do not outlive it. */
function killAllNow(): void {
  for (const child of live) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllNow();
    process.exit(130);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const logFd = openSync(spec.logPath, 'a');
  const started = performance.now();
  const child = spawn(spec.command, spec.args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, ...spec.env },
  });
  closeSync(logFd);
  live.add(child);
  let exited: { code: number | null; signal: string | null } | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve();
    });
  });
  const baseUrl = `http://127.0.0.1:${spec.port}`;
  const stop = async () => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 20_000);
    await exitPromise;
    clearTimeout(timer);
    // Workers of the group may outlive the leader by a moment; make sure none keeps the database open.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // group is empty
    }
  };

  const deadline = performance.now() + spec.startTimeoutMs;
  while (performance.now() < deadline) {
    if (exited) {
      const e = exited as { code: number | null; signal: string | null };
      throw new Error(
        `${spec.name} exited during startup (code ${e.code}, signal ${e.signal}). Last log lines:\n${tail(spec.logPath)}`,
      );
    }
    if (await healthy(baseUrl)) {
      return {
        name: spec.name,
        baseUrl,
        logPath: spec.logPath,
        startupMs: performance.now() - started,
        stop,
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(
    `${spec.name} did not answer GET /health within ${spec.startTimeoutMs} ms. Last log lines:\n${tail(spec.logPath)}`,
  );
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface Layout {
  /** Folder holding MLflow's database and artifacts. */
  mlflowDir: string;
  /** Cairn's --data-dir. */
  cairnDir: string;
}

export const mlflowDbPath = (layout: Layout) => join(layout.mlflowDir, 'mlflow.db');
export const cairnDbPath = (layout: Layout) => join(layout.cairnDir, 'cairn.db');

export async function startMlflow(python: string, layout: Layout, port: number): Promise<ServerProcess> {
  return startServer({
    name: 'mlflow',
    command: python,
    args: [
      '-m',
      'mlflow',
      'server',
      '--backend-store-uri',
      `sqlite:///${mlflowDbPath(layout)}`,
      '--artifacts-destination',
      join(layout.mlflowDir, 'artifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    port,
    logPath: join(layout.mlflowDir, 'server.log'),
    startTimeoutMs: 180_000,
    env: { PYTHONUNBUFFERED: '1' },
  });
}

export async function startCairn(layout: Layout, port: number): Promise<ServerProcess> {
  return startServer({
    name: 'cairn',
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      join(REPO_ROOT, 'packages/cli/src/main.ts'),
      'server',
      'start',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      layout.cairnDir,
    ],
    port,
    logPath: join(layout.cairnDir, 'server.log'),
    startTimeoutMs: 60_000,
  });
}

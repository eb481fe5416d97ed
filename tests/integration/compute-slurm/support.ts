import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ComputeAdapter, ComputeHandle, LogSink, ObservedState } from '@cairn/jobs';

const run = promisify(execFile);

/** Keeps everything written to it and lets a test await a piece of text on a stream. */
export class CollectingSink implements LogSink {
  readonly #chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  #listeners = new Set<() => void>();

  write(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    this.#chunks[stream].push(Buffer.from(chunk));
    for (const listener of this.#listeners) listener();
  }

  text(stream: 'stdout' | 'stderr'): string {
    return Buffer.concat(this.#chunks[stream]).toString('utf8');
  }

  waitFor(stream: 'stdout' | 'stderr', needle: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (!this.text(stream).includes(needle)) return false;
        cleanup();
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `'${needle}' did not arrive on ${stream} within ${timeoutMs} ms; got: ${this.text(stream)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      const listener = (): void => {
        check();
      };
      this.#listeners.add(listener);
      check();
    });
  }
}

/** Polls the engine (the only way to learn a Slurm job's state) until `done` holds. */
export async function pollUntil(
  adapter: ComputeAdapter,
  handle: ComputeHandle,
  done: (state: ObservedState) => boolean,
  timeoutMs = 60_000,
): Promise<ObservedState> {
  const deadline = Date.now() + timeoutMs;
  let state = await adapter.poll(handle);
  while (!done(state)) {
    if (Date.now() > deadline)
      throw new Error(`job ${handle.id} still ${JSON.stringify(state)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
    state = await adapter.poll(handle);
  }
  return state;
}

export const isFinished = (state: ObservedState): boolean =>
  !['queued', 'preparing', 'running'].includes(state.state);

/** Serves a folder as an uncompressed tar at /snapshot.tar, only to requests bearing `token`. */
export async function serveSnapshot(
  files: Record<string, string>,
  token: string,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-slurm-code-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const { stdout } = await run('tar', ['-C', dir, '-cf', '-', '.'], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end('missing or wrong token\n');
      return;
    }
    if (req.url !== '/snapshot.tar') {
      res.writeHead(404).end('no such snapshot\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': stdout.length }).end(stdout);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/snapshot.tar`,
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Whether a process id is still alive (zombies count as gone: they hold nothing). */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const { stdout } = await run('ps', ['-o', 'stat=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.trim() !== '' && !stdout.trim().startsWith('Z');
}

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** A `cairn server start` running as a real child process. */
export interface CairnProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  child: ChildProcess;
  /** SIGKILL, then wait for the process to be gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean shutdown), then wait for exit. */
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx packages/cli/src/main.ts server start` on a free port (port 0; the address
 * is read from the line the server prints once it listens) with the given data folder and store.
 */
export async function startCairn(options: { dataDir: string; storeUri?: string }): Promise<CairnProcess> {
  const args = [
    '--import',
    'tsx',
    'packages/cli/src/main.ts',
    'server',
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data-dir',
    options.dataDir,
    '--log-level',
    'error',
  ];
  if (options.storeUri) args.push('--store', options.storeUri);
  // The server's own settings come from the flags only, never from this shell's CAIRN_* variables.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_') || k.startsWith('CAIRN_TEST_')),
  );
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cairn server did not start within ${START_TIMEOUT_MS} ms; output:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Cairn listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `cairn server exited (code ${code}, signal ${signal}) before listening; output:\n${output}`,
        ),
      );
    });
  });
  return {
    url,
    child,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

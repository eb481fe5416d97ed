import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LAUNCHER_SCRIPT_PATH } from './index.js';

const run = promisify(execFile);

/** False once the process is gone or a zombie (it then holds nothing). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\S+\s+\S+\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, 'x'));
  } catch {
    return false;
  }
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the launcher with exactly `env` (plus PATH) and resolves with its exit code and output. */
function launch(env: Record<string, string>, options: { onStdout?: (text: string) => void } = {}) {
  const child = spawn('sh', [LAUNCHER_SCRIPT_PATH], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(stdout);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Outcome>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe('cairn-launch.sh', () => {
  let dir: string;
  let tarPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-launch-'));
    await mkdir(join(dir, 'code'));
    await writeFile(join(dir, 'code', 'train.py'), 'import sys\nprint("train", sys.argv[1])\n');
    tarPath = join(dir, 'snapshot.tar');
    await run('tar', ['-C', join(dir, 'code'), '-cf', tarPath, '.']);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('extracts a file:// snapshot into the work dir and exits with the command status', async () => {
    const work = join(dir, 'work');
    const { done } = launch({
      CAIRN_WORK_DIR: work,
      CAIRN_SNAPSHOT_URL: `file://${tarPath}`,
      CAIRN_COMMAND: 'python3 train.py 0.1; echo oops >&2; exit 4',
    });
    expect(await done).toEqual({ code: 4, stdout: 'train 0.1\n', stderr: 'oops\n' });
    expect(await readFile(join(work, 'train.py'), 'utf8')).toContain('print');
  });

  it('runs a command file', async () => {
    const file = join(dir, 'command.sh');
    await writeFile(file, 'echo "from file: $0"\n');
    const { done } = launch({ CAIRN_WORK_DIR: join(dir, 'w'), CAIRN_COMMAND_FILE: file });
    expect((await done).stdout).toBe(`from file: ${file}\n`);
  });

  it('says what is missing when there is no command', async () => {
    const { done } = launch({});
    expect(await done).toMatchObject({
      code: 1,
      stderr: 'cairn-launch: no command: set CAIRN_COMMAND or CAIRN_COMMAND_FILE\n',
    });
  });

  it('downloads with python3 when curl is absent, sending the bearer token', async () => {
    const tar = await readFile(tarPath);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.end(tar);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      // A PATH with the tools the launcher needs, but no curl.
      const bin = join(dir, 'bin');
      await mkdir(bin);
      for (const tool of ['sh', 'python3', 'tar', 'mkdir', 'dirname', 'tail', 'rm', 'cp', 'setsid']) {
        // python3 may be a wrapper script on PATH; link the interpreter itself.
        const { stdout } =
          tool === 'python3'
            ? await run('python3', ['-c', 'import sys; print(sys.executable)'])
            : await run('sh', ['-c', `command -v ${tool}`]);
        await symlink(stdout.trim(), join(bin, tool));
      }
      const { port } = server.address() as AddressInfo;
      const { done } = launch({
        PATH: bin,
        CAIRN_WORK_DIR: join(dir, 'work'),
        CAIRN_TOKEN: 'secret-token',
        CAIRN_SNAPSHOT_URL: `http://127.0.0.1:${port}/snapshot.tar`,
        CAIRN_COMMAND: 'python3 train.py py',
      });
      expect(await done).toEqual({ code: 0, stdout: 'train py\n', stderr: '' });
      expect(seen).toEqual(['Bearer secret-token']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('forwards TERM to the whole process group of the command and exits 143', async () => {
    let onPids: (text: string) => void = () => undefined;
    const pidsPrinted = new Promise<string>((resolve) => {
      onPids = (text) => {
        if (text.includes('\n')) resolve(text);
      };
    });
    const { child, done } = launch(
      { CAIRN_WORK_DIR: join(dir, 'work'), CAIRN_COMMAND: 'sleep 300 & echo "$!"; wait' },
      { onStdout: (text) => onPids(text) },
    );
    const grandchild = Number((await pidsPrinted).trim());
    child.kill('SIGTERM');
    expect((await done).code).toBe(143);
    // The signal is delivered; the process may take a moment to exit and be reaped.
    const deadline = Date.now() + 10_000;
    while (alive(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(grandchild)).toBe(false);
  });
});

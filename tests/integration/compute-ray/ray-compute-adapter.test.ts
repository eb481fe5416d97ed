import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CairnError, ErrorCode } from '@cairn/core';
import {
  type ComputeHandle,
  createSnapshot,
  type JobLaunch,
  type LogSink,
  type ObservedState,
  RayComputeAdapter,
} from '@cairn/jobs';
import { LocalBlobStore } from '@cairn/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRayAddress } from '../support/env.js';

const address = testRayAddress();

/** A log sink that keeps everything it was sent. */
class MemorySink implements LogSink {
  readonly chunks: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  write(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    this.chunks.push({ stream, text: Buffer.from(chunk).toString('utf8') });
  }
  text(): string {
    return this.chunks.map((c) => c.text).join('');
  }
}

/** Ray reports state only when asked; ask every 200 ms until `done` holds (or fail after `timeoutMs`). */
async function pollUntil(
  adapter: RayComputeAdapter,
  handle: ComputeHandle,
  done: (state: ObservedState) => boolean,
  timeoutMs = 60_000,
): Promise<ObservedState> {
  const deadline = Date.now() + timeoutMs;
  let last: ObservedState | undefined;
  while (Date.now() < deadline) {
    last = await adapter.poll(handle);
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `job ${handle.id} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const terminal = (s: ObservedState) => ['completed', 'failed', 'canceled', 'lost'].includes(s.state);

describe.skipIf(!address)('RayComputeAdapter against a real Ray head', () => {
  const rayAddress = address ?? '';
  let work: string;
  let blobs: LocalBlobStore;
  let snapshotId: string;
  let adapter: RayComputeAdapter;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cairn-ray-test-'));
    blobs = new LocalBlobStore(join(work, 'blobs'));
    const code = join(work, 'code');
    const files: Record<string, string> = {
      'main.py': [
        'import os, sys',
        'from lib.helper import greeting',
        'print(greeting(), os.environ["CAIRN_TEST_MARK"], flush=True)',
        'print("to stderr", file=sys.stderr, flush=True)',
      ].join('\n'),
      'lib/__init__.py': '',
      'lib/helper.py': 'def greeting():\n    return "hello from the snapshot"\n',
      'bin/hello.sh': '#!/bin/sh\necho "executable kept its mode"\n',
      'fail.py': 'import sys\nprint("about to fail: bad learning rate", file=sys.stderr)\nsys.exit(3)\n',
      'count.py': [
        'import sys, time',
        'n = int(sys.argv[1])',
        'for i in range(n):',
        '    print(f"line {i}", flush=True)',
        '    time.sleep(float(sys.argv[2]))',
      ].join('\n'),
      '.gitignore': 'ignored.txt\n',
      'ignored.txt': 'not in the snapshot',
    };
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(code, path)), { recursive: true });
      await writeFile(join(code, path), content);
    }
    await chmod(join(code, 'bin/hello.sh'), 0o755);
    snapshotId = (await createSnapshot({ root: code, blobs })).id;
    adapter = new RayComputeAdapter({ address: rayAddress, blobs, logIntervalMs: 200 });
    // CAIRN_TEST_RAY_ADDRESS is set, so Ray must answer: a failure here fails the suite, it never skips.
    await adapter.verify();
  });

  afterAll(async () => {
    await adapter?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const launch = (command: string, extra: Partial<JobLaunch> = {}): JobLaunch => ({
    jobId: randomUUID(),
    workspaceId: 'ws-test',
    command,
    env: { CAIRN_TEST_MARK: 'mark-42' },
    snapshotId,
    snapshotUrl: null,
    environment: null,
    resources: { instanceCount: 1 },
    timeoutSeconds: null,
    workDir: null,
    ...extra,
  });

  it('runs python main.py from the uploaded working_dir and completes with its output in the sink', async () => {
    const sink = new MemorySink();
    const handle = await adapter.submit(launch('python main.py && ./bin/hello.sh && ls'), sink);
    expect(handle).toMatchObject({ kind: 'ray', data: { address: rayAddress } });
    expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);

    const state = await pollUntil(adapter, handle, terminal);
    expect(state).toEqual({ state: 'completed' });
    const out = sink.text();
    expect(out).toContain('hello from the snapshot mark-42');
    expect(out).toContain('to stderr');
    expect(out).toContain('executable kept its mode');
    expect(out).not.toContain('ignored.txt');
    // Each line once: the log is fetched repeatedly but only new bytes reach the sink.
    expect(out.split('hello from the snapshot').length).toBe(2);
  });

  it('reports a failing command as failed with its exit code and the last log lines as the reason', async () => {
    const sink = new MemorySink();
    const handle = await adapter.submit(launch('python fail.py'), sink);
    const state = await pollUntil(adapter, handle, terminal);
    expect(state).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(state.state === 'failed' && state.reason).toContain('about to fail: bad learning rate');
    expect(sink.text()).toContain('about to fail: bad learning rate');
  });

  it('stops a running job on cancel, and cancel is idempotent', async () => {
    const sink = new MemorySink();
    const handle = await adapter.submit(launch('python count.py 600 0.1'), sink);
    await until(() => sink.text().includes('line 1'), 'the job to print');
    await adapter.cancel(handle);
    const state = await pollUntil(adapter, handle, terminal);
    expect(state.state).toBe('canceled');
    await adapter.cancel(handle);
    expect(sink.text()).not.toContain('line 599');
  });

  it('runs a job without code, with the resources it asks for', async () => {
    const sink = new MemorySink();
    const handle = await adapter.submit(
      launch('echo "no code: $CAIRN_TEST_MARK"', {
        snapshotId: null,
        resources: { instanceCount: 1, cpus: 1 },
      }),
      sink,
    );
    expect(await pollUntil(adapter, handle, terminal)).toEqual({ state: 'completed' });
    expect(sink.text()).toContain('no code: mark-42');
  });

  it('reattaches with a fresh adapter and continues the logs without duplicates', async () => {
    const first = new RayComputeAdapter({ address: rayAddress, blobs, logIntervalMs: 200 });
    const before = new MemorySink();
    const submitted = await first.submit(launch('python count.py 40 0.1'), before);
    await until(() => before.text().includes('line 3'), 'the first lines');
    await first.close(); // the server goes away while the job runs
    const saved = JSON.parse(JSON.stringify(submitted)) as ComputeHandle;
    expect(saved.data?.logOffset).toBe(Buffer.byteLength(before.text()));

    const second = new RayComputeAdapter({ address: rayAddress, blobs, logIntervalMs: 200 });
    try {
      const after = new MemorySink();
      const reattached = await second.reattach(saved, after);
      expect(['running', 'completed']).toContain(reattached.state);
      expect(await pollUntil(second, saved, terminal)).toEqual({ state: 'completed' });
      const lines = (before.text() + after.text()).split('\n').filter((l) => l.startsWith('line '));
      expect(lines).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`));
      expect(after.text()).not.toContain('line 0\n');
    } finally {
      await second.close();
    }
  });

  it('reports a job Ray does not know as lost', async () => {
    const state = await adapter.poll({ kind: 'ray', id: `cairn-${randomUUID()}`, data: {} });
    expect(state).toMatchObject({ state: 'lost' });
  });

  it('refuses instance_count above 1 before submitting anything', async () => {
    await expect(
      adapter.submit(launch('true', { resources: { instanceCount: 2 } }), new MemorySink()),
    ).rejects.toThrow(/instance_count 2 does not apply to Ray compute/);
  });
});

describe('RayComputeAdapter.verify against nothing', () => {
  it('names the unreachable address, the cause and the setting to fix', async () => {
    // A port that was free a moment ago: bound, then closed.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const bound = server.address();
        server.close(() => resolve(typeof bound === 'object' && bound ? bound.port : 0));
      });
    });
    const adapter = new RayComputeAdapter({ address: `http://127.0.0.1:${port}/` });
    const error = await adapter.verify().then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe(ErrorCode.UNAVAILABLE);
    expect((error as CairnError).message).toMatch(
      new RegExp(`^Ray at http://127\\.0\\.0\\.1:${port} is unreachable: .*ECONNREFUSED.*'address' setting`),
    );
    await adapter.close();
  });
});

/**
 * bench/jobs: Cairn's local-job overhead against running the same commands directly, in one run.
 *
 *   node --import tsx bench/jobs/run.ts [--jobs 200] [--samples 20] [--no-readme]
 *
 * (a) Start latency: from just before the submit request to the moment the user's process runs (the
 *     process writes its own start time), for one job at a time on an idle pool; the anchor is the same
 *     command spawned with `/bin/sh -c` from Node, measured the same way.
 * (b) Throughput: N trivial jobs (`true`) submitted back to back, until all have completed; the anchor
 *     runs the same N commands directly with the same concurrency as the local pool.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, resolveConfig } from '@cairn/server';
import { replaceReadmeResults } from '../harness.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const JOBS = arg('jobs', 200);
const SAMPLES = arg('samples', 20);
const writeReadme = !process.argv.includes('--no-readme');

const work = await mkdtemp(join(tmpdir(), 'cairn-bench-jobs-'));
const server = await buildServer(
  resolveConfig({ port: 0, dataDir: join(work, 'data'), logLevel: 'silent', jobEnvironment: process.env }),
);
const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
const api = `${base}/api/v1/workspaces/default`;

async function submit(command: string): Promise<string> {
  const yaml = `command: ${JSON.stringify(command)}\nexperiment_name: bench-jobs\n`;
  const res = await fetch(`${api}/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ yaml }),
  });
  if (res.status !== 201) throw new Error(`submit failed with ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { job: { name: string } }).job.name;
}

async function status(name: string): Promise<string> {
  const res = await fetch(`${api}/jobs/${name}`);
  return ((await res.json()) as { job: { status: string } }).job.status;
}

async function waitFile(path: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const text = (await readFile(path, 'utf8')).trim();
      if (text) return text;
    } catch {
      // not written yet
    }
    if (Date.now() > until) throw new Error(`${path} was not written within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const stamp = (file: string) => `date +%s%3N > ${file}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

function runDirect(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });
}

try {
  // (a) start latency
  const cairnStart: number[] = [];
  const directStart: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const file = join(work, `cairn-${i}`);
    const t0 = Date.now();
    const name = await submit(stamp(file));
    cairnStart.push(Number(await waitFile(file)) - t0);
    while (!['completed', 'failed', 'canceled'].includes(await status(name)))
      await new Promise((r) => setTimeout(r, 5));
    const dfile = join(work, `direct-${i}`);
    const d0 = Date.now();
    await runDirect(stamp(dfile));
    directStart.push(Number(await waitFile(dfile)) - d0);
  }

  // (b) throughput
  const pool = cpus().length;
  const c0 = performance.now();
  const names: string[] = [];
  for (let i = 0; i < JOBS; i++) names.push(await submit('true'));
  const pending = new Set(names);
  while (pending.size) {
    for (const name of [...pending]) {
      const s = await status(name);
      if (s === 'failed' || s === 'canceled') throw new Error(`job ${name} ended ${s}`);
      if (s === 'completed') pending.delete(name);
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 20));
  }
  const cairnTotal = performance.now() - c0;
  const d0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: pool }, async () => {
      while (next < JOBS) {
        next++;
        await runDirect('true');
      }
    }),
  );
  const directTotal = performance.now() - d0;

  const rows = [
    [
      'Start latency: submit → user process running, median (p95)',
      `${median(directStart)} ms (${p95(directStart)})`,
      `${median(cairnStart)} ms (${p95(cairnStart)})`,
      `${median(cairnStart) - median(directStart)} ms`,
    ],
    [
      `${JOBS} trivial jobs end to end (pool of ${pool})`,
      `${directTotal.toFixed(0)} ms`,
      `${cairnTotal.toFixed(0)} ms`,
      `${((cairnTotal - directTotal) / JOBS).toFixed(1)} ms per job`,
    ],
  ];
  const table = [
    '| Measure | Direct (`/bin/sh -c` from Node) | Cairn local job | Overhead |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  const report = `### Run of ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${cpus().length} cores, load average at the end ${load}. Cairn with SQLite, in-process server on loopback, jobs submitted through the native API (\`POST /api/v1/workspaces/default/jobs\`), ${SAMPLES} latency samples. Target (issue 3): under 100 ms overhead per local job.\n\n${table}\n`;
  process.stdout.write(`${report}\n`);
  if (writeReadme) replaceReadmeResults('jobs-results', report);
} finally {
  await server.close();
  await rm(work, { recursive: true, force: true });
}

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { CairnClient, type ComputeTarget, type Job, type JobStatusEvent } from '@cairn/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { type CliResult, REPO_ROOT as ROOT, runCli } from '../support/cli.js';
import { testPython } from '../support/env.js';

const HELLO = join(ROOT, 'examples', 'jobs', 'hello', 'job.yml');
const fresh = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

describe('cairn job / compute / environment against a real server', () => {
  let server: RunningServer;
  let specs: string;

  /** Runs the real CLI as a subprocess, pointed at the test server through the environment. */
  const cairn = (...args: string[]): Promise<CliResult> => runCli(server.baseUrl, args);

  async function specFile(name: string, text: string): Promise<string> {
    const path = join(specs, name);
    await writeFile(path, text);
    return path;
  }

  beforeAll(async () => {
    // Local jobs start from the server's job environment: put the test venv (with mlflow) first on its
    // PATH, so the example's `python` is the one that can log.
    server = await startServer('sqlite', {
      jobEnvironment: {
        ...process.env,
        PATH: `${dirname(testPython())}${delimiter}${process.env.PATH ?? ''}`,
      },
    });
    specs = join(server.dataDir, 'specs');
    await mkdir(specs, { recursive: true });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('creates the example job with --stream: shell and Python lines live, --set reaching the command, exit 0', async () => {
    const name = fresh('hello');
    const res = await cairn(
      'job',
      'create',
      '-f',
      HELLO,
      '--stream',
      '--set',
      'inputs.C=0.25',
      '--name',
      name,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`hello from ${name}`);
    expect(res.stdout).toContain('epoch 0: C=0.25');
    expect(res.stdout).toContain('epoch 2: C=0.25');
    expect(res.stdout).toContain('done');
    expect(res.stderr).toContain(`Created job ${name} on local`);
    expect(res.stderr).toMatch(/\] running\n/);
    expect(res.stderr).toMatch(/\] completed\n/);

    const { job, events } = await server.client.jobs.get(name);
    expect(job.status).toBe('completed');
    const run = await server.client.runs.get(job.runId!);
    expect(run.params).toMatchObject({ C: '0.25' });
    expect(run.metrics?.loss?.step).toBe(2);
    expect(events.map((e) => e.status)).toEqual(expect.arrayContaining(['queued', 'running', 'completed']));

    // download: the run's outputs and the captured log
    const dest = join(server.dataDir, fresh('dl'));
    const dl = await cairn('job', 'download', name, '--dest', dest);
    expect(dl.code, dl.stderr).toBe(0);
    expect(await readFile(join(dest, name, 'outputs', 'model', 'model.txt'), 'utf8')).toContain('C=0.25');
    expect(await readFile(join(dest, name, 'user_logs', 'std_log.txt'), 'utf8')).toContain('epoch 1');
  });

  it('a failing job exits 1 with its exit code and stderr tail; show puts them first', async () => {
    const file = await specFile(
      'fail.yml',
      'command: echo about to fail && echo boom, no data >&2 && exit 3\nexperiment_name: cli-jobs-failing\n',
    );
    const res = await cairn('job', 'create', '-f', file, '--stream', '--name', fresh('fail'));
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('about to fail');
    expect(res.stderr).toMatch(/Job \S+ failed with exit code 3/);
    expect(res.stderr).toContain('boom, no data');

    const name = /Created job (\S+)/.exec(res.stderr)![1]!;
    const show = await cairn('job', 'show', name);
    expect(show.code).toBe(0);
    const lines = show.stdout.split('\n');
    expect(lines[0]).toBe(`Job ${name} failed with exit code 3`);
    expect(show.stdout.indexOf('boom, no data')).toBeLessThan(show.stdout.indexOf('Status history'));
    expect(show.stdout).toMatch(/Exit code:\s+3/);
    expect(show.stdout).toMatch(/Experiment:\s+cli-jobs-failing/);
    expect(show.stdout).toMatch(/TIME\s+AFTER\s+STATUS\s+MESSAGE/);
    expect(show.stdout).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+\S+\s+queued/);
    expect(show.stdout).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+\S+\s+failed/);

    const json = JSON.parse((await cairn('job', 'show', name, '-o', 'json')).stdout) as {
      job: Job;
      events: JobStatusEvent[];
    };
    expect(json.job.exitCode).toBe(3);
    expect(json.events.at(-1)?.status).toBe('failed');
  });

  it('lists jobs with their columns, filters by status, and cancels a running job', async () => {
    const file = await specFile('sleep.yml', 'command: echo sleeping && sleep 60\n');
    const name = fresh('sleepy');
    const created = await cairn(
      'job',
      'create',
      '-f',
      file,
      '--name',
      name,
      '--experiment-name',
      'cli-jobs-sleep',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(
      new RegExp(`^Created job ${name} \\((queued|preparing|running) on local\\)`),
    );

    // wait for the job's first output, so the cancel stops a running process
    for await (const e of server.client.jobs.stream(name)) if (e.type === 'log') break;

    const list = await cairn('job', 'list', '--status', 'running');
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+TYPE\s+STATUS\s+COMPUTE\s+EXPERIMENT\s+CREATED\s+DURATION$/);
    const row = rows.find((r) => r.startsWith(name))!;
    expect(row).toMatch(/command\s+running\s+local\s+cli-jobs-sleep\s+\d{4}-\d{2}-\d{2} [\d:]{8}\s+\d/);

    const cancel = await cairn('job', 'cancel', name);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`^Job ${name}: (canceled|running|finalizing)`));
    const stream = await cairn('job', 'stream', name);
    expect(stream.code).toBe(1);
    expect(stream.stderr).toContain(`Job ${name} canceled`);

    const canceled = JSON.parse(
      (await cairn('job', 'list', '--status', 'canceled', '-o', 'json')).stdout,
    ) as Job[];
    expect(canceled.map((j) => j.name)).toContain(name);
    expect((await cairn('job', 'list', '--status', 'bogus')).stderr).toContain('expected one of queued');
  });

  it('shows the YAML error with file, line, column and field', async () => {
    const file = await specFile('bad.yml', 'command: echo hi\nlimits:\n  timeout: banana\n');
    const res = await cairn('job', 'create', '-f', file);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: limits\\.timeout: `),
    );

    const missing = await cairn('job', 'create', '-f', join(specs, 'nope.yml'));
    expect(missing.stderr).toContain('nope.yml: no such file');
    const unknown = await cairn('job', 'show', 'no_such_job_here');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: .*no_such_job_here/);
  });

  it('creates, lists, shows and deletes compute targets', async () => {
    const name = fresh('cpu').replace('_', '-');
    const file = await specFile('compute.yml', `name: ${name}\ntype: local\ncpus: 2\nmemory_gb: 4\n`);
    const created = await cairn('compute', 'create', '-f', file);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe(`Created compute target '${name}' (local)\n`);

    const list = await cairn('compute', 'list');
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+TYPE\s+SETTINGS\s+CREATED\s+CREATED BY$/);
    expect(rows[0]).toMatch(/^local\s+local\s+-\s+built in/);
    expect(rows.find((r) => r.startsWith(name))).toMatch(/local\s+cpus=2, memory_gb=4\s+\d{4}-/);
    const json = JSON.parse((await cairn('compute', 'show', name, '-o', 'json')).stdout) as ComputeTarget;
    expect(json.spec).toMatchObject({ cpus: 2 });
    expect((await cairn('compute', 'show', name)).stdout).toMatch(/cpus:\s+2/);

    const bad = await cairn(
      'compute',
      'create',
      '-f',
      await specFile('bad-compute.yml', `name: x\ntype: local\ncpus: -1\n`),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/:3:\d+: cpus: /);

    expect((await cairn('compute', 'delete', name)).stdout).toBe(`Deleted compute target '${name}'\n`);
    expect((await cairn('compute', 'list')).stdout).not.toContain(name);
  });

  it('registers environment versions, lists them and shows one by NAME or NAME:VERSION', async () => {
    const envName = fresh('env').replace('_', '-');
    const envFile = await specFile('env.yml', `name: ${envName}\npip:\n  - numpy==2.1.0\n`);
    const env1 = await cairn('environment', 'create', '-f', envFile);
    expect(env1.code, env1.stderr).toBe(0);
    expect(env1.stdout).toMatch(new RegExp(`^Created environment ${envName}:1 \\(hash [0-9a-f]{12}\\)`));
    await writeFile(envFile, `name: ${envName}\npip:\n  - numpy==2.2.0\n`);
    expect((await cairn('environment', 'create', '-f', envFile)).stdout).toContain(`${envName}:2`);
    const envList = await cairn('environment', 'list');
    expect(envList.stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+HASH\s+CREATED\s+CREATED BY$/);
    expect((await cairn('environment', 'show', envName)).stdout).toMatch(/Version:\s+2/);
    expect((await cairn('environment', 'show', `azureml:${envName}:1`)).stdout).toContain('numpy==2.1.0');
  });

  it('SDK: jobs.stream resumes after dropped connections without losing or repeating output', async () => {
    // A fetch that cuts each of the first two stream connections after its first log event.
    let cuts = 0;
    const cutting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).includes('/stream') || cuts >= 2 || !res.body) return res;
      cuts++;
      const reader = res.body.getReader();
      let seen = '';
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          controller.enqueue(value);
          seen += new TextDecoder().decode(value);
          if (/event: log\n[\s\S]*\n\n/.test(seen)) {
            await reader.cancel();
            controller.error(new TypeError('terminated'));
          }
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const client = new CairnClient({ baseUrl: server.baseUrl, fetch: cutting });
    const job = await client.jobs.create({
      yaml: 'command: for i in 1 2 3 4 5 6; do echo line $i; sleep 0.1; done\n',
    });
    let stdout = '';
    const statuses: string[] = [];
    let reconnects = 0;
    for await (const e of client.jobs.stream(job.name, { onReconnect: () => reconnects++ })) {
      if (e.type === 'log') stdout += e.data;
      else statuses.push(e.status);
    }
    expect(cuts).toBe(2);
    expect(reconnects).toBe(2);
    expect(stdout).toBe([1, 2, 3, 4, 5, 6].map((i) => `line ${i}\n`).join(''));
    expect(statuses.at(-1)).toBe('completed');
    expect(new Set(statuses).size).toBe(statuses.length);
  });
});

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { CairnClient, Experiment, Run } from '@cairn/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { type CliResult, runCli } from '../support/cli.js';

const fresh = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('cairn CLI against a real server', () => {
  let server: RunningServer;
  let client: CairnClient;
  let experiment: Experiment;
  let trained: Run;
  const weights = randomBytes(2 * 1024 * 1024 + 3);

  /** Runs the real CLI as a subprocess, pointed at the test server through the environment. */
  const cairn = (...args: string[]): Promise<CliResult> => runCli(server.baseUrl, args);

  beforeAll(async () => {
    server = await startServer('sqlite');
    client = server.client;
    experiment = await client.experiments.create({ name: fresh('cli'), tags: { team: 'vision' } });
    for (const [i, lr] of [0.1, 0.01].entries()) {
      const r = await client.runs.create({ experimentId: experiment.experimentId, runName: `lr-${lr}` });
      await client.runs.logBatch(r.runId, {
        params: { lr },
        metrics: Array.from({ length: 30 }, (_, step) => ({
          key: 'loss',
          value: (1 + i) / (step + 1),
          step,
        })),
      });
      trained = r;
    }
    await client.runs.uploadArtifact(trained.runId, 'model/weights.bin', weights);
    await client.runs.uploadArtifact(trained.runId, 'README.md', '# model\n');
  });
  afterAll(() => server?.dispose());

  it('prints experiments as JSON that parses, and as an aligned table', async () => {
    const json = await cairn('experiment', 'list', '--output', 'json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Experiment[];
    expect(parsed.map((e) => e.name)).toContain(experiment.name);

    const table = await cairn('experiment', 'list');
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+CREATED\s+UPDATED\s+TAGS$/);
    const row = rows.find((r) => r.includes(experiment.name))!;
    expect(row).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(row).toContain('team=vision');
    expect(row.indexOf(experiment.name)).toBe(header!.indexOf('NAME'));
  });

  it('lists runs with metric columns, filters them, and shows one', async () => {
    const table = await cairn('run', 'list', '-e', experiment.name, '--order-by', 'metrics.loss DESC');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN ID\s+NAME\s+STATUS\s+USER\s+STARTED\s+DURATION\s+LOSS$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('lr-0.01');

    const filtered = await cairn(
      'run',
      'list',
      '-e',
      experiment.experimentId,
      '--filter',
      "params.lr = '0.1'",
      '-o',
      'json',
    );
    const runs = JSON.parse(filtered.stdout) as Run[];
    expect(runs.map((r) => r.runName)).toEqual(['lr-0.1']);
    expect(runs[0]!.params).toEqual({ lr: '0.1' });

    const show = await cairn('run', 'show', trained.runId);
    expect(show.stdout).toMatch(/Run ID:\s+[0-9a-f]{32}/);
    expect(show.stdout).toContain('Params');
    expect(show.stdout).toMatch(/lr\s+0\.01/);
  });

  it('prints a metric history with a summary and sparkline, or all points as JSON', async () => {
    const table = await cairn('run', 'metrics', trained.runId, 'loss', '--max', '5');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Points:\s+30 \(steps 0 to 29\)/);
    expect(table.stdout).toMatch(/Trend:\s+[▁▂▃▄▅▆▇█]+/);
    expect(table.stdout).toMatch(/STEP\s+VALUE\s+TIME/);
    const json = JSON.parse((await cairn('run', 'metrics', trained.runId, 'loss', '-o', 'json')).stdout) as {
      metrics: { step: number }[];
    };
    expect(json.metrics).toHaveLength(30);
  });

  it('downloads a run folder and a single file', async () => {
    const dest = join(server.dataDir, fresh('dl'));
    const all = await cairn('run', 'download', trained.runId, '--dest', dest);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/Downloaded 2 files \(2\.0 MiB\)/);
    expect((await readFile(join(dest, 'model', 'weights.bin'))).equals(weights)).toBe(true);
    expect(await readFile(join(dest, 'README.md'), 'utf8')).toBe('# model\n');

    const one = await cairn(
      'run',
      'download',
      trained.runId,
      '--path',
      'model/weights.bin',
      '--dest',
      `${dest}-one`,
      '-o',
      'json',
    );
    expect(JSON.parse(one.stdout)).toEqual([
      expect.objectContaining({ path: 'model/weights.bin', bytes: weights.length }),
    ]);
    expect((await readFile(join(`${dest}-one`, 'weights.bin'))).length).toBe(weights.length);
  });

  it('creates, shows and lists workspaces, and lists audit events', async () => {
    const name = fresh('ws');
    expect((await cairn('workspace', 'create', name, '-d', 'cli test')).stdout).toContain(
      `Created workspace '${name}'`,
    );
    expect((await cairn('workspace', 'show', name)).stdout).toMatch(/Description:\s+cli test/);
    const list = await cairn('workspace', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+ROLE\s+CREATED\s+CREATED BY\s+DESCRIPTION$/);
    expect(list.stdout).toContain(name);

    await cairn('-w', name, 'experiment', 'create', 'audited', '-m', 'for the audit test');
    const audit = await cairn('audit', 'list', '-w', name);
    expect(audit.stdout.split('\n')[0]).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+MESSAGE$/);
    expect(audit.stdout).toContain('for the audit test');
  });

  it('deletes and restores an experiment by name', async () => {
    const name = fresh('gone');
    await client.experiments.create({ name });
    expect((await cairn('experiment', 'delete', name)).stdout).toContain(`Deleted experiment '${name}'`);
    expect((await cairn('experiment', 'list', '--deleted')).stdout).toContain(name);
    expect((await cairn('experiment', 'restore', name)).stdout).toContain(`Restored experiment '${name}'`);
  });

  it('fails in words with exit code 1', async () => {
    const missing = randomBytes(16).toString('hex');
    const res = await cairn('run', 'show', missing);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`error: Run with id=${missing} not found`);

    const bad = await cairn('run', 'list', '-e', experiment.name, '--filter', 'metrics.loss >> 1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: Invalid filter at position \d+/);

    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const { port } = closed.address() as AddressInfo;
    await new Promise((ok) => closed.close(ok));
    const down = await cairn('experiment', 'list', '--url', `http://127.0.0.1:${port}`);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/error: cannot reach the Cairn server/);
  });

  it('has help on every command', async () => {
    const help = await cairn('run', 'list', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: cairn run list \[options\]/);
    expect(help.stdout).toContain('--experiment <experiment>');
    const top = await cairn('--help');
    for (const group of ['workspace', 'experiment', 'run', 'audit', 'server'])
      expect(top.stdout).toContain(group);
    expect(top.stdout).toContain('CAIRN_URL');
  });
});

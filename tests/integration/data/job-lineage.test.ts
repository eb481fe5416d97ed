import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnClient } from '@cairn/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followJob, type JobServer, startJobServer, submitJob, tempDir } from '../jobs/job-client.js';

/** A job reads one data version and writes another: lineage is queryable both ways. */
describe('jobs and data lineage', () => {
  let dir: { path: string; dispose(): Promise<void> };
  let server: JobServer;
  let client: CairnClient;

  beforeAll(async () => {
    dir = await tempDir('cairn-lineage-');
    server = await startJobServer(join(dir.path, 'cairn.db'), join(dir.path, 'data'));
    client = new CairnClient({ baseUrl: server.baseUrl });
  });
  afterAll(async () => {
    await server?.close();
    await dir?.dispose();
  });

  it('binds an input to a pinned version, registers a named output, and records lineage', async () => {
    const source = join(dir.path, 'raw');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'numbers.csv'), 'n\n1\n2\n3\n');
    const store = `raw${randomUUID().slice(0, 6)}`;
    await client.datastores.create({ spec: { name: store, type: 'local', path: source } });
    await client.data.create({ name: 'numbers', path: `azureml://datastores/${store}/paths/` });

    const yaml = [
      'command: >-',
      "  cat ${{inputs.numbers}}/numbers.csv | awk 'NR>1 {s+=$1} END {print s}' > ${{outputs.total}}/total.txt",
      '  && ls -l ${{inputs.numbers}}/numbers.csv',
      'inputs:',
      '  numbers:',
      '    type: uri_folder',
      '    path: azureml:numbers@latest',
      'outputs:',
      '  total:',
      '    type: uri_folder',
      '    name: totals',
      '    version: "7"',
    ].join('\n');
    const job = await submitJob(server.baseUrl, { yaml });
    const { stdout } = await followJob(server.baseUrl, job.name);
    const done = await client.jobs.get(job.name);
    expect(done.job.status, `${done.job.errorSummary}\n${stdout}`).toBe('completed');
    // The input was pinned: the stored spec names version 1, not @latest.
    expect(JSON.stringify(done.job.spec)).toContain('azureml:numbers:1');

    const totals = await client.data.version('totals', '7');
    expect(totals).toMatchObject({ storage: 'uploaded', fileCount: 1 });
    expect(await new Response(await client.data.openFile('totals', '7', 'total.txt')).text()).toBe('6\n');

    const runId = done.job.runId as string;
    const ofRun = await client.data.runData(runId);
    expect(ofRun.inputs).toEqual([
      expect.objectContaining({ name: 'numbers', version: '1', port: 'numbers', jobName: job.name }),
    ]);
    expect(ofRun.outputs).toEqual([expect.objectContaining({ name: 'totals', version: '7', port: 'total' })]);
    expect((await client.data.lineage('numbers', '1')).consumedBy.map((l) => l.runId)).toEqual([runId]);
    expect((await client.data.lineage('totals', '7')).producedBy.map((l) => l.runId)).toEqual([runId]);
    expect((await client.data.events()).find((e) => e.name === 'totals')?.cause).toBe('job_output');
  });

  it('refuses at submit an input whose referenced source changed, and an unknown asset', async () => {
    const source = join(dir.path, 'moving');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'a.txt'), 'one');
    const store = `mv${randomUUID().slice(0, 6)}`;
    await client.datastores.create({ spec: { name: store, type: 'local', path: source } });
    await client.data.create({ name: 'moving', path: `azureml://datastores/${store}/paths/` });
    await writeFile(join(source, 'a.txt'), 'two!');
    const yaml = (path: string) => `command: ls \${{inputs.d}}\ninputs:\n  d:\n    path: ${path}\n`;
    const changed = await submitJob(server.baseUrl, { yaml: yaml('azureml:moving:1') }).catch(
      (e: { body: { error: { code: string; message: string } } }) => e.body.error,
    );
    expect(changed).toMatchObject({ code: 'CONFLICT' });
    const unknown = await submitJob(server.baseUrl, { yaml: yaml('azureml:ghost@latest') }).catch(
      (e: { body: { error: { code: string } } }) => e.body.error,
    );
    expect(unknown).toMatchObject({ code: 'NOT_FOUND' });
  });
});

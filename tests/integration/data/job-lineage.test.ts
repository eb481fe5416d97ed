import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CairnClient } from '@cairn/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followJob, type JobServer, startJobServer, submitJob, tempDir } from '../jobs/job-client.js';
import { testS3 } from '../support/env.js';

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
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Azure ML ${{…}} placeholder, not a template
      "  cat ${{inputs.numbers}}/numbers.csv | awk 'NR>1 {s+=$1} END {print s}' > ${{outputs.total}}/total.txt",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Azure ML ${{…}} placeholder, not a template
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

  it('hands a version referenced in S3 to a direct-mode input as its URI, and copies it for ro_mount', async () => {
    const s3 = testS3();
    const prefix = `lineage-test/${randomUUID()}`;
    const admin = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await admin.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/x.txt`, Body: 'from s3' }));
    admin.destroy();
    const store = `s3${randomUUID().slice(0, 6)}`;
    await client.datastores.create({
      spec: {
        name: store,
        type: 's3',
        bucket: s3.bucket,
        prefix,
        endpoint_url: s3.endpoint,
        region: s3.region,
        credentials: { access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey },
      },
    });
    await client.data.create({ name: 'in-s3', path: `azureml://datastores/${store}/paths/` });
    const yaml = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Azure ML ${{…}} placeholder, not a template
      'command: echo "direct=${{inputs.direct}}" && cat ${{inputs.mounted}}/x.txt',
      'inputs:',
      '  direct:',
      '    path: azureml:in-s3:1',
      '    mode: direct',
      '  mounted:',
      '    path: azureml:in-s3@latest',
      '    mode: ro_mount',
    ].join('\n');
    const job = await submitJob(server.baseUrl, { yaml });
    const { stdout } = await followJob(server.baseUrl, job.name);
    expect(stdout).toContain(`direct=azureml://datastores/${store}/paths/`);
    expect(stdout).toContain('from s3');
  });
});

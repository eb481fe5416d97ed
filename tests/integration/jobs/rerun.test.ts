import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnApiError, CairnClient } from '@cairn/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, freshStoreUri } from '../support/metadata-stores.js';
import { followJob, type JobServer, startJobServer, tempDir } from './job-client.js';

/** `POST jobs` with `rerunOf` (the studio's rerun): the source job's spec and snapshot, with overrides. */
describe.each(DIALECTS)('rerunning a job (%s, real server, local compute)', (dialect) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let target: Awaited<ReturnType<typeof freshStoreUri>>;
  let server: JobServer;
  let client: CairnClient;
  let project: string;

  beforeEach(async () => {
    dir = await tempDir('cairn-rerun-');
    target = await freshStoreUri(dialect);
    server = await startJobServer(target.uri, join(dir.path, 'data'));
    client = new CairnClient({ baseUrl: server.baseUrl });
    project = join(dir.path, 'project');
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'src', 'greet.sh'), 'echo "greeting: $1"\n');
  });
  afterEach(async () => {
    await server.close();
    await target.dispose();
    await dir.dispose();
  });

  const stdoutOf = async (name: string) => (await followJob(server.baseUrl, name)).stdout;

  it('reruns a job submitted with a server-side code folder, reusing its snapshot, with an input changed', async () => {
    const first = await client.jobs.create({
      yaml: `
name: greet-${Math.random().toString(36).slice(2, 8)}
command: sh greet.sh \${{inputs.word}}
code: src
inputs:
  word: hello
experiment_name: rerun-tests
`,
      codeRoot: project,
    });
    expect(await stdoutOf(first.name)).toContain('greeting: hello');

    // The snapshot was made on the server from codeRoot: the upload path would refuse it.
    await expect(
      client.jobs.create({ spec: { ...first.spec, name: undefined }, snapshotId: first.snapshotId! }),
    ).rejects.toThrow(/not uploaded to this workspace/);

    const again = await client.jobs.create({ rerunOf: first.name, set: ['inputs.word=world'] });
    expect(again.name).not.toBe(first.name);
    expect(again.snapshotId).toBe(first.snapshotId);
    expect(again.experimentId).toBe(first.experimentId);
    expect(again.spec.inputs).toEqual({ word: 'world' });
    expect(await stdoutOf(again.name)).toContain('greeting: world');
    const { job } = await client.jobs.get(again.name);
    expect(job.status).toBe('completed');

    // Without overrides, the same spec again.
    const same = await client.jobs.create({ rerunOf: again.name });
    expect(await stdoutOf(same.name)).toContain('greeting: world');
  });

  it('reruns a sweep trial as a command job whose drawn values are inputs', async () => {
    const sweep = await client.jobs.create({
      yaml: `
type: sweep
trial:
  command: sh greet.sh lr=\${{search_space.lr}}
  code: src
search_space:
  lr: { type: choice, values: [0.5] }
sampling_algorithm: grid
objective: { primary_metric: score, goal: maximize }
limits: { max_total_trials: 1 }
`,
      codeRoot: project,
    });
    await followJob(server.baseUrl, sweep.name);
    const { sweep: details } = await client.jobs.get(sweep.name);
    const trial = details!.trials[0]!;
    expect(await stdoutOf(trial.name)).toContain('greeting: lr=0.5');

    const again = await client.jobs.create({ rerunOf: trial.name, set: ['inputs.lr=0.9'] });
    expect(again.type).toBe('command');
    expect(again.parentJobName).toBeNull();
    expect(again.spec.inputs).toEqual({ lr: 0.9 });
    expect(await stdoutOf(again.name)).toContain('greeting: lr=0.9');
  });

  it('refuses what a rerun cannot do, naming the field', async () => {
    await writeFile(join(project, 'words.txt'), 'hi\n');
    const first = await client.jobs.create({
      yaml: `
command: cat \${{inputs.words}}
inputs:
  words: { type: uri_file, path: words.txt }
`,
      codeRoot: project,
    });
    await stdoutOf(first.name);

    const refused = (request: Parameters<typeof client.jobs.create>[0]) =>
      client.jobs.create(request).then(
        () => {
          throw new Error('expected the rerun to be refused');
        },
        (err: unknown) => err as CairnApiError,
      );

    // The relative path was relative to the submitter's folder, which the server does not keep.
    const relative = await refused({ rerunOf: first.name });
    expect(relative).toBeInstanceOf(CairnApiError);
    expect(relative.code).toBe('INVALID_ARGUMENT');
    expect(relative.details.field).toBe('inputs.words.path');
    expect(relative.message).toMatch(/absolute path or a data asset/);

    // An absolute path for it is fine.
    const fixed = await client.jobs.create({
      rerunOf: first.name,
      set: [`inputs.words=${join(project, 'words.txt')}`],
    });
    expect(await stdoutOf(fixed.name)).toBe('hi\n');

    const both = await refused({ rerunOf: first.name, yaml: 'command: echo' });
    expect(both.details.field).toBe('yaml');
    const unknownInput = await refused({ rerunOf: fixed.name, set: ['inputs.nope=1'] });
    expect(unknownInput.message).toMatch(/declares no input "nope"/);
    const missing = await refused({ rerunOf: 'no_such_job' });
    expect(missing.code).toBe('NOT_FOUND');
  });
});

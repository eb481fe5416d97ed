import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { type CliResult, runCli } from '../support/cli.js';

describe('cairn data / datastore against a real server', () => {
  let server: RunningServer;
  let work: string;
  const cairn = (...args: string[]): Promise<CliResult> => runCli(server.baseUrl, args);

  beforeAll(async () => {
    server = await startServer('sqlite', { data: { refreshTickMs: 0 }, jobEnvironment: process.env });
    work = await mkdtemp(join(tmpdir(), 'cairn-cli-data-'));
    // The CLI's hash cache goes here, not into the home folder.
    process.env.XDG_CACHE_HOME = join(work, 'cache');
  });
  afterAll(async () => {
    delete process.env.XDG_CACHE_HOME;
    await server?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('uploads a folder from YAML, re-uploads nothing when unchanged, lists, shows and downloads it', async () => {
    const folder = join(work, 'iris');
    await mkdir(join(folder, 'split'), { recursive: true });
    await writeFile(join(folder, 'split', 'train.csv'), 'a,b\n1,2\n3,4\n');
    await writeFile(join(folder, 'split', 'test.csv'), 'a,b\n5,6\n');
    // Files written within 2 s of a hash are never trusted from the cache (a second write in the same
    // timestamp tick would go unseen): age them, so the second upload below can use it.
    const past = new Date(Date.now() - 60_000);
    for (const f of ['train.csv', 'test.csv']) await utimes(join(folder, 'split', f), past, past);
    const yml = join(work, 'data.yml');
    await writeFile(
      yml,
      '$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\nname: iris-cli\ntype: uri_folder\npath: ./iris\ndescription: two splits\ntags:\n  team: ml\n',
    );
    const first = await cairn('data', 'create', '-f', yml);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Created data iris-cli:1 (2 files, 20 B, uploaded)');
    expect(first.stderr).toContain('Hashed 2 file(s) (0 unchanged, from the cache); uploaded 2 new');

    const again = await cairn('data', 'create', '-f', yml);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Created data iris-cli:2');
    expect(again.stderr).toContain('Hashed 0 file(s) (2 unchanged, from the cache); uploaded 0 new');

    const list = await cairn('data', 'list');
    expect(list.stdout).toMatch(/iris-cli\s+2\s+2/);
    const show = await cairn('data', 'show', 'iris-cli:1');
    expect(show.stdout).toContain('upload:./iris');
    expect(show.stdout).toContain('team=ml');

    const dest = join(work, 'down');
    const down = await cairn('data', 'download', 'iris-cli@latest', '--to', dest);
    expect(down.code, down.stderr).toBe(0);
    expect(await readFile(join(dest, 'split', 'train.csv'), 'utf8')).toBe('a,b\n1,2\n3,4\n');

    const bad = await cairn('data', 'create', '-f', yml, '--version', '1');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("already has a version '1'");
  });

  it('registers a datastore path, refreshes it, shows the diff and previews the table', async () => {
    const root = join(work, 'lake');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'part-0.csv'), 'x,y\n1,a\n2,b\n');
    const ds = join(work, 'ds.yml');
    await writeFile(ds, `name: lake\ntype: local\npath: ${root}\n`);
    expect((await cairn('datastore', 'create', '-f', ds)).stdout).toContain(
      'azureml://datastores/lake/paths/',
    );
    const created = await cairn(
      'data',
      'create',
      '--name',
      'lake-parts',
      '--path',
      'azureml://datastores/lake/paths/',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('referenced');

    await writeFile(join(root, 'part-1.csv'), 'x,y\n3,c\n');
    const refresh = await cairn('data', 'refresh', 'lake-parts');
    expect(refresh.stdout).toContain('Created lake-parts:2: +1 ~0 -0');
    const diff = await cairn('data', 'diff', 'lake-parts', '1', '2');
    expect(diff.stdout).toContain('+ part-1.csv');
    const preview = await cairn('data', 'preview', 'lake-parts', '--rows', '5');
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/x \(BIGINT\)/);
    expect(preview.stdout).toContain('c');
  });

  it('uploads a job’s code and local input folder, and the input is in the run’s lineage', async () => {
    const project = join(work, 'project');
    await mkdir(join(project, 'src'), { recursive: true });
    await mkdir(join(project, 'inputs'), { recursive: true });
    await writeFile(join(project, 'src', 'count.sh'), 'ls "$1" | wc -l\n');
    await writeFile(join(project, 'inputs', 'a.txt'), 'a');
    await writeFile(join(project, 'inputs', 'b.txt'), 'b');
    const job = join(project, 'job.yml');
    await writeFile(
      job,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Azure ML ${{…}} placeholder, not a template
      'command: sh count.sh ${{inputs.files}}\ncode: ./src\ninputs:\n  files:\n    type: uri_folder\n    path: ./inputs\n',
    );
    const res = await cairn('job', 'create', '-f', job, '--stream', '--name', 'count_files');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toMatch(/^2$/m);
    const run = (await server.client.jobs.get('count_files')).job.runId as string;
    const lineage = await cairn('data', 'lineage', '--run', run);
    expect(lineage.stdout).toMatch(/files\s+upload-[0-9a-f]{16}:1/);
  });
});

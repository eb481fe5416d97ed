import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataManifest, serializeDataManifest } from '@cairn/data';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { followJob, submitJob } from '../jobs/job-client.js';
import { eventually, launchChromium, screenshot } from './browser.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The studio's data pages in a real Chromium against a real server: data registered through the SDK
 * (a local datastore referenced in place and refreshed, a sample, one whose source then changed), and
 * a real local job that reads two versions and writes a third, so lineage has something to draw.
 */
describe('studio data pages in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let runId: string;

  beforeAll(async () => {
    await build({
      configFile: join(import.meta.dirname, '../../../packages/studio/vite.config.ts'),
      logLevel: 'warn',
    });
    [server, browser] = await Promise.all([
      startServer('sqlite', { jobEnvironment: process.env }),
      launchChromium(),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'cairn-studio-data-'));
    const client = server.client;

    // `tables`: a folder referenced in place; version 2 comes from a refresh after +1 ~1 -1.
    const raw = join(dir, 'raw');
    await mkdir(join(raw, 'images'), { recursive: true });
    await writeFile(join(raw, 'table.csv'), 'id,label,score\n1,cat,0.5\n2,dog,0.75\n3,cat,\n4,bird,1.5\n');
    await writeFile(join(raw, 'notes.txt'), 'first notes\n');
    await writeFile(join(raw, 'images/a.png'), 'not really a png a');
    await writeFile(join(raw, 'images/b.png'), 'not really a png b');
    await client.datastores.create({
      spec: { name: 'raw', type: 'local', path: raw, description: 'Raw drops' },
    });
    await client.data.create({
      name: 'tables',
      path: 'azureml://datastores/raw/paths/',
      description: 'Labelled tables and images',
      tags: { team: 'vision' },
    });
    await writeFile(join(raw, 'notes.txt'), 'second notes, longer\n');
    await writeFile(join(raw, 'images/c.png'), 'not really a png c');
    await unlink(join(raw, 'images/a.png'));
    const refreshed = await client.data.refresh('tables');
    expect(refreshed.version?.version).toBe('2');

    await client.data.registerSample('iris');

    // `moving`: its source changes after registration.
    const moving = join(dir, 'moving');
    await mkdir(moving);
    await writeFile(join(moving, 'a.txt'), 'one');
    await client.datastores.create({ spec: { name: 'moving', type: 'local', path: moving } });
    await client.data.create({ name: 'moving', path: 'azureml://datastores/moving/paths/' });
    await writeFile(join(moving, 'a.txt'), 'two!');

    // A job reads tables:2 and iris@latest and writes listing:1.
    const yaml = [
      'command: >-',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Azure ML's ${{…}} placeholders
      '  ls ${{inputs.tables}} > ${{outputs.listing}}/listing.txt && ls ${{inputs.iris}} >> ${{outputs.listing}}/listing.txt',
      'inputs:',
      '  tables:',
      '    type: uri_folder',
      '    path: azureml:tables:2',
      '  iris:',
      '    type: mltable',
      '    path: azureml:iris@latest',
      'outputs:',
      '  listing:',
      '    type: uri_folder',
      '    name: listing',
      '    version: "1"',
    ].join('\n');
    const job = await submitJob(server.baseUrl, { yaml });
    const { stdout, stderr } = await followJob(server.baseUrl, job.name);
    const done = await client.jobs.get(job.name);
    expect(done.job.status, `${done.job.errorSummary}\n${stdout}\n${stderr}`).toBe('completed');
    runId = done.job.runId as string;

    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      const path = join(
        tmpdir(),
        `studio-data-failure-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`,
      );
      await page.screenshot({ path }).catch(() => {});
      console.error(`studio data test failed on ${page.url()}; screenshot: ${path}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const url = (path: string) => `${server.baseUrl}/w/default${path}`;
  const pathIs = (path: string) =>
    eventually(
      async () => decodeURIComponent(new URL(page.url()).pathname),
      (p) => p === `/w/default${path}`,
      `the page ${path}`,
    );
  const texts = (selector: string) =>
    page.$$eval(selector, (els) => els.map((e) => e.textContent?.trim() ?? ''));

  it('lists assets and datastores, then opens an asset, a version and its files', async () => {
    await page.goto(url('/'));
    await page.locator('.topbar').getByRole('link', { name: 'Data' }).click();
    await pathIs('/data');
    const assets = page.getByTestId('data-assets');
    await assets.getByRole('link', { name: 'tables', exact: true }).waitFor();
    expect(await texts('[data-testid=data-assets] tbody td:first-child')).toEqual(
      expect.arrayContaining(['tables', 'iris', 'moving', 'listing']),
    );
    const stores = page.getByTestId('datastores');
    await stores.getByText(join(dir, 'raw'), { exact: true }).waitFor();
    await screenshot(page, 'data-list');

    await assets.getByRole('link', { name: 'tables', exact: true }).click();
    await pathIs('/data/tables');
    await page.getByTestId('asset-name').getByText('tables').waitFor();
    const versions = page.getByTestId('data-versions');
    await versions.locator('tr[data-version="1"]').waitFor();
    expect(await texts('[data-testid=data-versions] tbody tr td:first-child a')).toEqual(['2', '1']);
    expect(await versions.locator('tr[data-version="2"] .diff-counts').getAttribute('data-diff')).toBe(
      '+1 ~1 -1',
    );
    expect(await versions.locator('tr[data-version="2"] td').nth(1).textContent()).toBe('referenced');
    await screenshot(page, 'data-asset');

    await versions.getByRole('link', { name: '2', exact: true }).click();
    await pathIs('/data/tables/2');
    await page.getByTestId('version-title').getByText('tables:2').waitFor();
    expect(await page.getByTestId('version-overview').textContent()).toContain('azureml:tables:2');

    await page.locator('nav.tabs').getByRole('link', { name: 'Files' }).click();
    await pathIs('/data/tables/2/files');
    const files = page.getByTestId('data-files');
    await files.locator('tr[data-folder="images"]').waitFor();
    expect(await texts('[data-testid=data-files] tbody td:first-child')).toEqual([
      '▸ images/',
      'notes.txt',
      'table.csv',
    ]);
    await files.locator('tr[data-folder="images"] button').click();
    await files.locator('tr[data-file="images/c.png"]').waitFor();
    expect(await texts('[data-testid=data-files] tbody td:first-child')).toEqual(['b.png', 'c.png']);
    expect(await page.getByTestId('files-path').textContent()).toContain('images');
    // The download link answers the file's bytes.
    const href = await files
      .locator('tr[data-file="images/c.png"] a', { hasText: 'download' })
      .getAttribute('href');
    const res = await page.request.get(`${server.baseUrl}${href}`);
    expect(await res.text()).toBe('not really a png c');
    await screenshot(page, 'data-files');

    // `latest` names the newest version, as jobs pages link to it.
    await page.goto(url('/data/tables/latest'));
    await page.getByTestId('version-title').getByText('tables:2').waitFor();
  });

  it('diffs two versions picked from the lists', async () => {
    await page.goto(url('/data/tables'));
    const diff = page.getByTestId('data-diff');
    await diff.getByTestId('diff-added').getByText('+ images/c.png').waitFor();
    expect(await texts('[data-testid=diff-changed] li')).toEqual(['~ notes.txt']);
    expect(await texts('[data-testid=diff-removed] li')).toEqual(['- images/a.png']);
    // Swap the direction: what was added is now removed.
    await diff.getByLabel('From version').selectOption('2');
    await diff.getByLabel('To version').selectOption('1');
    await diff.getByTestId('diff-removed').getByText('- images/c.png').waitFor();
    expect(await texts('[data-testid=diff-added] li')).toEqual(['+ images/a.png']);
    expect(page.url()).toContain('from=2');
  });

  it('archives a version (hidden, then listed with Show archived) and restores it', async () => {
    await page.goto(url('/data/tables'));
    const versions = page.getByTestId('data-versions');
    await versions.locator('tr[data-version="1"]').getByRole('button', { name: 'Archive' }).click();
    await eventually(
      () => versions.locator('tr[data-version="1"]').count(),
      (n) => n === 0,
      'v1 hidden',
    );
    expect(
      (await server.client.data.versions('tables', { includeArchived: true })).find((v) => v.version === '1'),
    ).toMatchObject({ archived: true });
    await page.getByLabel('Show archived').check();
    const row = versions.locator('tr[data-version="1"]');
    await row.getByText('archived').waitFor();
    await row.getByRole('button', { name: 'Restore' }).click();
    await row.getByRole('button', { name: 'Archive' }).waitFor();
    expect((await server.client.data.version('tables', '1')).archived).toBe(false);
  });

  it('previews and profiles tabular data, and explains data that is not tabular', async () => {
    // One CSV of a folder, from the files browser.
    await page.goto(url('/data/tables/2/files'));
    await page.locator('tr[data-file="table.csv"]').getByRole('link', { name: 'preview' }).click();
    await pathIs('/data/tables/2/preview');
    const preview = page.getByTestId('data-preview');
    await preview.waitFor();
    expect(await texts('[data-testid=data-preview] thead th')).toEqual([
      '#',
      'id BIGINT',
      'label VARCHAR',
      'score DOUBLE',
    ]);
    expect(await texts('[data-testid=data-preview] tbody tr:first-child td')).toEqual([
      '1',
      '1',
      'cat',
      '0.5',
    ]);
    expect(await preview.locator('td.null').count()).toBe(1);

    // The profile of the same file (the path is kept between the two tabs).
    await page.locator('nav.tabs').getByRole('link', { name: 'Profile' }).click();
    const profile = page.getByTestId('data-profile');
    await profile.waitFor();
    expect(page.url()).toContain('path=table.csv');
    const score = profile.locator('tr[data-column="score"] td');
    expect(await score.nth(1).textContent()).toBe('3'); // count
    expect(await score.nth(2).textContent()).toContain('1'); // nulls
    expect(await score.nth(6).textContent()).toBe('0.9167'); // mean of 0.5, 0.75, 1.5
    expect(await profile.locator('tr[data-column="score"] svg.histogram rect').count()).toBeGreaterThan(1);
    expect(await profile.locator('tr[data-column="label"] .top-value').count()).toBe(3);

    // A whole MLTable version: the sample iris.
    await page.goto(url('/data/iris/latest/profile'));
    await page.getByTestId('data-profile').locator('tr[data-column="species"]').waitFor();
    expect(await page.getByTestId('data-profile').locator('tbody tr').count()).toBe(5);
    await screenshot(page, 'data-profile');
    await page.locator('nav.tabs').getByRole('link', { name: 'Preview' }).click();
    await page.getByTestId('data-preview').waitFor();
    expect(await page.getByTestId('data-preview').locator('tbody tr').count()).toBe(100);
    await screenshot(page, 'data-preview');

    // Not tabular: the server's words.
    await page.goto(url('/data/tables/2/preview?path=notes.txt'));
    const error = page.getByTestId('table-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('is not tabular');
  });

  it('warns that a referenced version’s source changed since it was registered', async () => {
    await page.goto(url('/data/moving/1'));
    const warning = page.getByTestId('source-changed');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('~ a.txt');
    // An unchanged one says nothing.
    await page.goto(url('/data/tables/2'));
    await page.getByTestId('version-overview').waitFor();
    expect(await page.getByTestId('source-changed').count()).toBe(0);

    // Refreshing from the asset page makes the new version, which reads cleanly; a second finds nothing.
    await page.goto(url('/data/moving'));
    await page.getByRole('button', { name: 'Refresh from source' }).click();
    await pathIs('/data/moving/2');
    await page.getByTestId('version-overview').waitFor();
    expect(await page.getByTestId('source-changed').count()).toBe(0);
    expect((await server.client.data.version('moving', '2')).diff).toMatchObject({
      added: 0,
      changed: 1,
      removed: 0,
    });
    await page.goto(url('/data/moving'));
    await page.getByRole('button', { name: 'Refresh from source' }).click();
    await page.getByTestId('refresh-result').getByText('No change at the source.').waitFor();
  });

  it('pages through a version with more files than one page', async () => {
    const many = join(dir, 'many');
    await mkdir(many);
    for (let i = 0; i < 505; i++) await writeFile(join(many, `f${String(i).padStart(3, '0')}.txt`), `${i}`);
    await server.client.datastores.create({ spec: { name: 'many', type: 'local', path: many } });
    await server.client.data.create({ name: 'many', path: 'azureml://datastores/many/paths/' });
    await page.goto(url('/data/many/1/files'));
    const rows = page.getByTestId('data-files').locator('tbody tr');
    await eventually(
      () => rows.count(),
      (n) => n === 500,
      '500 rows on the first page',
    );
    expect(await page.locator('.pager').textContent()).toContain('more on the next page');
    await page.getByRole('button', { name: 'Next' }).click();
    await eventually(
      () => rows.count(),
      (n) => n === 5,
      '5 rows on the second page',
    );
    expect(await texts('[data-testid=data-files] tbody td:first-child')).toEqual([
      'f500.txt',
      'f501.txt',
      'f502.txt',
      'f503.txt',
      'f504.txt',
    ]);
    await page.getByRole('button', { name: 'Previous' }).click();
    await eventually(
      () => rows.count(),
      (n) => n === 500,
      'back to the first page',
    );
  });

  it('draws the lineage graph of a version and navigates by its nodes', async () => {
    await page.goto(url('/data/tables/2/lineage'));
    const graph = page.getByTestId('lineage-graph');
    const node = (id: string) => graph.locator(`.react-flow__node[data-id="${id}"]`);
    await node(`run:${runId}`).waitFor();
    await node('data:listing:1').waitFor();
    await node('data:iris:1').waitFor(); // the run's other input, one hop away
    expect(await graph.locator('.react-flow__edge').count()).toBe(3);
    expect(await page.getByTestId('consumed-by').textContent()).toContain(runId.slice(0, 12));
    await screenshot(page, 'data-lineage');

    // A data node re-centres the graph on that version.
    await node('data:listing:1').click();
    await pathIs('/data/listing/1/lineage');
    await node('data:listing:1').locator('.center').waitFor();
    await node('data:tables:2').waitFor();
    expect(await page.getByTestId('produced-by').textContent()).toContain(runId.slice(0, 12));

    // A run node opens the run.
    await node(`run:${runId}`).click();
    await pathIs(`/runs/${runId}`);
    await page.getByTestId('run-name').waitFor();
  });

  it('registers data referenced at a datastore path from the form, with errors named', async () => {
    await page.goto(url('/data'));
    await page.getByRole('button', { name: 'Register data' }).click();
    const form = page.getByTestId('register-data');
    await form.getByLabel('Name').fill('-bad');
    await form.getByLabel('Path').fill('azureml://datastores/raw/paths/images/');
    await form.getByRole('button', { name: 'Register', exact: true }).click();
    expect(await form.getByTestId('form-error').textContent()).toContain('Name: use letters');

    // A path that does not exist: the server's message.
    await form.getByLabel('Name').fill('from-form');
    await form.getByLabel('Path').fill('azureml://datastores/raw/paths/nowhere/');
    await form.getByRole('button', { name: 'Register', exact: true }).click();
    await form.getByText('The server refused it').waitFor();
    expect(await form.getByTestId('form-error').textContent()).toContain('nowhere');

    await form.getByLabel('Datastore').selectOption('raw');
    expect(await form.getByLabel('Path').inputValue()).toBe('azureml://datastores/raw/paths/');
    await form.getByLabel('Path').fill('azureml://datastores/raw/paths/images/');
    await form.getByLabel('Tags').fill('team=vision, stage=raw');
    await form.getByLabel('Description').fill('Images only');
    await form.getByRole('button', { name: 'Register', exact: true }).click();
    await pathIs('/data/from-form/1');
    await page.getByTestId('version-title').getByText('from-form:1').waitFor();
    const created = await server.client.data.version('from-form', '1');
    expect(created).toMatchObject({
      storage: 'referenced',
      fileCount: 2,
      tags: { team: 'vision', stage: 'raw' },
    });
  });

  it('uploads files and a folder picked in the browser as new versions', async () => {
    await page.goto(url('/data?register=1'));
    const form = page.getByTestId('register-data');
    await form.getByRole('button', { name: 'Upload files' }).click();
    await form.getByLabel('Name').fill('uploaded');
    const files = [
      { name: 'b.txt', mimeType: 'text/plain', buffer: Buffer.from('bee\n') },
      { name: 'a.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y\n1,2\n') },
    ];
    await form.getByLabel('Files', { exact: true }).setInputFiles(files);
    expect(await form.getByTestId('picked').textContent()).toContain('2 files');
    await form.getByRole('button', { name: 'Upload and register' }).click();
    await pathIs('/data/uploaded/1');
    await page.getByTestId('version-title').getByText('uploaded:1').waitFor();

    const v1 = await server.client.data.version('uploaded', '1');
    expect(v1).toMatchObject({
      storage: 'uploaded',
      fileCount: 2,
      totalBytes: 12,
      source: 'upload:b.txt, a.csv',
    });
    // The manifest the browser wrote is the one @cairn/data writes for the same files.
    const entries = files.map((f) => ({
      path: f.name,
      size: f.buffer.length,
      sha256: sha256(f.buffer),
      mtimeMs: null,
      etag: null,
      inode: null,
    }));
    expect(v1.manifestId).toBe(sha256(Buffer.concat([...serializeDataManifest(dataManifest(entries))])));
    expect(await new Response(await server.client.data.openFile('uploaded', '1', 'a.csv')).text()).toBe(
      'x,y\n1,2\n',
    );

    // A folder keeps its relative paths; a content the workspace holds already is not sent again.
    const folder = join(dir, 'picked');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await writeFile(join(folder, 'a.csv'), 'x,y\n1,2\n');
    await writeFile(join(folder, 'sub/c.txt'), 'sea\n');
    await page.goto(url('/data?register=1'));
    await form.getByRole('button', { name: 'Upload files' }).click();
    await form.getByLabel('Name').fill('uploaded');
    await form.getByLabel('Folder').setInputFiles(folder);
    expect(await form.getByTestId('picked').textContent()).toContain('from picked/');
    await form.getByRole('button', { name: 'Upload and register' }).click();
    await pathIs('/data/uploaded/2');
    const files2 = await server.client.data.files('uploaded', '2');
    expect(files2.map((f) => f.path)).toEqual(['a.csv', 'sub/c.txt']);
    expect((await server.client.data.version('uploaded', '2')).diff).toMatchObject({
      added: 1,
      changed: 0,
      removed: 1,
    });
    await page.locator('nav.tabs').getByRole('link', { name: 'Files' }).click();
    await page.getByTestId('data-files').locator('tr[data-folder="sub"]').waitFor();
  });
});

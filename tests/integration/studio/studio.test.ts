import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { testPython } from '../support/env.js';
import { eventually, launchChromium, screenshot } from './browser.js';
import { logWithMlflow, type SeededWorkspace, seedWorkspace } from './seed-workspace.js';

// The studio in a real Chromium against a real server, with data logged by the SDK and by mlflow.
describe('studio in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let seeded: SeededWorkspace;
  let mlflowRunId: string;
  const suffix = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    // Build the studio from source, so the test never runs against a stale build.
    await build({
      configFile: join(import.meta.dirname, '../../../packages/studio/vite.config.ts'),
      logLevel: 'warn',
    });
    server = await startServer('sqlite', { jobEnvironment: process.env });
    [seeded, mlflowRunId, browser] = await Promise.all([
      seedWorkspace(server.client, { runs: 60, name: `image-classifier-${suffix}` }),
      logWithMlflow(testPython(), server.baseUrl, `sklearn-baseline-${suffix}`),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  });
  afterEach(async (ctx) => {
    // A failed step leaves a picture of the page it failed on.
    if (ctx.task.result?.state === 'fail' && page) {
      const path = join(tmpdir(), `studio-failure-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`);
      await page.screenshot({ path }).catch(() => {});
      console.error(`studio test failed on ${page.url()}; screenshot: ${path}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  const url = (path: string) => `${server.baseUrl}/w/default${path}`;
  const rowNames = () =>
    page.$$eval('[data-testid=runs-table] .rt-row[data-run-id]', (rows) =>
      rows.map((r) => r.querySelector('a')?.textContent ?? ''),
    );
  const runCount = () => page.getByTestId('run-count').textContent();
  const rowIds = () =>
    page.$$eval('[data-testid=runs-table] .rt-row[data-run-id]', (rows) =>
      rows.map((r) => r.getAttribute('data-run-id') ?? ''),
    );
  const countIs = (text: string) => eventually(runCount, (t) => t === text, `run count '${text}'`);
  const sortIs = (column: string, dir: string) =>
    eventually(
      () => page.locator(`[data-column="${column}"]`).getAttribute('data-sort'),
      (v) => v === dir,
      `${column} sorted ${dir}`,
    );

  it('serves the page at / and opens the workspace home with experiments, recent runs, jobs, compute and data', async () => {
    await page.goto(server.baseUrl);
    expect(new URL(page.url()).pathname).toBe('/w/default/');
    await page.getByTestId('experiments').getByRole('link', { name: seeded.experimentName }).waitFor();
    await page.getByTestId('recent-runs').getByRole('link', { name: 'showcase' }).waitFor();
    await page.getByText('No jobs yet').waitFor();
    // The built-in local target, idle; and no data yet.
    await page.getByTestId('home-compute').getByRole('link', { name: 'local' }).waitFor();
    await page.getByText('No data yet').waitFor();
  });

  it('lists, filters, sorts, adds a metric column, groups and selects runs', async () => {
    await page.getByTestId('experiments').getByRole('link', { name: seeded.experimentName }).click();
    await page.getByTestId('experiment-name').getByText(seeded.experimentName).waitFor();
    await countIs('61 runs');

    // A filter in MLflow's grammar, applied on Enter.
    const filter = page.getByLabel('Filter runs');
    await filter.fill("params.optimizer = 'adam' AND attributes.status = 'FINISHED'");
    await filter.press('Enter');
    await countIs('21 runs');
    expect(page.url()).toContain('filter=');

    // A bad filter: the server's message, with its position marked, and the table kept.
    await filter.fill('metrics.loss >> 1');
    await filter.press('Enter');
    const error = page.getByTestId('filter-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('position 14');
    expect(await error.locator('pre.caret').textContent()).toBe(`metrics.loss >> 1\n${' '.repeat(14)}^`);
    expect(await runCount()).toBe('21 runs');
    await filter.fill('');
    await filter.press('Enter');
    await countIs('61 runs');
    expect(await error.count()).toBe(0);

    // Add the accuracy metric as a column from the picker, then sort by it on the server.
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('dialog').getByLabel('accuracy').check();
    await page.keyboard.press('Escape');
    await page.mouse.click(5, 300);
    const header = page.locator('[data-column="metrics.accuracy"]');
    await header.waitFor();
    await header.click();
    await sortIs('metrics.accuracy', 'desc');
    const best = await server.client.runs.search({
      experimentIds: [seeded.experimentId],
      orderBy: ['metrics.accuracy DESC'],
      maxResults: 3,
    });
    const expected = best.runs.map((r) => r.runId).join();
    await eventually(rowIds, (ids) => ids.slice(0, 3).join() === expected, 'rows in accuracy order');
    expect(page.url()).toContain('sort=metrics.accuracy%3Adesc');
    await header.click();
    await sortIs('metrics.accuracy', 'asc');

    // Sort by run name ascending: rows come back in name order.
    await page.locator('[data-column="attributes.run_name"]').click();
    await page.locator('[data-column="attributes.run_name"]').click();
    await sortIs('attributes.run_name', 'asc');
    const names = await eventually(rowNames, (n) => n[0] === 'showcase', 'rows in name order');
    expect(names.slice(0, 3)).toEqual(['showcase', 'trial-000', 'trial-001']);

    // Group by optimizer: one header per value, with counts.
    await page.getByLabel('Group by').selectOption('params.optimizer');
    // (Until the runs' params arrive, the rows kept from before fall in one "(no value)" group.)
    const groups = page.locator('.rt-group');
    const groupTexts = (
      await eventually(
        () => groups.allTextContents(),
        (t) => /adam\s*21 runs/.test(t.join(' | ')),
        'a group of 21 adam runs',
      )
    ).join(' | ');
    expect(groupTexts).toMatch(/sgd\s*20 runs/);
    await screenshot(page, 'runs-table');
    await page.getByLabel('Group by').selectOption('');

    // Select two runs and go to the compare page with their ids in the URL.
    const ids = await page.$$eval('[data-testid=runs-table] .rt-row[data-run-id]', (rows) =>
      rows.slice(0, 2).map((r) => r.getAttribute('data-run-id')),
    );
    for (const id of ids) await page.locator(`.rt-row[data-run-id="${id}"] input[type=checkbox]`).check();
    await page.getByRole('button', { name: 'Compare (2)' }).click();
    await page.waitForURL((u) => u.pathname === '/w/default/compare');
    expect(new URL(page.url()).searchParams.get('runs')).toBe(ids.join(','));
  });

  it('shows the runs of several experiments in one table, with an Experiment column to group by', async () => {
    const sklearn = await server.client.experiments.getByName(`sklearn-baseline-${suffix}`);
    await page.goto(url('/'));
    await page.getByLabel(`Select experiment ${seeded.experimentName}`).check();
    expect(await page.getByRole('button', { name: 'Runs of selected' }).isDisabled()).toBe(true);
    await page.getByLabel(`Select experiment ${sklearn.name}`).check();
    await page.getByRole('button', { name: 'Runs of 2 selected' }).click();
    await page.waitForURL(
      (u) => u.pathname.startsWith('/w/default/experiments/') && u.pathname.includes(','),
    );
    const shownIds = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!).split(',');
    expect(shownIds.sort()).toEqual([seeded.experimentId, sklearn.experimentId].sort());
    await countIs('62 runs');
    const heading = page.getByTestId('experiment-name');
    await heading.getByRole('link', { name: seeded.experimentName }).waitFor();
    await heading.getByRole('link', { name: sklearn.name }).waitFor();

    // Each row says its experiment, by name, linking to that experiment's own table.
    await page.locator('[data-column="attributes.experiment_id"]').waitFor();
    const mlflowRow = page.locator(`.rt-row[data-run-id="${mlflowRunId}"]`);
    await mlflowRow.getByRole('link', { name: sklearn.name }).waitFor();

    // A filter spans both experiments; grouping by experiment shows their names and counts.
    const filter = page.getByLabel('Filter runs');
    await filter.fill("attributes.run_name LIKE '%o%'"); // showcase and from-mlflow
    await filter.press('Enter');
    await countIs('2 runs');
    await page.getByLabel('Group by').selectOption('attributes.experiment_id');
    const groups = page.locator('.rt-group');
    const groupTexts = (
      await eventually(
        () => groups.allTextContents(),
        (t) => t.length === 2 && t.join(' | ').includes(sklearn.name),
        'two experiment groups',
      )
    ).join(' | ');
    expect(groupTexts).toContain(`${seeded.experimentName}1 run`);
    expect(groupTexts).toContain(`${sklearn.name}1 run`);

    await mlflowRow.getByRole('link', { name: sklearn.name }).click();
    await page.waitForURL((u) => u.pathname === `/w/default/experiments/${sklearn.experimentId}`);
    await page.getByTestId('experiment-name').getByText(sklearn.name).waitFor();
  });

  it('shows a run: overview, a downsampled chart that keeps its spike, and artifact previews', async () => {
    const runId = seeded.showcase.runId;
    await page.goto(url(`/runs/${runId}`));
    await page.getByTestId('run-name').getByText('showcase').waitFor();
    await page.getByTestId('run-params').getByText('resnet18').count();
    await page.getByTestId('run-params').getByText('optimizer').waitFor();
    await page.getByTestId('run-details').getByText('train.py').waitFor();

    await page.getByRole('link', { name: 'Metrics' }).click();
    const chart = page.getByTestId('chart-train_loss');
    await chart.locator('canvas').waitFor();
    await chart.getByText('20,000 points').waitFor();
    // About 1000 buckets drawn for 20k points, and the spike at step 12,345 (value 40) survives.
    expect(Number(await chart.getAttribute('data-drawn'))).toBeLessThanOrEqual(2000);
    expect(Number(await chart.getAttribute('data-ymax'))).toBe(40);
    await page.getByLabel('Log scale').check();
    await chart.locator('canvas').waitFor();
    await page.getByLabel('Log scale').uncheck();
    await page.getByLabel('Smoothing').fill('0.6');
    await chart.locator('canvas').waitFor();
    await screenshot(page, 'run-metrics');

    await page.getByRole('link', { name: 'Artifacts' }).click();
    const list = page.getByTestId('artifact-list');
    const preview = page.getByTestId('artifact-preview');
    await list.getByRole('button', { name: 'config.json' }).click();
    await preview.getByTestId('text-preview').getByText('"resnet18"').waitFor();
    await list.getByRole('button', { name: 'params.yaml' }).click();
    await preview.getByText('layers:').waitFor();
    await list.getByRole('button', { name: /eval/ }).click();
    await page.getByTestId('artifact-list').getByRole('button', { name: 'predictions.csv' }).click();
    const table = preview.getByTestId('csv-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    expect(await table.locator('tbody tr').nth(2).locator('td').first().textContent()).toBe('3');
    await table.getByText('bird, small').waitFor();
    await page.getByRole('button', { name: 'artifacts' }).click();
    await list.getByRole('button', { name: /plots/ }).click();
    await page.getByTestId('artifact-list').getByRole('button', { name: 'confusion.png' }).click();
    const img = preview.locator('img.image-preview');
    await img.waitFor();
    await eventually(
      () => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth),
      (w) => w === 240,
      'the image decoded',
    );
    await screenshot(page, 'run-artifacts');
  });

  it('shows a run logged by the mlflow Python client, reached from the link mlflow prints', async () => {
    const run = await server.client.runs.get(mlflowRunId);
    await page.goto(`${server.baseUrl}/#/experiments/${run.experimentId}/runs/${mlflowRunId}`);
    await page.waitForURL((u) => u.pathname === `/w/default/runs/${mlflowRunId}`);
    await page.getByTestId('run-name').getByText('from-mlflow').waitFor();
    await page.getByTestId('run-params').getByText('lbfgs').waitFor();
    await page.getByTestId('run-metrics').getByText('rmse').waitFor();
    await page.getByRole('link', { name: 'Artifacts' }).click();
    await page.getByTestId('artifact-list').getByRole('button', { name: 'summary.txt' }).click();
    await page.getByTestId('text-preview').getByText('trained with scikit-learn').waitFor();
  });

  it("follows a running job's log live and searches it", async () => {
    const job = await server.client.jobs.create({
      yaml: `command: 'for i in $(seq 1 30); do echo "epoch $i loss 0.$i"; sleep 0.05; done; echo "disk almost full" >&2'`,
    });
    const runId = job.runId!;
    await page.goto(url(`/runs/${runId}/logs`));
    await page.getByTestId('log-view').getByText('epoch 1 loss 0.1', { exact: true }).waitFor();
    await page.getByText('completed').waitFor({ timeout: 60_000 });
    const logCount = () => page.getByTestId('log-count').textContent();
    await eventually(logCount, (t) => t === '31 lines', 'all 31 lines');
    await page.getByLabel('Search the log').fill('disk');
    await eventually(logCount, (t) => t === '1 of 31 lines', 'one matching line');
    expect(await page.locator('.log-line.stderr').textContent()).toContain('disk almost full');

    // The home page now lists the job too.
    await page.goto(url('/'));
    await page.getByTestId('recent-jobs').getByRole('link', { name: job.name }).waitFor();
    await screenshot(page, 'home');
  });
});

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../api/test-server.js';
import { eventually, launchChromium, screenshot } from './browser.js';
import { type SeededWorkspace, seedWorkspace } from './seed-workspace.js';

// The compare page and an experiment dashboard in a real Chromium against a real server.
describe('studio compare and dashboards in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let seeded: SeededWorkspace;
  const suffix = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    await build({
      configFile: join(import.meta.dirname, '../../../packages/studio/vite.config.ts'),
      logLevel: 'warn',
    });
    server = await startServer('sqlite');
    [seeded, browser] = await Promise.all([
      seedWorkspace(server.client, { runs: 6, steps: 30, name: `compare-${suffix}` }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      const path = join(tmpdir(), `studio-failure-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => {});
      console.error(`studio test failed on ${page.url()}; screenshot: ${path}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  const url = (path: string) => `${server.baseUrl}/w/default${path}`;
  const attr = (selector: string, name: string) => page.locator(selector).first().getAttribute(name);

  it('compares selected runs: metric overlay, highlighted differences, parallel coordinates, scatter', async () => {
    await page.goto(url(`/experiments/${seeded.experimentId}`));
    await page.getByLabel('Select trial-000').check();
    await page.getByLabel('Select trial-001').check();
    await page.getByRole('button', { name: 'Compare (2)' }).click();
    await page.waitForURL((u) => u.pathname === '/w/default/compare');

    // One line per run, from the server's downsampled series.
    await eventually(
      () => attr('[data-testid=compare-overlay]', 'data-series'),
      (v) => v === '2',
      'two series',
    );
    await page.getByLabel('Overlay metric').selectOption('loss');
    await eventually(
      () => attr('[data-testid=compare-overlay]', 'data-series'),
      (v) => v === '2',
      'two loss series',
    );
    expect(await page.locator('[data-testid=compare-overlay] canvas').count()).toBeGreaterThan(0);

    // trial-000 (lr 0.1, adam) and trial-001 (lr 0.03, sgd) differ in lr and optimizer, not in epochs.
    const row = (key: string) => page.locator(`[data-testid=diff-table] tr[data-key="${key}"]`);
    expect(await row('params.lr').getAttribute('data-differs')).toBe('true');
    expect(await row('params.optimizer').getAttribute('class')).toBe('differs');
    expect(await row('params.epochs').getAttribute('data-differs')).toBe('false');
    expect(await row('params.lr').locator('td').allTextContents()).toEqual(['0.1', '0.03']);
    await page.getByLabel('only differences').check();
    expect(await row('params.epochs').count()).toBe(0);

    expect(await attr('[data-testid=parallel-coordinates]', 'data-lines')).toBe('2');
    await page.getByLabel('Scatter x').selectOption('params.lr');
    await page.getByLabel('Scatter y').selectOption('metrics.loss');
    expect(await attr('[data-testid=scatter]', 'data-points')).toBe('2');
    await screenshot(page, 'compare');
  });

  it('builds a dashboard (add, move, drag, resize, remove charts) that is still there after a reload', async () => {
    await page.goto(url(`/experiments/${seeded.experimentId}`));
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByLabel('New dashboard name').fill('Sweep overview');
    await page.getByRole('button', { name: 'New dashboard' }).click();
    await page.getByTestId('dashboard-name').getByText('Sweep overview').waitFor();
    const dashboardUrl = page.url();
    const kinds = () =>
      page.$$eval('[data-testid=dashboard-charts] [data-chart-id]', (els) =>
        els.map((e) => e.getAttribute('data-kind') ?? ''),
      );
    const kindsAre = (want: string[]) =>
      eventually(kinds, (k) => JSON.stringify(k) === JSON.stringify(want), `charts ${want.join(',')}`);
    const saved = () =>
      eventually(
        () => attr('[data-testid=dashboard-saved]', 'data-saving'),
        (v) => v === 'false',
        'saved',
      );

    // Wait until the runs' keys are known (the add form offers their metrics).
    await eventually(
      () => page.getByTestId('dashboard-run-count').textContent(),
      (t) => t === '7 runs',
      '7 runs',
    );
    await page.getByLabel('Chart metric').selectOption('loss');
    await page.getByRole('button', { name: 'Add chart' }).click();
    await kindsAre(['line']);
    await saved();

    await page.getByLabel('Chart kind').selectOption('scatter');
    await page.getByLabel('Chart x').selectOption('params.lr');
    await page.getByLabel('Chart y').selectOption('metrics.accuracy');
    await page.getByRole('button', { name: 'Add chart' }).click();
    await kindsAre(['line', 'scatter']);
    await saved();

    await page.getByLabel('Chart kind').selectOption('bar');
    await page.getByRole('button', { name: 'Add chart' }).click();
    await kindsAre(['line', 'scatter', 'bar']);
    await saved();
    await page.waitForFunction('document.getAnimations().length === 0');
    await screenshot(page, 'dashboard');

    await page.getByRole('button', { name: 'Move metrics.accuracy vs params.lr earlier' }).click();
    await kindsAre(['scatter', 'line', 'bar']);
    await saved();
    await page.getByRole('button', { name: /^Remove .*per run$/ }).click();
    await kindsAre(['scatter', 'line']);
    await saved();

    // Placed two per row on the 12-column grid; the keyboard move swapped the first two places.
    const positions = () =>
      page.$$eval('[data-testid=dashboard-charts] [data-chart-id]', (els) =>
        Object.fromEntries(els.map((e) => [e.getAttribute('data-kind'), e.getAttribute('data-position')])),
      );
    const positionsAre = (want: Record<string, string>) =>
      eventually(positions, (p) => JSON.stringify(p) === JSON.stringify(want), JSON.stringify(want));
    await positionsAre({ scatter: '0,0,6,8', line: '6,0,6,8' });

    // Drag the scatter by its header to below the line chart (column 6, row 8).
    const box = async (selector: string) => {
      const b = await page.locator(selector).first().boundingBox();
      if (!b) throw new Error(`${selector} is not on the page`);
      return b;
    };
    // The grid animates items into place (CSS transitions): grab them once they have settled.
    const settled = () => page.waitForFunction('document.getAnimations().length === 0');
    const drag = async (from: { x: number; y: number }, to: { x: number; y: number }) => {
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 12 });
      await page.mouse.up();
    };
    await settled();
    const scatterBox = await box('[data-kind=scatter]');
    const lineBox = await box('[data-kind=line]');
    const rowPitch = 40 + 12; // row height + margin
    const head = await box('[data-kind=scatter] .chart-head');
    const grab = { x: head.x + 40, y: head.y + head.height / 2 };
    await drag(grab, {
      x: grab.x + (lineBox.x - scatterBox.x),
      y: grab.y + 8 * rowPitch,
    });
    await positionsAre({ line: '6,0,6,8', scatter: '6,8,6,8' });
    await kindsAre(['line', 'scatter']);
    await saved();

    // Resize the line chart from its lower right corner to 4 columns by 6 rows; the scatter rises
    // under it, and uPlot redraws at the new width.
    await settled();
    const plotWidth = async () => (await box('[data-kind=line] .uplot')).width;
    const widthBefore = await plotWidth();
    const colPitch = (lineBox.width + 12) / 6;
    const corner = await box('[data-kind=line] .react-resizable-handle-se');
    const cx = corner.x + corner.width / 2;
    const cy = corner.y + corner.height / 2;
    await drag({ x: cx, y: cy }, { x: cx - 2 * colPitch, y: cy - 2 * rowPitch });
    await positionsAre({ line: '6,0,4,6', scatter: '6,6,6,8' });
    await saved();
    await eventually(plotWidth, (w) => w < widthBefore * 0.8, 'the line chart redrawn narrower');

    // A filter on the runs, saved with the layout: adam runs are trial-000, trial-003 and showcase.
    const runCount = (text: string) =>
      eventually(
        () => page.getByTestId('dashboard-run-count').textContent(),
        (t) => t === text,
        text,
      );
    await page.getByLabel('Dashboard filter').fill("params.optimizer = 'adam'");
    await page.getByLabel('Dashboard filter').press('Enter');
    await runCount('3 runs');
    await saved();

    await page.reload();
    expect(page.url()).toBe(dashboardUrl);
    await kindsAre(['line', 'scatter']);
    await positionsAre({ line: '6,0,4,6', scatter: '6,6,6,8' });
    expect(await page.getByLabel('Dashboard filter').inputValue()).toBe("params.optimizer = 'adam'");
    await runCount('3 runs');
    // The line chart draws the runs' loss (the showcase run has none); the scatter has all three
    // (the showcase run logged lr and accuracy too).
    await eventually(
      () => page.locator('[data-kind=line] .overlay-chart').getAttribute('data-series'),
      (v) => v === '2',
      'two loss lines',
    );
    expect(await attr('[data-testid=scatter]', 'data-points')).toBe('3');

    // Shared with the workspace: the API returns the same layout.
    const [stored] = await server.client.dashboards.list(seeded.experimentId);
    expect(stored?.layout.charts.map((c) => [c.kind, c.position])).toEqual([
      ['line', { x: 6, y: 0, w: 4, h: 6 }],
      ['scatter', { x: 6, y: 6, w: 6, h: 8 }],
    ]);
    expect(stored?.layout.filter).toBe("params.optimizer = 'adam'");

    // Another member saves meanwhile (a chart without a position, as an older client would): this page's
    // next edit is refused, and Reload shows their layout, the new chart placed in the free column.
    await server.client.dashboards.update(seeded.experimentId, stored!.id, {
      layout: {
        ...stored!.layout,
        charts: [...stored!.layout.charts, { id: 'theirs', kind: 'bar', metric: 'accuracy' }],
      },
      updatedAt: stored!.updatedAt,
    });
    await page.getByRole('button', { name: 'Remove loss over steps' }).click();
    await page.getByRole('alert').getByText('Someone else changed this dashboard').waitFor();
    await kindsAre(['line', 'scatter']);
    await page.getByRole('alert').getByRole('button', { name: 'Reload' }).click();
    await kindsAre(['bar', 'line', 'scatter']);
    await positionsAre({ bar: '0,0,6,8', line: '6,0,4,6', scatter: '6,6,6,8' });
    await page.getByRole('button', { name: 'Remove loss over steps' }).click();
    await kindsAre(['bar', 'scatter']);
    await positionsAre({ bar: '0,0,6,8', scatter: '6,0,6,8' });
    await saved();

    // Resized from the keyboard: the scatter full width, so the bar moves below it; saved for everyone.
    await page.getByLabel('Size of metrics.accuracy vs params.lr').selectOption('12x8');
    await positionsAre({ scatter: '0,0,12,8', bar: '0,8,6,8' });
    await saved();
    const [resized] = await server.client.dashboards.list(seeded.experimentId);
    expect(resized?.layout.charts.map((c) => [c.kind, c.position])).toEqual([
      ['scatter', { x: 0, y: 0, w: 12, h: 8 }],
      ['bar', { x: 0, y: 8, w: 6, h: 8 }],
    ]);

    // Deleting it (after the confirm) goes back to the list, which no longer has it.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete dashboard' }).click();
    await page.waitForURL((u) => u.pathname === `/w/default/experiments/${seeded.experimentId}/dashboards`);
    await page.getByTestId('dashboard-list').getByText('No dashboards yet.').waitFor();
    expect(await server.client.dashboards.list(seeded.experimentId)).toEqual([]);
  });
});

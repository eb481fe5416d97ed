/**
 * Cairn's studio against MLflow's UI, in the same headless Chromium, on the same generated workspace:
 *   node --import tsx bench/studio/run.ts [--quick] [--reps N] [--screenshots DIR] [--keep] [--no-readme]
 * See bench/README.md ("bench/studio") for what is measured and how.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../tests/integration/studio/browser.js';
import { replaceReadmeResults, runMain } from '../harness.js';
import { generateRuns, SEARCH, SPIKE_VALUE } from '../tracking/dataset.js';
import { REPO_ROOT } from '../tracking/servers.js';
import { summarize, type Timing } from '../tracking/stats.js';
import {
  benchContext,
  cairnChartDrawn,
  mlflowChartDrawn,
  timeChart,
  timeRunsTable,
  type UiUnderTest,
} from './measure.js';
import { CHART_METRIC, CHART_RUN_ID, prepareWorkspace, type StudioWorkspace } from './workspace.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    'mlflow-python': { type: 'string' },
    screenshots: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-readme': { type: 'boolean', default: false },
    'max-minutes': { type: 'string', default: '30' },
  },
});

const quick = args.quick ?? false;
const SIZES = quick
  ? { runs: 1_000, chartPoints: 100_000, reps: 3 }
  : { runs: 10_000, chartPoints: 1_000_000, reps: 6 };
const reps = args.reps ? Number(args.reps) : SIZES.reps;
const TIMEOUT_MS = 90_000;
const TARGETS = { interactiveMs: 1000, filterMs: 200, chartMs: 500 };

const log = (msg: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/**
 * The run names the table must show: the newest run before filtering; after it, the newest run that
 * matches, while the newest that does not match is gone.
 */
function expectedRows(runs: number): {
  newest: string;
  firstMatch: string;
  gone: string;
  filter: string;
  matches: number;
} {
  let firstMatch = '';
  let gone = '';
  let matches = 0;
  for (const run of generateRuns(0, runs, 0)) {
    const accuracy = run.metrics.find(([k]) => k === 'accuracy')?.[1] ?? 0;
    const optimizer = run.params.find(([k]) => k === 'optimizer')?.[1];
    // Runs are generated oldest first; both tables sort newest first, so the last seen is the top row.
    if (accuracy > 0.9 && optimizer === 'adam') {
      firstMatch = run.name;
      matches++;
    } else gone = run.name;
  }
  return { newest: `run-${runs - 1}`, firstMatch, gone, filter: SEARCH.filter, matches };
}

function uis(ws: StudioWorkspace): UiUnderTest[] {
  return [
    {
      name: 'MLflow UI',
      // MLflow 3 opens experiments in its GenAI view unless told the experiment trains models.
      runsUrl: `${ws.mlflow.baseUrl}/#/experiments/${ws.experiments.mlflow.runs}/runs?workflowType=machine_learning`,
      filterInput: '[data-testid="search-box"]',
      chartUrl: `${ws.mlflow.baseUrl}/#/experiments/${ws.experiments.mlflow.chart}/runs/${CHART_RUN_ID}/model-metrics?workflowType=machine_learning`,
      chartDrawn: mlflowChartDrawn,
    },
    {
      name: 'Cairn studio',
      runsUrl: `${ws.cairn.baseUrl}/w/default/experiments/${ws.experiments.cairn.runs}`,
      filterInput: 'input[aria-label="Filter runs"]',
      chartUrl: `${ws.cairn.baseUrl}/w/default/runs/${CHART_RUN_ID}/metrics`,
      chartDrawn: cairnChartDrawn,
    },
  ];
}

/** The highest value each UI's chart was drawn from: Cairn's chart says it; MLflow's from its data call. */
async function chartMax(ui: UiUnderTest, page: Page, mlflowMax: number | null): Promise<number | null> {
  if (ui.name === 'MLflow UI') return mlflowMax;
  const value = await page
    .locator(`[data-testid="chart-${CHART_METRIC}"]`)
    .getAttribute('data-ymax')
    .catch(() => null);
  return value ? Number(value) : null;
}

interface UiResult {
  name: string;
  interactive: number[];
  filter: number[];
  chart: number[];
  chartMax: number | null;
  chartPointsDrawn: string;
  errors: string[];
}

async function measure(
  ws: StudioWorkspace,
  shots: string | null,
): Promise<{ results: UiResult[]; chromium: string }> {
  const expect = expectedRows(SIZES.runs);
  log(
    `expect: newest ${expect.newest}; filtered: ${expect.firstMatch} on top, ${expect.gone} gone (${expect.matches} runs match "${expect.filter}")`,
  );
  const browser = await launchChromium();
  try {
    const targets = uis(ws);
    const results: UiResult[] = [];
    const sessions = [];
    for (const ui of targets) {
      const context = await benchContext(browser);
      const page = await context.newPage();
      const result: UiResult = {
        name: ui.name,
        interactive: [],
        filter: [],
        chart: [],
        chartMax: null,
        chartPointsDrawn: '',
        errors: [],
      };
      let mlflowMax: number | null = null;
      page.on('response', async (res) => {
        if (!res.url().includes('get-history-bulk-interval')) return;
        const body = (await res.json().catch(() => null)) as { metrics?: { value: number }[] } | null;
        const values = body?.metrics?.map((m) => m.value) ?? [];
        if (values.length) {
          mlflowMax = Math.max(...values);
          result.chartPointsDrawn = `${values.length} points fetched`;
        }
      });
      sessions.push({ ui, page, result, max: () => mlflowMax });
      results.push(result);
    }
    // Repetitions alternate between the two UIs, so a busy moment on the machine hits both alike. The
    // first of each is cold: a new browser profile, and the first request of its kind since the server
    // started. Later ones keep the browser's cache, as a user's next visit would.
    for (let rep = 0; rep < reps; rep++) {
      for (const s of sessions) {
        try {
          const t = await timeRunsTable(s.page, s.ui, expect, TIMEOUT_MS);
          s.result.interactive.push(t.interactiveMs);
          s.result.filter.push(t.filterMs);
          if (rep === 0 && shots)
            await s.page.screenshot({ path: join(shots, `${slug(s.ui.name)}-runs.png`) });
        } catch (err) {
          s.result.errors.push(`runs table, rep ${rep + 1}: ${message(err)}`);
          log(`${s.ui.name}: runs table failed: ${message(err)}`);
        }
        try {
          s.result.chart.push(await timeChart(s.page, s.ui, CHART_METRIC, TIMEOUT_MS));
          if (rep === 0) {
            s.result.chartMax = await chartMax(s.ui, s.page, s.max());
            if (s.ui.name !== 'MLflow UI') {
              const drawn = await s.page
                .locator(`[data-testid="chart-${CHART_METRIC}"]`)
                .getAttribute('data-drawn');
              s.result.chartPointsDrawn = `${drawn} points drawn`;
            }
            if (shots) await s.page.screenshot({ path: join(shots, `${slug(s.ui.name)}-chart.png`) });
          }
        } catch (err) {
          s.result.errors.push(`chart, rep ${rep + 1}: ${message(err)}`);
          log(`${s.ui.name}: chart failed: ${message(err)}`);
        }
        const r = s.result;
        log(
          `${s.ui.name} rep ${rep + 1}: interactive ${fmt(r.interactive.at(-1))}, filter ${fmt(r.filter.at(-1))}, chart ${fmt(r.chart.at(-1))}`,
        );
      }
    }
    return { results, chromium: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
  }
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const message = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err)) ?? '';
const fmt = (ms: number | undefined) =>
  ms === undefined || Number.isNaN(ms)
    ? '–'
    : ms >= 10_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms)} ms`;

/** Cold (the first), then the median of the rest. */
function coldWarm(samples: number[]): { cold: number | undefined; warm: Timing } {
  return { cold: samples[0], warm: summarize(samples.slice(1)) };
}

function report(
  results: UiResult[],
  meta: { load: [number, number]; commit: string; mlflow: string; chromium: string },
): string {
  const [mlflow, cairn] = results as [UiResult, UiResult];
  const rows: [string, keyof Pick<UiResult, 'interactive' | 'filter' | 'chart'>, number][] = [
    [
      `Runs table interactive (${SIZES.runs.toLocaleString('en-US')} runs × 20 metrics)`,
      'interactive',
      TARGETS.interactiveMs,
    ],
    ['Filter applied (Enter → matching rows shown)', 'filter', TARGETS.filterMs],
    [`${SIZES.chartPoints.toLocaleString('en-US')}-point metric chart drawn`, 'chart', TARGETS.chartMs],
  ];
  const lines = [
    `### ${quick ? 'Quick' : 'Full'} run of ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; 1-minute load average ${meta.load[0].toFixed(1)} at the start and ${meta.load[1].toFixed(1)} at the end. ${meta.chromium}, headless, 1400×900. MLflow ${meta.mlflow}; Cairn at ${meta.commit}. ${reps} visits each, alternating; "cold" is the first (new browser profile, first request since the server started), "warm" the median of the others (browser cache kept).`,
    '',
    '| | MLflow UI cold | MLflow UI warm | Cairn cold | Cairn warm | MLflow ÷ Cairn (warm) | Target | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [label, key, target] of rows) {
    const m = coldWarm(mlflow[key]);
    const c = coldWarm(cairn[key]);
    const ratio = m.warm.median / c.warm.median;
    const verdict = Number.isNaN(c.warm.median) ? 'not measured' : c.warm.median < target ? 'met' : 'missed';
    lines.push(
      `| ${label} | ${fmt(m.cold)} | ${fmt(m.warm.median)} | ${fmt(c.cold)} | ${fmt(c.warm.median)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : '–'} | < ${target} ms | ${verdict} |`,
    );
  }
  const spike = (r: UiResult) =>
    r.chartMax === null
      ? 'unknown'
      : r.chartMax >= SPIKE_VALUE
        ? 'spike shown'
        : `spike lost (highest value ${r.chartMax.toFixed(2)})`;
  lines.push(
    '',
    `- The chart's history has one spike of ${SPIKE_VALUE} at 7/9 of the way. MLflow UI: ${mlflow.chartPointsDrawn || '?'}, ${spike(mlflow)}. Cairn: ${cairn.chartPointsDrawn || '?'}, ${spike(cairn)}.`,
  );
  for (const r of results) for (const e of r.errors) lines.push(`- ${r.name} failed: ${e}`);
  return lines.join('\n');
}

function pythonPath(): string {
  if (args['mlflow-python']) return args['mlflow-python'];
  const local = join(REPO_ROOT, '.venv/bin/python');
  return existsSync(local) ? local : '/tmp/pyvenv/bin/python';
}

async function main(): Promise<number> {
  const python = pythonPath();
  if (!args['no-build']) {
    log('building the studio (vite build)');
    execFileSync('npm', ['run', 'build', '-w', '@cairn/studio'], { cwd: REPO_ROOT, stdio: 'ignore' });
  }
  const work = mkdtempSync(join(tmpdir(), 'cairn-bench-studio-'));
  const shots = args.screenshots ?? null;
  if (shots) mkdirSync(shots, { recursive: true });
  const load0 = loadavg()[0] ?? 0;
  log(
    `${quick ? 'quick' : 'full'} run: ${SIZES.runs} runs, ${SIZES.chartPoints}-point chart, ${reps} visits; work dir ${work}`,
  );
  const ws = await prepareWorkspace({ python, work, runs: SIZES.runs, chartPoints: SIZES.chartPoints, log });
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    measured = await measure(ws, shots);
  } finally {
    await ws.stop();
    if (!args.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
  const meta = {
    load: [load0, loadavg()[0] ?? 0] as [number, number],
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim(),
    mlflow: execFileSync(python, ['-c', "import importlib.metadata as m; print(m.version('mlflow'))"], {
      encoding: 'utf8',
    }).trim(),
    chromium: measured.chromium,
  };
  const { results } = measured;
  const section = report(results, meta);
  process.stdout.write(`\n${section}\n`);
  if (!quick && !args['no-readme']) {
    replaceReadmeResults('studio-results', section);
    log('results written to bench/README.md');
  }
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}

runMain(main, Number(args['max-minutes']), log);

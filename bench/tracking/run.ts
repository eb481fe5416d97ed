/**
 * Cairn against a real `mlflow server`, side by side on this machine, in one run:
 *   node --import tsx bench/tracking/run.ts [--quick] [--mlflow-python PATH] [--keep] [--no-readme]
 * See bench/README.md for what is measured and how.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { replaceReadmeResults, runMain } from '../harness.js';
import { timeFullHistory, timeGet } from './chart.js';
import { CHART_METRIC, expectedSearch, generateRuns } from './dataset.js';
import { HttpClient } from './http-client.js';
import { runIngest } from './ingest.js';
import { createExperiment } from './mlflow-api.js';
import { CairnSink, MlflowSink, type RowSink } from './populate.js';
import { type BenchResults, type Outcome, resultsSection, resultsTable, type Sizes } from './report.js';
import { compareIds, timeSearch } from './search.js';
import {
  cairnDbPath,
  freePort,
  type Layout,
  mlflowDbPath,
  REPO_ROOT,
  type ServerProcess,
  startCairn,
  startMlflow,
} from './servers.js';

const FULL: Sizes = {
  ingestClients: 8,
  metricsPerRequest: 1000,
  ingestSeconds: 20,
  searchRuns: [10_000, 100_000],
  chartPoints: 1_000_000,
  searchReps: 20,
  chartReps: 10,
  fullHistoryBudgetSeconds: 90,
};

const QUICK: Sizes = {
  ingestClients: 8,
  metricsPerRequest: 1000,
  ingestSeconds: 5,
  searchRuns: [1_000, 5_000],
  chartPoints: 100_000,
  searchReps: 5,
  chartReps: 5,
  fullHistoryBudgetSeconds: 20,
};

const CHART_RUN_ID = 'c4a27000000000000000000000000001';
const BASE_TIME = Date.UTC(2025, 0, 1);

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'mlflow-python': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-readme': { type: 'boolean', default: false },
    'write-readme': { type: 'boolean', default: false },
    'max-minutes': { type: 'string', default: '30' },
  },
});

const log = (msg: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function attempt<T>(what: string, fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log(`FAILED ${what}: ${reason}`);
    return { ok: false, reason };
  }
}

function pythonPath(): string {
  if (args['mlflow-python']) return args['mlflow-python'];
  const local = join(REPO_ROOT, '.venv/bin/python');
  return existsSync(local) ? local : '/tmp/pyvenv/bin/python';
}

function versions(python: string): BenchResults['versions'] {
  const py = execFileSync(
    python,
    ['-c', "import sys, importlib.metadata as m; print(sys.version.split()[0], m.version('mlflow'))"],
    { encoding: 'utf8' },
  )
    .trim()
    .split(' ');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    // not a git checkout
  }
  return { node: process.versions.node, python: py[0] ?? '?', mlflow: py[1] ?? '?', cairnCommit: commit };
}

/** The two servers, restartable on fixed ports; Cairn may be unavailable, MLflow may not. */
class Pair {
  mlflow: ServerProcess | null = null;
  cairn: ServerProcess | null = null;
  cairnError: string | null = null;
  readonly startupMs = { mlflow: [] as number[], cairn: [] as number[] };

  constructor(
    readonly python: string,
    readonly layout: Layout,
    readonly ports: { mlflow: number; cairn: number },
  ) {}

  async start(): Promise<void> {
    const [m, c] = await Promise.allSettled([
      startMlflow(this.python, this.layout, this.ports.mlflow),
      startCairn(this.layout, this.ports.cairn),
    ]);
    if (c.status === 'fulfilled') {
      this.cairn = c.value;
      this.startupMs.cairn.push(c.value.startupMs);
    } else {
      this.cairnError = String(c.reason instanceof Error ? c.reason.message : c.reason);
      log(`Cairn did not start: ${this.cairnError}`);
    }
    if (m.status === 'rejected') throw m.reason;
    this.mlflow = m.value;
    this.startupMs.mlflow.push(m.value.startupMs);
    log(
      `started: mlflow ${this.mlflow.baseUrl} in ${(m.value.startupMs / 1000).toFixed(1)} s` +
        (this.cairn ? `, cairn ${this.cairn.baseUrl} in ${(this.cairn.startupMs / 1000).toFixed(1)} s` : ''),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.mlflow?.stop(), this.cairn?.stop()]);
    this.mlflow = null;
    this.cairn = null;
  }

  clients(sockets: number): { mlflow: HttpClient; cairn: HttpClient | null } {
    if (!this.mlflow) throw new Error('MLflow is not running');
    return {
      mlflow: new HttpClient(this.mlflow.baseUrl, sockets),
      cairn: this.cairn ? new HttpClient(this.cairn.baseUrl, sockets) : null,
    };
  }
}

const notRun = (why: string): Outcome<never> => ({ ok: false, reason: why });

async function main(): Promise<number> {
  const quick = args.quick ?? false;
  const sizes = quick ? QUICK : FULL;
  const python = pythonPath();
  const work = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const layout: Layout = { mlflowDir: join(work, 'mlflow'), cairnDir: join(work, 'cairn') };
  mkdirSync(layout.mlflowDir, { recursive: true });
  mkdirSync(layout.cairnDir, { recursive: true });
  const pair = new Pair(python, layout, { mlflow: await freePort(), cairn: await freePort() });
  log(`${quick ? 'quick' : 'full'} run; work dir ${work}; mlflow python ${python}`);

  const results: BenchResults = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memGiB: Math.round(totalmem() / 2 ** 30),
      os: `Linux ${release()}`,
      loadAverage: { start: loadavg()[0] ?? 0, end: Number.NaN },
    },
    versions: versions(python),
    sizes,
    startupMs: pair.startupMs,
    ingest: { mlflow: notRun('not run'), cairn: notRun('not run') },
    search: [],
    chart: {
      points: sizes.chartPoints,
      mlflowBulk: notRun('not run'),
      mlflowFull: notRun('not run'),
      cairnBulk: notRun('not run'),
      cairnChart: notRun('not run'),
      cairnFull: notRun('not run'),
    },
    notes: [],
  };
  const cairnDown = () => notRun(`Cairn unavailable: ${pair.cairnError ?? 'setup failed'}`);

  try {
    await pair.start();

    // (a) Ingestion, one server at a time.
    let clients = pair.clients(sizes.ingestClients + 2);
    const ingestOpts = {
      clients: sizes.ingestClients,
      metricsPerRequest: sizes.metricsPerRequest,
      durationMs: sizes.ingestSeconds * 1000,
      maxRequestsPerClient: 100_000,
      warmupRequests: 1,
    };
    log('(a) ingestion: mlflow');
    results.ingest.mlflow = await attempt('mlflow ingestion', () =>
      runIngest(clients.mlflow, 'mlflow', ingestOpts),
    );
    const cairnClient = clients.cairn;
    if (cairnClient) {
      log('(a) ingestion: cairn');
      results.ingest.cairn = await attempt('cairn ingestion', () =>
        runIngest(cairnClient, 'cairn', ingestOpts),
      );
    } else results.ingest.cairn = cairnDown();
    for (const [name, o] of Object.entries(results.ingest)) {
      if (o.ok)
        log(`    ${name}: ${Math.round(o.value.metricsPerSecond)} metrics/s (${o.value.requests} requests)`);
    }

    // Experiments for (b) and (c), created through each server's API so each fills in its own defaults.
    const mlflowExp = {
      search: await createExperiment(clients.mlflow, 'bench-search'),
      chart: await createExperiment(clients.mlflow, 'bench-chart'),
    };
    let cairnExp: { search: string; chart: string } | null = null;
    if (cairnClient) {
      const made = await attempt('cairn experiments/create', async () => ({
        search: await createExperiment(cairnClient, 'bench-search'),
        chart: await createExperiment(cairnClient, 'bench-chart'),
      }));
      if (made.ok) cairnExp = made.value;
      else pair.cairnError = `experiments/create failed: ${made.reason}`;
    }
    clients.mlflow.close();
    clients.cairn?.close();

    // Populate: stop both, write the same rows into both databases, restart.
    let populated = 0;
    const populate = (to: number, withHistory: boolean) => {
      const sinks: [string, () => RowSink, { search: string; chart: string }][] = [
        ['mlflow', () => new MlflowSink(mlflowDbPath(layout)), mlflowExp],
      ];
      if (cairnExp) sinks.push(['cairn', () => new CairnSink(cairnDbPath(layout)), cairnExp]);
      for (const [name, open, exp] of sinks) {
        const started = performance.now();
        const sink = open();
        try {
          sink.insertRuns(exp.search, generateRuns(populated, to, BASE_TIME));
          if (withHistory) {
            sink.insertLongHistory(exp.chart, CHART_RUN_ID, CHART_METRIC, sizes.chartPoints, BASE_TIME);
          }
        } finally {
          sink.close();
        }
        log(
          `    ${name}: wrote runs ${populated}..${to}${withHistory ? ` and ${sizes.chartPoints} history points` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
      }
      populated = to;
    };

    for (const [index, runs] of sizes.searchRuns.entries()) {
      await pair.stop();
      log(`populating ${runs} runs${index === 0 ? ` and a ${sizes.chartPoints}-point history` : ''}`);
      populate(runs, index === 0);
      await pair.start();
      clients = pair.clients(4);
      const cc = cairnExp ? clients.cairn : null;

      if (index === 0) {
        // (c) Chart fetch: the first call after the restart is the cold one.
        const rep = {
          warmup: 1,
          reps: sizes.chartReps,
          minReps: 3,
          budgetMs: quick ? 15_000 : 30_000,
          slowMs: 10_000,
        };
        const bulk = `/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${CHART_RUN_ID}&metric_key=${CHART_METRIC}&max_results=2500`;
        log('(c) chart: mlflow get-history-bulk-interval');
        results.chart.mlflowBulk = await attempt('mlflow bulk-interval', () =>
          timeGet(clients.mlflow, `/ajax-api${bulk}`, rep),
        );
        if (cc) {
          log('(c) chart: cairn chart endpoint');
          results.chart.cairnChart = await attempt('cairn chart', () =>
            timeGet(
              cc,
              `/api/v1/workspaces/default/runs/${CHART_RUN_ID}/metrics/${CHART_METRIC}/chart?buckets=1000`,
              rep,
            ),
          );
          log('(c) chart: cairn get-history-bulk-interval');
          results.chart.cairnBulk = await attempt('cairn bulk-interval', () =>
            timeGet(cc, `/api${bulk}`, rep),
          );
        } else {
          results.chart.cairnChart = cairnDown();
          results.chart.cairnBulk = cairnDown();
        }
        const budget = sizes.fullHistoryBudgetSeconds * 1000;
        log('(c) full history: mlflow');
        results.chart.mlflowFull = await attempt('mlflow get-history', () =>
          timeFullHistory(clients.mlflow, CHART_RUN_ID, CHART_METRIC, 25_000, budget),
        );
        if (cc) {
          log('(c) full history: cairn');
          results.chart.cairnFull = await attempt('cairn get-history', () =>
            timeFullHistory(cc, CHART_RUN_ID, CHART_METRIC, 25_000, budget),
          );
        } else results.chart.cairnFull = cairnDown();
      }

      // (b) Search over this many runs.
      const expected = expectedSearch(runs, BASE_TIME);
      const rep = {
        warmup: 1,
        reps: sizes.searchReps,
        minReps: 3,
        budgetMs: quick ? 10_000 : 30_000,
        slowMs: 10_000,
      };
      const row: BenchResults['search'][number] = {
        runs,
        expectedHits: expected.length,
        mlflow: notRun('not run'),
        cairn: notRun('not run'),
      };
      log(`(b) search over ${runs} runs: mlflow`);
      row.mlflow = await attempt('mlflow search', async () => {
        const r = await timeSearch(clients.mlflow, mlflowExp.search, rep);
        return { ...r, mismatch: compareIds(expected, r.runIds) };
      });
      if (cc && cairnExp) {
        const exp = cairnExp.search;
        log(`(b) search over ${runs} runs: cairn`);
        row.cairn = await attempt('cairn search', async () => {
          const r = await timeSearch(cc, exp, rep);
          return { ...r, mismatch: compareIds(expected, r.runIds) };
        });
      } else row.cairn = cairnDown();
      for (const [name, o] of [['mlflow', row.mlflow] as const, ['cairn', row.cairn] as const]) {
        if (o.ok) {
          log(
            `    ${name}: median ${o.value.warm.median.toFixed(1)} ms, cold ${o.value.coldMs.toFixed(1)} ms`,
          );
          if (o.value.mismatch) {
            log(`    WARNING: ${name} answered a different result than expected: ${o.value.mismatch}`);
            results.notes.push(
              `WARNING: ${name}'s search over ${runs} runs differs from the expected answer: ${o.value.mismatch}.`,
            );
          }
        }
      }
      results.search.push(row);
      clients.mlflow.close();
      clients.cairn?.close();
    }
  } finally {
    await pair.stop();
    if (!args.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }

  results.machine.loadAverage.end = loadavg()[0] ?? 0;
  if (pair.cairnError) results.notes.push(`Cairn: ${pair.cairnError.split('\n')[0]}`);
  process.stdout.write(`\n${resultsTable(results)}\n\n`);
  writeFileSync(
    join(tmpdir(), `cairn-bench-${quick ? 'quick' : 'full'}.json`),
    JSON.stringify(results, null, 2),
  );
  if ((!quick || args['write-readme']) && !args['no-readme']) {
    replaceReadmeResults('results', resultsSection(results));
    log('results written to bench/README.md');
  }
  const failures = [
    results.ingest.mlflow,
    results.ingest.cairn,
    ...results.search.flatMap((s) => [s.mlflow, s.cairn]),
  ].filter((o) => !o.ok).length;
  return failures ? 1 : 0;
}

runMain(main, Number(args['max-minutes']), log);

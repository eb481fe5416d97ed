import { basename, join, posix, relative } from 'node:path';
import type { ArtifactEntry, CairnClient, MetricPoint, Run } from '@cairn/sdk';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { clientFor, collect, positiveInt } from '../client-options.js';
import {
  formatBytes,
  formatDuration,
  formatMap,
  formatNumber,
  formatTime,
  printFields,
  printJson,
  printTable,
} from '../output.js';
import { sparkline } from '../sparkline.js';
import { resolveExperiment } from './experiment-ref.js';

/** Metric columns shown in `run list` before the table gets too wide. */
const MAX_METRIC_COLUMNS = 4;
/** Below this, a download finishes before a progress bar would say anything useful. */
const PROGRESS_THRESHOLD = 1024 * 1024;

interface ListOptions {
  experiment: string[];
  filter?: string;
  orderBy?: string[];
  max?: number;
  deleted?: boolean;
}

export function registerRunCommands(program: Command): void {
  const run = program
    .command('run')
    .description('Runs: one execution each, with params, metrics, tags, artifacts');

  run
    .command('list')
    .description('List the runs of one or more experiments, newest first')
    .requiredOption('-e, --experiment <experiment>', 'experiment id or name (repeatable)', collect)
    .option('-f, --filter <expr>', 'MLflow search filter, e.g. "metrics.loss < 0.1 AND params.lr = \'0.01\'"')
    .option('--order-by <key>', "order key, e.g. 'metrics.loss ASC' (repeatable)", collect)
    .option('--max <n>', 'at most this many', positiveInt('--max'), 100)
    .option('--deleted', 'only deleted runs')
    .action(async (opts: ListOptions, command: Command) => {
      const { client, options } = clientFor(command);
      const experimentIds = await Promise.all(
        opts.experiment.map(async (ref) => (await resolveExperiment(client, ref)).experimentId),
      );
      const max = opts.max ?? 100;
      const runs: Run[] = [];
      for await (const r of client.runs.iterate({
        experimentIds,
        filter: opts.filter,
        orderBy: opts.orderBy,
        viewType: opts.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
        maxResults: Math.min(max, 1000),
        include: options.output === 'json' ? ['params', 'metrics', 'tags'] : ['metrics'],
      })) {
        runs.push(r);
        if (runs.length >= max) break;
      }
      if (options.output === 'json') return printJson(runs);
      const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics ?? {})))].sort();
      printTable(
        [
          { header: 'RUN ID', value: (r: Run) => r.runId },
          { header: 'NAME', value: (r) => r.runName, maxWidth: 30 },
          { header: 'STATUS', value: (r) => r.status },
          { header: 'USER', value: (r) => r.userId, maxWidth: 16 },
          { header: 'STARTED', value: (r) => formatTime(r.startTime) },
          {
            header: 'DURATION',
            value: (r) => formatDuration((r.endTime ?? Date.now()) - r.startTime),
            align: 'right',
          },
          ...metricKeys.slice(0, MAX_METRIC_COLUMNS).map((key) => ({
            header: key.toUpperCase(),
            value: (r: Run) => {
              const m = r.metrics?.[key];
              return m ? formatNumber(m.value) : '-';
            },
            align: 'right' as const,
          })),
        ],
        runs,
        'No runs',
      );
      if (metricKeys.length > MAX_METRIC_COLUMNS) {
        process.stdout.write(
          `(${metricKeys.length - MAX_METRIC_COLUMNS} more metrics not shown; use --output json or cairn run show)\n`,
        );
      }
    });

  run
    .command('show')
    .description('Show a run: its info, params, latest metrics and tags')
    .argument('<run>', 'run id')
    .action(async (runId: string, _opts, command: Command) => {
      const { client, options } = clientFor(command);
      const r = await client.runs.get(runId);
      if (options.output === 'json') return printJson(r);
      printFields([
        ['Run ID', r.runId],
        ['Name', r.runName],
        ['Experiment', r.experimentId],
        ['Status', r.status],
        ['Stage', r.lifecycleStage],
        ['User', r.userId],
        ['Started', formatTime(r.startTime)],
        ['Ended', formatTime(r.endTime)],
        ['Duration', formatDuration((r.endTime ?? Date.now()) - r.startTime)],
        ['Artifacts', r.artifactUri],
        ...(r.parentRunId ? [['Parent run', r.parentRunId] as [string, string]] : []),
      ]);
      section('Params');
      printTable(
        [
          { header: 'KEY', value: ([k]: [string, string]) => k },
          { header: 'VALUE', value: ([, v]) => v, maxWidth: 80 },
        ],
        Object.entries(r.params ?? {}),
      );
      section('Metrics (latest)');
      printTable(
        [
          { header: 'KEY', value: ([k]: [string, { value: number; step: number; timestamp: number }]) => k },
          { header: 'VALUE', value: ([, m]) => formatNumber(m.value), align: 'right' },
          { header: 'STEP', value: ([, m]) => String(m.step), align: 'right' },
          { header: 'TIME', value: ([, m]) => formatTime(m.timestamp) },
        ],
        Object.entries(r.metrics ?? {}),
      );
      section('Tags');
      process.stdout.write(`${formatMap(r.tags)}\n`);
    });

  run
    .command('metrics')
    .description("A metric's history: summary and sparkline, then the points")
    .argument('<run>', 'run id')
    .argument('<key>', 'metric key')
    .option(
      '--max <n>',
      'table mode: show at most this many points (the last ones)',
      positiveInt('--max'),
      20,
    )
    .action(async (runId: string, key: string, opts: { max?: number }, command: Command) => {
      const { client, options } = clientFor(command);
      const points: MetricPoint[] = [];
      for await (const p of client.runs.iterateMetricHistory(runId, key)) points.push(p);
      if (options.output === 'json') return printJson({ runId, key, metrics: points });
      if (points.length === 0) {
        process.stdout.write(`No points for metric '${key}' in run ${runId}\n`);
        return;
      }
      const chart = await client.runs.metricChart(runId, key, { buckets: 60 });
      const finite = points.map((p) => p.value).filter(Number.isFinite);
      const last = points.at(-1)!;
      printFields([
        ['Metric', key],
        ['Points', `${points.length} (steps ${points[0]!.step} to ${last.step})`],
        ['Last', `${formatNumber(last.value)} at step ${last.step}`],
        [
          'Min / max',
          finite.length ? `${formatNumber(Math.min(...finite))} / ${formatNumber(Math.max(...finite))}` : '-',
        ],
        ['Trend', sparkline(chart.buckets.map((b) => b.last))],
      ]);
      const shown = points.slice(-(opts.max ?? 20));
      section(shown.length < points.length ? `Last ${shown.length} points` : 'Points');
      printTable(
        [
          { header: 'STEP', value: (p: MetricPoint) => String(p.step), align: 'right' },
          { header: 'VALUE', value: (p) => formatNumber(p.value), align: 'right' },
          { header: 'TIME', value: (p) => formatTime(p.timestamp) },
        ],
        shown,
      );
    });

  run
    .command('download')
    .description("Download a run's artifacts: a file, a folder, or everything")
    .argument('<run>', 'run id')
    .option(
      '-p, --path <path>',
      "artifact file or folder, relative to the run's artifact root (default: all)",
      '',
    )
    .option('-d, --dest <dir>', 'local folder to write into', '.')
    .action(async (runId: string, opts: { path: string; dest: string }, command: Command) => {
      const { client, options } = clientFor(command);
      const files = await artifactsUnder(client, runId, opts.path);
      const written = await downloadAll(client, runId, files, opts.path, opts.dest);
      if (options.output === 'json') return printJson(written);
      const bytes = written.reduce((n, f) => n + f.bytes, 0);
      process.stdout.write(
        `Downloaded ${written.length} file${written.length === 1 ? '' : 's'} (${formatBytes(bytes)}) to ${opts.dest}\n`,
      );
    });
}

const section = (title: string) => process.stdout.write(`\n${title}\n`);

/** The files to fetch: everything under a folder, or the one file the path names. */
async function artifactsUnder(client: CairnClient, runId: string, path: string): Promise<ArtifactEntry[]> {
  const files: ArtifactEntry[] = [];
  for await (const f of client.runs.walkArtifacts(runId, path)) files.push(f);
  if (files.length > 0 || path === '') return files;
  // A file lists as empty; downloading it says whether it exists.
  return [{ path, isDir: false, fileSize: null }];
}

async function downloadAll(
  client: CairnClient,
  runId: string,
  files: readonly ArtifactEntry[],
  root: string,
  dest: string,
): Promise<{ path: string; file: string; bytes: number }[]> {
  const total = files.reduce((n, f) => n + (f.fileSize ?? 0), 0);
  const bar =
    total >= PROGRESS_THRESHOLD
      ? new cliProgress.SingleBar(
          {
            format: '{bar} {percentage}% | {done} / {size} | {rate} | ETA {eta_formatted} | {file}',
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  const started = Date.now();
  let before = 0;
  const payload = (received: number, file: string) => ({
    done: formatBytes(received),
    size: formatBytes(total),
    rate: `${formatBytes(received / Math.max(0.001, (Date.now() - started) / 1000))}/s`,
    file,
  });
  bar?.start(total, 0, payload(0, ''));
  const out: { path: string; file: string; bytes: number }[] = [];
  try {
    for (const f of files) {
      const rel = root === '' ? f.path : f.path === root ? basename(f.path) : posix.relative(root, f.path);
      const local = join(dest, ...rel.split('/'));
      const done = await client.runs.downloadArtifactToFile(runId, f.path, local, {
        onProgress: (p) => bar?.update(before + p.received, payload(before + p.received, f.path)),
      });
      before += done.bytes;
      out.push({ path: f.path, file: relative(process.cwd(), local) || local, bytes: done.bytes });
    }
  } finally {
    bar?.stop();
  }
  return out;
}

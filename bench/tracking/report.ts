import type { EndpointTiming, FullHistoryTiming } from './chart.js';
import type { IngestResult } from './ingest.js';
import type { SearchResult } from './search.js';
import type { Timing } from './stats.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Sizes {
  ingestClients: number;
  metricsPerRequest: number;
  ingestSeconds: number;
  searchRuns: number[];
  chartPoints: number;
  searchReps: number;
  chartReps: number;
  fullHistoryBudgetSeconds: number;
}

export interface SearchRow {
  runs: number;
  expectedHits: number;
  mlflow: Outcome<SearchResult & { mismatch: string | null }>;
  cairn: Outcome<SearchResult & { mismatch: string | null }>;
}

export interface BenchResults {
  date: string;
  quick: boolean;
  machine: {
    cpus: number;
    cpuModel: string;
    memGiB: number;
    os: string;
    loadAverage: { start: number; end: number };
  };
  versions: { node: string; python: string; mlflow: string; cairnCommit: string };
  sizes: Sizes;
  startupMs: { mlflow: number[]; cairn: number[] };
  ingest: { mlflow: Outcome<IngestResult>; cairn: Outcome<IngestResult> };
  search: SearchRow[];
  chart: {
    points: number;
    mlflowBulk: Outcome<EndpointTiming | null>;
    mlflowFull: Outcome<FullHistoryTiming>;
    cairnBulk: Outcome<EndpointTiming | null>;
    cairnChart: Outcome<EndpointTiming | null>;
    cairnFull: Outcome<FullHistoryTiming>;
  };
  notes: string[];
}

const num = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
const ms = (n: number) => (n >= 100 ? `${num(n)} ms` : `${num(n, 1)} ms`);
const times = (r: number) => (Number.isFinite(r) ? `${num(r, r >= 10 ? 0 : 1)}×` : 'n/a');

function cell<T>(o: Outcome<T | null>, show: (v: T) => string, missing = 'not served (404)'): string {
  if (!o.ok) return `failed: ${o.reason.split('\n')[0]?.slice(0, 80)}`;
  return o.value === null ? missing : show(o.value);
}

function val<T, R>(o: Outcome<T | null>, pick: (v: T) => R): R | undefined {
  return o.ok && o.value !== null ? pick(o.value) : undefined;
}

/** Cairn/MLflow for throughputs; MLflow/Cairn ("× faster") for latencies. */
function ratio(
  mlflow: number | undefined,
  cairn: number | undefined,
  kind: 'throughput' | 'latency',
): string {
  if (mlflow === undefined || cairn === undefined) return 'n/a';
  return times(kind === 'throughput' ? cairn / mlflow : mlflow / cairn);
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? ' ✅' : ' ❌';
}

const medianP95 = (v: { warm: Timing }) =>
  v.warm.n > 1 ? `${ms(v.warm.median)} (p95 ${ms(v.warm.p95)}, n=${v.warm.n})` : `${ms(v.warm.median)} (n=1)`;

const pointsCell = (v: EndpointTiming) =>
  `${num(v.points)}, ${num(v.bytes / 1024)} KiB; ${v.spikeKept ? 'yes' : 'no'}`;

export function resultsTable(r: BenchResults): string {
  const rows: string[][] = [];
  const s = r.sizes;

  const im = val(r.ingest.mlflow, (v) => v.metricsPerSecond);
  const ic = val(r.ingest.cairn, (v) => v.metricsPerSecond);
  rows.push([
    `(a) Ingestion: metrics/s accepted, ${s.ingestClients} clients × log-batch of ${s.metricsPerRequest}`,
    cell(r.ingest.mlflow, (v) => num(v.metricsPerSecond)),
    cell(r.ingest.cairn, (v) => num(v.metricsPerSecond)),
    ratio(im, ic, 'throughput') + verdict(im && ic ? ic / im >= 50 : undefined),
    '≥ 50× more',
  ]);
  rows.push([
    '(a) Ingestion: median log-batch latency under that load',
    cell(r.ingest.mlflow, (v) => ms(v.medianLatencyMs)),
    cell(r.ingest.cairn, (v) => ms(v.medianLatencyMs)),
    ratio(
      val(r.ingest.mlflow, (v) => v.medianLatencyMs),
      val(r.ingest.cairn, (v) => v.medianLatencyMs),
      'latency',
    ),
    '',
  ]);

  for (const row of r.search) {
    const label = `${num(row.runs)} runs`;
    const mm = val(row.mlflow, (v) => v.warm.median);
    const cm = val(row.cairn, (v) => v.warm.median);
    rows.push([
      `(b) runs/search over ${label}: median (p95)`,
      cell(row.mlflow, medianP95),
      cell(row.cairn, medianP95),
      ratio(mm, cm, 'latency') + verdict(mm && cm ? mm / cm >= 20 : undefined),
      '≥ 20× faster',
    ]);
    rows.push([
      `(b) runs/search over ${label}: first call after restart`,
      cell(row.mlflow, (v) => ms(v.coldMs)),
      cell(row.cairn, (v) => ms(v.coldMs)),
      ratio(
        val(row.mlflow, (v) => v.coldMs),
        val(row.cairn, (v) => v.coldMs),
        'latency',
      ),
      '',
    ]);
    rows.push([
      `(b) runs/search over ${label}: same ${row.expectedHits} ids, same order as expected`,
      cell(row.mlflow, (v) => (v.mismatch ? `NO: ${v.mismatch}` : 'yes')),
      cell(row.cairn, (v) => (v.mismatch ? `NO: ${v.mismatch}` : 'yes')),
      '',
      '',
    ]);
  }

  const c = r.chart;
  const pts = num(c.points);
  const mb = val(c.mlflowBulk, (v) => v.warm.median);
  const cc = val(c.cairnChart, (v) => v.warm.median);
  rows.push([
    `(c) ${pts}-point chart, warm median: MLflow UI's call vs Cairn chart endpoint (1000 buckets)`,
    cell(c.mlflowBulk, medianP95),
    cell(c.cairnChart, medianP95),
    ratio(mb, cc, 'latency') + verdict(cc !== undefined ? cc < 100 : undefined),
    'Cairn < 100 ms',
  ]);
  rows.push([
    `(c) ${pts}-point chart, first call after restart`,
    cell(c.mlflowBulk, (v) => ms(v.coldMs)),
    cell(c.cairnChart, (v) => ms(v.coldMs)),
    ratio(
      val(c.mlflowBulk, (v) => v.coldMs),
      val(c.cairnChart, (v) => v.coldMs),
      'latency',
    ),
    '',
  ]);
  rows.push([
    `(c) get-history-bulk-interval max_results=2500 (same call on both): warm median`,
    cell(c.mlflowBulk, medianP95),
    cell(c.cairnBulk, medianP95),
    ratio(
      mb,
      val(c.cairnBulk, (v) => v.warm.median),
      'latency',
    ),
    '',
  ]);
  rows.push([
    '(c) points (or buckets) returned, response size; spike kept',
    cell(c.mlflowBulk, pointsCell),
    `bulk-interval: ${cell(c.cairnBulk, pointsCell)}; chart: ${cell(c.cairnChart, pointsCell)}`,
    '',
    '',
  ]);
  const full = (v: FullHistoryTiming) =>
    (v.complete
      ? `${ms(v.ms)} (${v.pages} pages)`
      : `> ${ms(v.ms)} (stopped after ${num(v.points)} points)`) +
    (v.retries ? `, ${v.retries} dropped connection(s) retried` : '');
  rows.push([
    `(c) full history via metrics/get-history, pages of 25,000`,
    cell(c.mlflowFull, full),
    cell(c.cairnFull, full),
    ratio(
      val(c.mlflowFull, (v) => (v.complete ? v.ms : undefined)),
      val(c.cairnFull, (v) => (v.complete ? v.ms : undefined)),
      'latency',
    ),
    '',
  ]);

  const header = ['Benchmark', 'MLflow', 'Cairn', 'Cairn vs MLflow', 'Target'];
  return [header, header.map(() => '---'), ...rows].map((cols) => `| ${cols.join(' | ')} |`).join('\n');
}

export function resultsSection(r: BenchResults): string {
  const s = r.sizes;
  const lines = [
    `### ${r.quick ? 'Quick (smoke) run' : 'Full run'} of ${r.date}`,
    '',
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memGiB} GiB, ${r.machine.os}; ` +
      `1-minute load average ${num(r.machine.loadAverage.start, 1)} at the start and ${num(r.machine.loadAverage.end, 1)} at the end. ` +
      `Node ${r.versions.node}, Python ${r.versions.python}, mlflow ${r.versions.mlflow}, Cairn at ${r.versions.cairnCommit}. ` +
      'Both servers use SQLite on local disk, run on loopback, and are timed one after the other (never at the same time); the load generator runs on the same machine.',
    '',
    `Parameters: ingestion ${s.ingestClients} clients × ${s.ingestSeconds} s, ${s.metricsPerRequest} metrics per log-batch; ` +
      `search over ${s.searchRuns.map((n) => num(n)).join(' and ')} runs (5 params, 7 tags, 20 metrics each), ` +
      `up to ${s.searchReps} timed repetitions after 1 warm-up; chart over ${num(s.chartPoints)} points, up to ${s.chartReps} repetitions; ` +
      `full-history fetch stopped after ${s.fullHistoryBudgetSeconds} s. ` +
      `Server start-up: MLflow ${r.startupMs.mlflow.map((x) => `${num(x / 1000, 1)} s`).join(', ')}; Cairn ${r.startupMs.cairn.map((x) => `${num(x / 1000, 1)} s`).join(', ')}.`,
    '',
    resultsTable(r),
  ];
  if (r.notes.length) lines.push('', 'Notes:', '', ...r.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

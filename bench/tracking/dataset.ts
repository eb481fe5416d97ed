/**
 * Deterministic synthetic runs, generated once and written into both servers' databases, so both
 * answer the same search over the same rows. Also computes the expected answer of the benchmark's
 * search in plain code, which is the correctness reference for both servers.
 */

export interface BenchRun {
  id: string;
  name: string;
  startTime: number;
  endTime: number;
  params: [string, string][];
  tags: [string, string][];
  /** Latest value of each metric; each is also written as one history point at `LAST_STEP`. */
  metrics: [string, number][];
}

export const LAST_STEP = 10;
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad'] as const;
const METRIC_KEYS = [
  'accuracy',
  'loss',
  'val_accuracy',
  'val_loss',
  'precision',
  'recall',
  'f1',
  'auc',
  'epoch_time',
  'throughput',
  ...Array.from({ length: 10 }, (_, i) => `aux_${i}`),
];

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rand: () => number, chars: number): string {
  let out = '';
  while (out.length < chars)
    out += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, chars);
}

/** Runs `from` (inclusive) to `to` (exclusive) of a dataset; the same index always yields the same run. */
export function* generateRuns(from: number, to: number, baseTime: number): Generator<BenchRun> {
  for (let i = from; i < to; i++) {
    const rand = prng(0x5eed0000 + i);
    const id = `${i.toString(16).padStart(8, '0')}${hex(rand, 24)}`;
    const startTime = baseTime + i * 1000;
    const metrics: [string, number][] = METRIC_KEYS.map((key) => {
      switch (key) {
        case 'accuracy':
        case 'val_accuracy':
          return [key, 0.5 + rand() * 0.5];
        case 'loss':
        case 'val_loss':
          return [key, 0.01 + rand() * 2];
        default:
          return [key, rand() * 100];
      }
    });
    yield {
      id,
      name: `run-${i}`,
      startTime,
      endTime: startTime + 60_000,
      params: [
        ['optimizer', OPTIMIZERS[Math.floor(rand() * OPTIMIZERS.length)] as string],
        ['learning_rate', (10 ** -(1 + rand() * 4)).toPrecision(3)],
        ['batch_size', String(2 ** (4 + Math.floor(rand() * 5)))],
        ['num_layers', String(1 + Math.floor(rand() * 12))],
        ['dropout', (rand() * 0.5).toFixed(2)],
      ],
      tags: [
        ['team', ['vision', 'nlp', 'speech', 'tabular'][Math.floor(rand() * 4)] as string],
        ['dataset', `ds-${Math.floor(rand() * 20)}`],
        ['model_family', ['resnet', 'bert', 'xgboost', 'mlp', 'vit'][Math.floor(rand() * 5)] as string],
        ['git_commit', hex(rand, 12)],
        ['priority', String(Math.floor(rand() * 3))],
      ],
      metrics,
    };
  }
}

/** The benchmark's search, as MLflow defines it. */
export const SEARCH = {
  filter: "metrics.accuracy > 0.9 and params.optimizer = 'adam'",
  orderBy: ['metrics.loss ASC'],
  maxResults: 100,
} as const;

/** What a correct server answers to `SEARCH` over runs [0, count): run ids in order. */
export function expectedSearch(count: number, baseTime: number): string[] {
  const hits: { id: string; loss: number }[] = [];
  for (const run of generateRuns(0, count, baseTime)) {
    const accuracy = run.metrics.find(([k]) => k === 'accuracy')?.[1] ?? 0;
    const optimizer = run.params.find(([k]) => k === 'optimizer')?.[1];
    if (accuracy > 0.9 && optimizer === 'adam') {
      hits.push({ id: run.id, loss: run.metrics.find(([k]) => k === 'loss')?.[1] ?? 0 });
    }
  }
  hits.sort((a, b) => a.loss - b.loss);
  return hits.slice(0, SEARCH.maxResults).map((h) => h.id);
}

export interface HistoryPoint {
  step: number;
  timestamp: number;
  value: number;
}

export const CHART_METRIC = 'train_loss';
export const SPIKE_VALUE = 50;

/**
 * A long training curve: decaying loss with noise and one sharp spike near 7/9 of the way, which a
 * min/max-preserving downsampler keeps and a plain sampler usually drops.
 */
export function* generateHistory(points: number, baseTime: number): Generator<HistoryPoint> {
  const rand = prng(0xc0ffee);
  const spikeAt = Math.floor((points * 7) / 9) + 1;
  for (let step = 0; step < points; step++) {
    const value =
      step === spikeAt ? SPIKE_VALUE : 2 * Math.exp((-5 * step) / points) + 0.05 + (rand() - 0.5) * 0.1;
    yield { step, timestamp: baseTime + step * 10, value };
  }
}

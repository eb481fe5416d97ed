import { type HttpClient, HttpError } from './http-client.js';
import { API, createExperiment, createRun } from './mlflow-api.js';

export interface IngestOptions {
  clients: number;
  metricsPerRequest: number;
  /** Timed phase length; clients stop sending when it ends and in-flight requests are awaited. */
  durationMs: number;
  /** Hard cap on requests per client, so a very fast server cannot make the run unbounded in data. */
  maxRequestsPerClient: number;
  /** Untimed requests per client before the clock starts. */
  warmupRequests: number;
}

export interface IngestResult {
  metricsPerSecond: number;
  requests: number;
  metrics: number;
  elapsedMs: number;
  /** Median request latency, ms. */
  medianLatencyMs: number;
}

const KEYS = Array.from({ length: 50 }, (_, i) => `metric_${String(i).padStart(2, '0')}`);

/** One log-batch body: the 50 keys at `metricsPerRequest / 50` consecutive steps. */
function batchBody(runId: string, requestIndex: number, metricsPerRequest: number): string {
  const stepsPerRequest = Math.ceil(metricsPerRequest / KEYS.length);
  const now = Date.now();
  const metrics: { key: string; value: number; timestamp: number; step: number }[] = [];
  for (let s = 0; s < stepsPerRequest && metrics.length < metricsPerRequest; s++) {
    const step = requestIndex * stepsPerRequest + s;
    for (const key of KEYS) {
      if (metrics.length === metricsPerRequest) break;
      metrics.push({ key, value: Math.random(), timestamp: now, step });
    }
  }
  return JSON.stringify({ run_id: runId, metrics });
}

/**
 * N clients, each logging into its own run, each sending log-batch requests back to back over its own
 * keep-alive connection. Counts only metrics in requests answered 200; any other answer aborts.
 */
export async function runIngest(
  client: HttpClient,
  label: string,
  opts: IngestOptions,
): Promise<IngestResult> {
  const experimentId = await createExperiment(client, `bench-ingest-${label}-${Date.now()}`);
  const runIds: string[] = [];
  for (let i = 0; i < opts.clients; i++) runIds.push(await createRun(client, experimentId, `ingest-${i}`));

  const send = async (runId: string, index: number): Promise<number> => {
    const res = await client.post(`${API}/runs/log-batch`, batchBody(runId, index, opts.metricsPerRequest));
    if (res.status !== 200) throw new HttpError(res.status, res.body, `log-batch to ${client.baseUrl}`);
    return res.ms;
  };

  await Promise.all(
    runIds.map(async (runId) => {
      for (let i = 0; i < opts.warmupRequests; i++) await send(runId, i);
    }),
  );

  const latencies: number[] = [];
  let requests = 0;
  const started = performance.now();
  const deadline = started + opts.durationMs;
  await Promise.all(
    runIds.map(async (runId) => {
      for (let i = 0; i < opts.maxRequestsPerClient && performance.now() < deadline; i++) {
        latencies.push(await send(runId, opts.warmupRequests + i));
        requests++;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const metrics = requests * opts.metricsPerRequest;
  return {
    metricsPerSecond: metrics / (elapsedMs / 1000),
    requests,
    metrics,
    elapsedMs,
    medianLatencyMs: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
  };
}

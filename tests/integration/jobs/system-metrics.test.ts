import { join } from 'node:path';
import { buildServer, resolveConfig } from '@cairn/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshStoreUri } from '../support/metadata-stores.js';
import { apiCall, followJob, getJob, type JobServer, submitJob, tempDir } from './job-client.js';

interface History {
  metrics?: { key: string; value: number; step: number; timestamp: number }[];
}

describe('system metrics of local jobs', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let target: Awaited<ReturnType<typeof freshStoreUri>>;
  let server: JobServer;

  beforeEach(async () => {
    dir = await tempDir('cairn-sysmetrics-');
    target = await freshStoreUri('sqlite');
    const built = await buildServer(
      resolveConfig({
        port: 0,
        dataDir: join(dir.path, 'data'),
        storeUri: target.uri,
        logLevel: 'silent',
        localUser: 'tester',
        jobEnvironment: process.env,
        jobs: { systemMetricsIntervalMs: 300 },
      }),
    );
    const baseUrl = await built.app.listen({ host: '127.0.0.1', port: 0 });
    server = { server: built, baseUrl, close: () => built.close() };
  });
  afterEach(async () => {
    await server.close();
    await target.dispose();
    await dir.dispose();
  });

  it("samples a CPU-bound job's CPU and memory into its run while it runs", async () => {
    // A busy shell loop (about 3 s here): one core, so CPU near 100.
    const yaml = `
command: sh -c 'i=0; while [ $i -lt 2000000 ]; do i=$((i+1)); done'
experiment_name: system-metrics-tests
`;
    const job = await submitJob(server.baseUrl, { yaml, codeRoot: dir.path });
    await followJob(server.baseUrl, job.name);
    const { job: done } = await getJob(server.baseUrl, job.name);
    expect(done.status, done.errorSummary ?? '').toBe('completed');
    expect(done.runId).not.toBeNull();

    const history = (key: string) =>
      apiCall<History>(
        server.baseUrl,
        'GET',
        `/api/2.0/mlflow/metrics/get-history?run_id=${done.runId}&metric_key=${encodeURIComponent(key)}`,
      ).then((r) => r.metrics ?? []);
    const cpu = await history('system/cpu_utilization_percentage');
    const memory = await history('system/memory_usage_megabytes');
    expect(cpu.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...cpu.map((m) => m.value))).toBeGreaterThan(20);
    expect(cpu.map((m) => m.step)).toEqual(cpu.map((_, i) => i + 1));
    expect(memory.length).toBeGreaterThan(0);
    expect(Math.max(...memory.map((m) => m.value))).toBeGreaterThan(0);
    // No GPU asked for: no GPU metrics.
    expect(await history('system/gpu_0_utilization_percentage')).toEqual([]);
  });
});

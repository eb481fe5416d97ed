// A GPU job through Cairn on the device machine: server in-process, local compute detects the GPU with
// nvidia-smi, the job asks for one GPU and must see it through CUDA_VISIBLE_DEVICES in torch.

import { detectGpus } from '@cairn/jobs';
import { buildServer, resolveConfig } from '@cairn/server';

const started = Date.now();
console.log('detectGpus():', JSON.stringify(detectGpus()));
const server = await buildServer(
  resolveConfig({
    port: 0,
    dataDir: '/tmp/cairn-gpu',
    logLevel: 'warn',
    jobEnvironment: process.env,
    jobs: { systemMetricsIntervalMs: 500 },
  }),
);
const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
const api = `${base}/api/v1/workspaces/default`;
const yaml = `command: >-
  python3 -c "import os, torch; print('CUDA_VISIBLE_DEVICES=' + str(os.environ.get('CUDA_VISIBLE_DEVICES'))); print('cuda available', torch.cuda.is_available(), 'count', torch.cuda.device_count(), torch.cuda.get_device_name(0)); x = torch.randn(4096, 4096, device='cuda'); torch.cuda.synchronize(); print('matmul norm', float((x @ x).norm())); y = [None]; exec('for _ in range(1500): y[0] = x @ x'); torch.cuda.synchronize(); print('busy loop done')"
experiment_name: gpu-check
resources:
  properties:
    gpus: 1
`;
const res = await fetch(`${api}/jobs`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ yaml }),
});
const text = await res.text();
console.log('submit', res.status, text.slice(0, 300));
const name = (JSON.parse(text) as { job: { name: string } }).job.name;
let job: Record<string, unknown> = {};
for (let i = 0; i < 600; i++) {
  job = ((await (await fetch(`${api}/jobs/${name}`)).json()) as { job: Record<string, unknown> }).job;
  if (['completed', 'failed', 'canceled'].includes(String(job.status))) break;
  await new Promise((r) => setTimeout(r, 200));
}
console.log('status', job.status, 'exit', job.exitCode, 'summary', job.errorSummary);
const logs = (await (await fetch(`${api}/jobs/${name}/logs`)).json()) as {
  chunks: { stream: string; data: string }[];
};
for (const c of logs.chunks ?? []) process.stdout.write(`[${c.stream}] ${c.data}`);
const runId = String(job.runId);
const run = (await (await fetch(`${base}/api/2.0/mlflow/runs/get?run_id=${runId}`)).json()) as {
  run: { data: { metrics?: { key: string; value: number }[] } };
};
const system = (run.run.data.metrics ?? []).filter((m) => m.key.startsWith('system/'));
console.log('system metrics (latest):', JSON.stringify(system.map((m) => [m.key, m.value])));
console.log(`\ntotal ${Date.now() - started} ms`);
await server.close();
process.exit(job.status === 'completed' ? 0 : 1);

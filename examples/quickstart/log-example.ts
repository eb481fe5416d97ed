/**
 * Logs a small example experiment into a running Cairn server, so a fresh install has something to
 * look at: a learning-rate sweep of three runs under one parent, each with params, tags, 200 steps of
 * loss and accuracy, and a text artifact. Uses only the MLflow REST API that any client speaks.
 *
 *   node --import tsx examples/quickstart/log-example.ts [--url http://127.0.0.1:5000]
 */
const url = process.argv.includes('--url')
  ? process.argv[process.argv.indexOf('--url') + 1]!
  : 'http://127.0.0.1:5000';
const api = `${url}/api/2.0/mlflow`;

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} failed with ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function experimentId(name: string): Promise<string> {
  const res = await fetch(`${api}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  if (res.ok)
    return ((await res.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id;
  return (await call<{ experiment_id: string }>('POST', '/experiments/create', { name })).experiment_id;
}

async function startRun(experiment: string, name: string, tags: Record<string, string>) {
  const created = await call<{ run: { info: { run_id: string; artifact_uri: string } } }>(
    'POST',
    '/runs/create',
    {
      experiment_id: experiment,
      run_name: name,
      start_time: Date.now(),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
  );
  return created.run.info;
}

async function main(): Promise<void> {
  const experiment = await experimentId('quickstart-lr-sweep');
  const parent = await startRun(experiment, 'lr-sweep', { 'mlflow.user': 'quickstart', purpose: 'example' });
  for (const lr of [0.3, 0.1, 0.03]) {
    const run = await startRun(experiment, `lr-${lr}`, { 'mlflow.parentRunId': parent.run_id, model: 'mlp' });
    await call('POST', '/runs/log-batch', {
      run_id: run.run_id,
      params: [
        { key: 'learning_rate', value: String(lr) },
        { key: 'batch_size', value: '64' },
        { key: 'optimizer', value: 'adam' },
      ],
    });
    const metrics = [];
    const start = Date.now();
    for (let step = 0; step < 200; step++) {
      const progress = 1 - Math.exp(-step * lr * 0.1);
      const noise = Math.sin(step * 1.7 + lr * 10) * 0.02;
      metrics.push({
        key: 'loss',
        value: 2.3 * (1 - progress) + 0.1 + noise,
        timestamp: start + step * 50,
        step,
      });
      metrics.push({
        key: 'accuracy',
        value: 0.1 + 0.85 * progress - noise,
        timestamp: start + step * 50,
        step,
      });
    }
    for (let i = 0; i < metrics.length; i += 1000) {
      await call('POST', '/runs/log-batch', { run_id: run.run_id, metrics: metrics.slice(i, i + 1000) });
    }
    const path = run.artifact_uri.replace('mlflow-artifacts:/', '');
    const notes = `learning rate ${lr}: final loss ${metrics.at(-2)!.value.toFixed(3)}\n`;
    const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${path}/notes.txt`, {
      method: 'PUT',
      body: notes,
    });
    if (!put.ok) throw new Error(`artifact upload failed with ${put.status}: ${await put.text()}`);
    await call('POST', '/runs/update', { run_id: run.run_id, status: 'FINISHED', end_time: Date.now() });
  }
  await call('POST', '/runs/update', { run_id: parent.run_id, status: 'FINISHED', end_time: Date.now() });
  process.stdout.write(
    `Logged experiment 'quickstart-lr-sweep' (id ${experiment}): 1 parent run and 3 child runs.\n` +
      `Look at it with: npx cairn run list -e ${experiment}   or point mlflow at it: MLFLOW_TRACKING_URI=${url}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

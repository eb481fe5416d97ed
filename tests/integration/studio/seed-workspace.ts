import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import type { CairnClient, Run } from '@cairn/sdk';

/**
 * Data for the studio's browser tests, logged through the real clients: the TypeScript SDK for a sweep
 * of runs (params, metric histories, tags, artifacts), and the `mlflow` Python client for one run.
 */
export interface SeededWorkspace {
  experimentId: string;
  experimentName: string;
  runs: Run[];
  /** The run with artifacts of every preview kind and a long metric with a spike. */
  showcase: Run;
}

const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;

export async function seedWorkspace(
  client: CairnClient,
  options: { runs: number; name: string; steps?: number },
): Promise<SeededWorkspace> {
  const steps = options.steps ?? 60;
  const experiment = await client.experiments.create({
    name: options.name,
    tags: { 'mlflow.note.content': 'Image classifier sweep' },
  });
  const t0 = Date.now() - options.runs * 60_000;
  const runs: Run[] = [];
  for (let i = 0; i < options.runs; i++) {
    const optimizer = OPTIMIZERS[i % OPTIMIZERS.length]!;
    const lr = [0.1, 0.03, 0.01, 0.003, 0.001][i % 5]!;
    const start = t0 + i * 60_000;
    const run = await client.runs.create({
      experimentId: experiment.experimentId,
      runName: `trial-${String(i).padStart(3, '0')}`,
      startTime: start,
      tags: { team: i % 2 === 0 ? 'vision' : 'research' },
    });
    const quality = 1 - Math.abs(Math.log10(lr) + 2.2) / 2 - (optimizer === 'sgd' ? 0.05 : 0);
    const metrics = [];
    for (let s = 0; s < steps; s++) {
      const loss = 2.3 * Math.exp((-s / steps) * 4 * quality) + 0.05 + 0.02 * Math.sin(s + i);
      metrics.push({ key: 'loss', value: loss, step: s, timestamp: start + s * 1000 });
      if (s % 5 === 4 || s === steps - 1) {
        const acc = Math.min(0.99, 0.5 + 0.45 * quality * (s / steps));
        metrics.push({ key: 'accuracy', value: acc, step: s, timestamp: start + s * 1000 });
      }
    }
    await client.runs.logBatch(run.runId, {
      params: { lr, optimizer, batch_size: 32 * (1 + (i % 3)), epochs: steps },
      metrics,
    });
    runs.push(
      await client.runs.update(run.runId, {
        status: i === options.runs - 1 ? 'FAILED' : 'FINISHED',
        endTime: start + steps * 1000,
      }),
    );
  }
  const showcase = await logShowcaseRun(client, experiment.experimentId);
  return { experimentId: experiment.experimentId, experimentName: options.name, runs, showcase };
}

/** A run with a 20k-step metric holding one spike, and artifacts of every kind the studio previews. */
async function logShowcaseRun(client: CairnClient, experimentId: string): Promise<Run> {
  const run = await client.runs.create({
    experimentId,
    runName: 'showcase',
    tags: { team: 'vision', 'mlflow.source.name': 'train.py', 'mlflow.source.git.commit': '3f2c9e1' },
  });
  const start = run.startTime;
  for (let from = 0; from < 20_000; from += 1000) {
    const metrics = [];
    for (let s = from; s < from + 1000; s++) {
      const value = s === 12_345 ? 40 : 1 / Math.sqrt(s + 1) + 0.01 * Math.sin(s / 50);
      metrics.push({ key: 'train_loss', value, step: s, timestamp: start + s * 10 });
    }
    await client.runs.logBatch(run.runId, { metrics });
  }
  await client.runs.logBatch(run.runId, {
    params: { lr: 0.003, optimizer: 'adam', batch_size: 64, epochs: 20 },
    metrics: [{ key: 'accuracy', value: 0.973, step: 19_999 }],
  });
  await client.runs.uploadArtifact(
    run.runId,
    'config.json',
    JSON.stringify({ model: 'resnet18', optimizer: { name: 'adam', lr: 0.003 }, augment: ['flip', 'crop'] }),
  );
  await client.runs.uploadArtifact(
    run.runId,
    'params.yaml',
    'model: resnet18\nlr: 0.003\nlayers:\n  - 64\n  - 128\n',
  );
  await client.runs.uploadArtifact(
    run.runId,
    'eval/predictions.csv',
    'id,label,predicted,confidence\n1,cat,cat,0.97\n2,dog,cat,0.51\n3,"bird, small",bird,0.88\n',
  );
  await client.runs.uploadArtifact(
    run.runId,
    'notes/README.md',
    '# Showcase\nTrained on the sample digits.\n',
  );
  await client.runs.uploadArtifact(run.runId, 'plots/confusion.png', gradientPng(240, 160));
  return client.runs.update(run.runId, { status: 'FINISHED', endTime: start + 200_000 });
}

/** Logs a run with the real `mlflow` Python client (params, a metric history, a text artifact). */
export async function logWithMlflow(
  python: string,
  trackingUri: string,
  experimentName: string,
): Promise<string> {
  const script = `
import mlflow
mlflow.set_tracking_uri(${JSON.stringify(trackingUri)})
mlflow.set_experiment(${JSON.stringify(experimentName)})
with mlflow.start_run(run_name="from-mlflow") as run:
    mlflow.log_params({"alpha": 0.5, "solver": "lbfgs"})
    for step in range(30):
        mlflow.log_metric("rmse", 1.0 / (step + 1), step=step)
    mlflow.log_text("trained with scikit-learn\\n", "summary.txt")
    print("RUN_ID=" + run.info.run_id)
`;
  const { stdout } = await promisify(execFile)(python, ['-c', script], {
    env: { ...process.env, MLFLOW_ENABLE_ASYNC_LOGGING: 'false' },
  });
  // mlflow prints its own "View run at" lines too.
  const id = /^RUN_ID=(\w+)$/m.exec(stdout)?.[1];
  if (!id) throw new Error(`the mlflow script printed no run id:\n${stdout}`);
  return id;
}

/** A small RGB PNG (a colour gradient), built by hand so the test ships no binary file. */
export function gradientPng(width: number, height: number): Uint8Array {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = Math.round((x / width) * 255);
      raw[row + 2 + x * 3] = Math.round((y / height) * 255);
      raw[row + 3 + x * 3] = 160;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

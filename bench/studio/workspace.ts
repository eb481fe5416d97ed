import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_METRIC, generateRuns } from '../tracking/dataset.js';
import { HttpClient } from '../tracking/http-client.js';
import { API, createExperiment } from '../tracking/mlflow-api.js';
import { CairnSink, MlflowSink, type RowSink } from '../tracking/populate.js';
import {
  cairnDbPath,
  freePort,
  type Layout,
  mlflowDbPath,
  type ServerProcess,
  startCairn,
  startMlflow,
} from '../tracking/servers.js';

/**
 * The workspace both UIs are measured on: the same generated runs written into a real `mlflow server`'s
 * database and a real `cairn server`'s, in each one's own schema (bench/tracking/populate.ts), into
 * experiments each server created through its API. The run with the long history sits in an
 * experiment of its own, so it is not one of the table's rows.
 */
export interface StudioWorkspace {
  mlflow: ServerProcess;
  cairn: ServerProcess;
  experiments: { mlflow: Experiments; cairn: Experiments };
  stop(): Promise<void>;
}

export interface Experiments {
  runs: string;
  chart: string;
}

export const CHART_RUN_ID = 'c4a27000000000000000000000000002';
export const BASE_TIME = Date.UTC(2025, 0, 1);
export { CHART_METRIC };

export async function prepareWorkspace(options: {
  python: string;
  work: string;
  runs: number;
  chartPoints: number;
  log: (msg: string) => void;
}): Promise<StudioWorkspace> {
  const layout: Layout = { mlflowDir: join(options.work, 'mlflow'), cairnDir: join(options.work, 'cairn') };
  mkdirSync(layout.mlflowDir, { recursive: true });
  mkdirSync(layout.cairnDir, { recursive: true });
  const ports = { mlflow: await freePort(), cairn: await freePort() };
  const start = () =>
    Promise.all([startMlflow(options.python, layout, ports.mlflow), startCairn(layout, ports.cairn)]);

  let [mlflow, cairn] = await start();
  const experiments = { mlflow: await makeExperiments(mlflow), cairn: await makeExperiments(cairn) };
  await Promise.all([mlflow.stop(), cairn.stop()]);

  const sinks: [string, RowSink, Experiments][] = [
    ['mlflow', new MlflowSink(mlflowDbPath(layout)), experiments.mlflow],
    ['cairn', new CairnSink(cairnDbPath(layout)), experiments.cairn],
  ];
  for (const [name, sink, exp] of sinks) {
    const started = performance.now();
    try {
      sink.insertRuns(exp.runs, generateRuns(0, options.runs, BASE_TIME));
      sink.insertLongHistory(exp.chart, CHART_RUN_ID, CHART_METRIC, options.chartPoints, BASE_TIME);
    } finally {
      sink.close();
    }
    options.log(
      `${name}: wrote ${options.runs} runs and a ${options.chartPoints}-point history in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  [mlflow, cairn] = await start();
  options.log(`servers: mlflow ${mlflow.baseUrl}, cairn ${cairn.baseUrl}`);
  return {
    mlflow,
    cairn,
    experiments,
    stop: async () => {
      await Promise.all([mlflow.stop(), cairn.stop()]);
    },
  };
}

async function makeExperiments(server: ServerProcess): Promise<Experiments> {
  const client = new HttpClient(server.baseUrl, 2);
  try {
    const experiments = {
      runs: await createExperiment(client, 'studio-bench-runs'),
      chart: await createExperiment(client, 'studio-bench-chart'),
    };
    // MLflow 3's UI opens an experiment in its GenAI view unless the experiment says it trains models.
    for (const id of Object.values(experiments)) {
      await client.postOk(`${API}/experiments/set-experiment-tag`, {
        experiment_id: id,
        key: 'mlflow.experimentKind',
        value: 'custom_model_development',
      });
    }
    return experiments;
  } finally {
    client.close();
  }
}

import type { HttpClient } from './http-client.js';

/** The few MLflow REST calls the benchmark makes, identical for both servers. */
export const API = '/api/2.0/mlflow';

export async function createExperiment(client: HttpClient, name: string): Promise<string> {
  const res = await client.postOk<{ experiment_id: string }>(`${API}/experiments/create`, { name });
  return res.experiment_id;
}

export async function createRun(client: HttpClient, experimentId: string, runName: string): Promise<string> {
  const res = await client.postOk<{ run: { info: { run_id: string } } }>(`${API}/runs/create`, {
    experiment_id: experimentId,
    run_name: runName,
    start_time: Date.now(),
  });
  return res.run.info.run_id;
}

export interface SearchRequest {
  experiment_ids: string[];
  filter: string;
  order_by: string[];
  max_results: number;
}

export interface SearchResponse {
  runs?: { info: { run_id: string } }[];
  next_page_token?: string;
}

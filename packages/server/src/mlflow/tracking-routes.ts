import { invalidArgument, Limits, SystemTag } from '@cairn/core';
import {
  createExperiment,
  createRun,
  deleteExperimentTag,
  deleteRunTag,
  getExperiment,
  getExperimentByName,
  getRun,
  getRunRow,
  loadExperiments,
  loadRuns,
  logBatch,
  logRunInputs,
  parseExperimentId,
  parseRunStatus,
  readHistoryPage,
  readSampledHistory,
  renameExperiment,
  runArtifactRoot,
  searchExperimentIds,
  searchRunIds,
  setExperimentLifecycle,
  setExperimentTag,
  setRunLifecycle,
  updateRun,
} from '@cairn/tracking';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../app.js';
import { requestContext } from './context.js';
import {
  type Fields,
  optInt,
  optObjectList,
  optString,
  optStringList,
  parseKeyValues,
  parseMetric,
  parseViewType,
  reqString,
  wireExperiment,
  wireMetric,
  wireRun,
  wireRunInfo,
} from './wire.js';

type Handler = (fields: Fields, request: FastifyRequest) => Promise<unknown>;

/** The run id of a run-scoped request: clients send `run_id`, older ones `run_uuid`, many both. */
const runIdOf = (f: Fields): string =>
  optString(f, 'run_id') || optString(f, 'run_uuid') || reqString(f, 'run_id');

function maxResults(f: Fields, field: string, fallback: number, limit: number): number {
  const n = optInt(f, field) ?? fallback;
  if (n < 1 || n > limit) {
    throw invalidArgument(
      `Invalid value ${n} for parameter '${field}' supplied: it must be between 1 and ${limit}`,
      {
        field,
      },
    );
  }
  return n;
}

/** MLflow tracking routes, relative to `<prefix>/api/2.0/mlflow`. */
export function trackingRoutes(
  services: Services,
): Record<string, Partial<Record<'GET' | 'POST' | 'PATCH' | 'DELETE', Handler>>> {
  const { store } = services;
  const ctx = requestContext;
  const run = (f: Fields, req: FastifyRequest) => ({ ctx: ctx(req), runId: runIdOf(f) });

  return {
    '/experiments/create': {
      POST: async (f, req) => {
        const id = await createExperiment(store, ctx(req), {
          name: reqString(f, 'name'),
          artifactLocation: optString(f, 'artifact_location') || null,
          tags: parseKeyValues(f, 'tags'),
        });
        return { experiment_id: String(id) };
      },
    },
    '/experiments/get': {
      GET: async (f, req) => ({
        experiment: wireExperiment(await getExperiment(store, ctx(req), parseExperimentId(f.experiment_id))),
      }),
    },
    '/experiments/get-by-name': {
      GET: async (f, req) => ({
        experiment: wireExperiment(
          await getExperimentByName(store, ctx(req), reqString(f, 'experiment_name')),
        ),
      }),
    },
    '/experiments/search': {
      POST: (f, req) => searchExperiments(f, req),
      GET: (f, req) => searchExperiments(f, req),
    },
    '/experiments/delete': {
      POST: async (f, req) => {
        await setExperimentLifecycle(store, ctx(req), parseExperimentId(f.experiment_id), 'deleted');
        return {};
      },
    },
    '/experiments/restore': {
      POST: async (f, req) => {
        await setExperimentLifecycle(store, ctx(req), parseExperimentId(f.experiment_id), 'active');
        return {};
      },
    },
    '/experiments/update': {
      POST: async (f, req) => {
        await renameExperiment(store, ctx(req), parseExperimentId(f.experiment_id), reqString(f, 'new_name'));
        return {};
      },
    },
    '/experiments/set-experiment-tag': {
      POST: async (f, req) => {
        await setExperimentTag(store, ctx(req), parseExperimentId(f.experiment_id), {
          key: reqString(f, 'key'),
          value: optString(f, 'value') ?? '',
        });
        return {};
      },
    },
    '/experiments/delete-experiment-tag': {
      POST: async (f, req) => {
        await deleteExperimentTag(store, ctx(req), parseExperimentId(f.experiment_id), reqString(f, 'key'));
        return {};
      },
    },
    '/runs/create': {
      POST: async (f, req) => {
        const created = await createRun(store, ctx(req), {
          experimentId: parseExperimentId(f.experiment_id ?? '0'),
          userId: optString(f, 'user_id') ?? null,
          runName: optString(f, 'run_name') ?? null,
          startTime: optInt(f, 'start_time') ?? null,
          tags: parseKeyValues(f, 'tags'),
        });
        return { run: wireRun(created) };
      },
    },
    '/runs/update': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        const status = f.status === undefined || f.status === null ? null : parseRunStatus(f.status);
        const updated = await updateRun(store, c, {
          runId,
          status,
          endTime: optInt(f, 'end_time') ?? null,
          runName: optString(f, 'run_name') ?? null,
        });
        return { run_info: wireRunInfo(updated.info) };
      },
    },
    '/runs/delete': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await setRunLifecycle(store, c, runId, 'deleted');
        return {};
      },
    },
    '/runs/restore': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await setRunLifecycle(store, c, runId, 'active');
        return {};
      },
    },
    '/runs/get': {
      GET: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        return { run: wireRun(await getRun(store, c, runId)) };
      },
    },
    '/runs/search': {
      POST: (f, req) => searchRuns(f, req),
      GET: (f, req) => searchRuns(f, req),
    },
    '/runs/log-metric': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await logBatch(store, c, runId, { metrics: [parseMetric(f, '')] });
        return {};
      },
    },
    '/runs/log-parameter': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await logBatch(store, c, runId, {
          params: [{ key: reqString(f, 'key'), value: optString(f, 'value') ?? '' }],
        });
        return {};
      },
    },
    '/runs/set-tag': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await logBatch(store, c, runId, {
          tags: [{ key: reqString(f, 'key'), value: optString(f, 'value') ?? '' }],
        });
        return {};
      },
    },
    '/runs/delete-tag': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await deleteRunTag(store, c, runId, reqString(f, 'key'));
        return {};
      },
    },
    '/runs/log-batch': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await logBatch(store, c, runId, {
          metrics: optObjectList(f, 'metrics').map((m, i) => parseMetric(m, `metrics[${i}]`)),
          params: parseKeyValues(f, 'params'),
          tags: parseKeyValues(f, 'tags'),
        });
        return {};
      },
    },
    '/runs/log-model': {
      // MLflow 2.x clients record each logged model's MLmodel in a run tag; 3.x use logged models.
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        const modelJson = reqString(f, 'model_json');
        try {
          JSON.parse(modelJson);
        } catch {
          throw invalidArgument("Parameter 'model_json' must be a JSON document", { field: 'model_json' });
        }
        const current = await getRun(store, c, runId);
        const history = current.data.tags.find((t) => t.key === SystemTag.logModelHistory)?.value;
        const list = history ? (JSON.parse(history) as unknown[]) : [];
        list.push(JSON.parse(modelJson));
        await logBatch(store, c, runId, {
          tags: [{ key: SystemTag.logModelHistory, value: JSON.stringify(list) }],
        });
        return {};
      },
    },
    '/runs/log-inputs': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        const datasets = optObjectList(f, 'datasets').map((d, i) => {
          const dataset = d.dataset as Fields | undefined;
          if (!dataset || typeof dataset !== 'object') {
            throw invalidArgument(`Missing value for required parameter 'datasets[${i}].dataset'`, {
              field: `datasets[${i}].dataset`,
            });
          }
          reqString(dataset, 'name');
          reqString(dataset, 'digest');
          return { kind: 'dataset' as const, payload: { tags: parseKeyValues(d, 'tags'), dataset } };
        });
        const models = optObjectList(f, 'models').map((m) => ({
          kind: 'model' as const,
          payload: { modelId: reqString(m, 'model_id') },
        }));
        await logRunInputs(store, c, runId, [...datasets, ...models]);
        return {};
      },
    },
    '/runs/outputs': {
      POST: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        const models = optObjectList(f, 'models').map((m) => ({
          kind: 'model_output' as const,
          payload: { modelId: reqString(m, 'model_id'), step: optInt(m, 'step') ?? 0 },
        }));
        await logRunInputs(store, c, runId, models);
        return {};
      },
    },
    '/artifacts/list': {
      GET: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        const row = await getRunRow(store, c, runId);
        const root = runArtifactRoot(Number(row.experiment_id), runId);
        const path = (optString(f, 'path') ?? '').replace(/^\/+|\/+$/g, '');
        const entries = await services.artifacts.list(c.workspaceId, path ? `${root}/${path}` : root);
        return {
          root_uri: row.artifact_uri,
          files: entries.length
            ? entries.map((e) => ({
                path: path ? `${path}/${e.path}` : e.path,
                is_dir: e.isDir,
                file_size: e.isDir ? undefined : e.fileSize,
              }))
            : undefined,
        };
      },
    },
    '/metrics/get-history': {
      GET: async (f, req) => {
        const { ctx: c, runId } = run(f, req);
        await getRunRow(store, c, runId);
        const page = await readHistoryPage(store, runId, reqString(f, 'metric_key'), {
          pageToken: optString(f, 'page_token') ?? null,
          maxResults: maxResults(
            f,
            'max_results',
            Limits.maxMetricHistoryResults,
            Limits.maxMetricHistoryResults,
          ),
        });
        return {
          metrics: page.metrics.length ? page.metrics.map(wireMetric) : undefined,
          next_page_token: page.nextPageToken ?? undefined,
        };
      },
    },
    '/metrics/get-history-bulk-interval': {
      GET: async (f, req) => {
        const c = ctx(req);
        const runIds = optStringList(f, 'run_ids');
        if (runIds.length === 0)
          throw invalidArgument("Missing value for required parameter 'run_ids'", { field: 'run_ids' });
        if (runIds.length > 100) {
          throw invalidArgument(
            `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${runIds.length} run_ids.`,
            {
              field: 'run_ids',
            },
          );
        }
        const key = reqString(f, 'metric_key');
        const limit = maxResults(f, 'max_results', 2500, 2500);
        const startStep = optInt(f, 'start_step') ?? null;
        const endStep = optInt(f, 'end_step') ?? null;
        const metrics: Fields[] = [];
        for (const runId of runIds) {
          await getRunRow(store, c, runId);
          const points = await readSampledHistory(store, runId, key, {
            maxResults: limit,
            startStep,
            endStep,
          });
          for (const p of points) metrics.push({ ...wireMetric(p), run_id: runId });
        }
        return { metrics: metrics.length ? metrics : undefined };
      },
    },
  };

  async function searchExperiments(f: Fields, req: FastifyRequest) {
    const result = await searchExperimentIds(store, {
      workspaceId: req.workspaceId,
      filter: optString(f, 'filter') ?? '',
      viewType: parseViewType(f.view_type, 'view_type'),
      maxResults: maxResults(f, 'max_results', 1000, Limits.maxSearchResults),
      orderBy: optStringList(f, 'order_by'),
      pageToken: optString(f, 'page_token') ?? null,
    });
    const experiments = await loadExperiments(store.db, result.experimentIds);
    return {
      experiments: experiments.length ? experiments.map(wireExperiment) : undefined,
      next_page_token: result.nextPageToken ?? undefined,
    };
  }

  async function searchRuns(f: Fields, req: FastifyRequest) {
    const experimentIds = optStringList(f, 'experiment_ids').map((id, i) =>
      parseExperimentId(id, `experiment_ids[${i}]`),
    );
    const result = await searchRunIds(store, {
      workspaceId: req.workspaceId,
      experimentIds,
      filter: optString(f, 'filter') ?? '',
      viewType: parseViewType(f.run_view_type, 'run_view_type'),
      maxResults: maxResults(f, 'max_results', Limits.defaultSearchResults, Limits.maxSearchResults),
      orderBy: optStringList(f, 'order_by'),
      pageToken: optString(f, 'page_token') ?? null,
    });
    const runs = await loadRuns(store, result.runIds);
    return {
      runs: runs.length ? runs.map(wireRun) : undefined,
      next_page_token: result.nextPageToken ?? undefined,
    };
  }
}

export type MlflowRouteTable = ReturnType<typeof trackingRoutes>;

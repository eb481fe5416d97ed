import {
  createLoggedModel,
  deleteLoggedModel,
  deleteLoggedModelTag,
  finalizeLoggedModel,
  getLoggedModel,
  logLoggedModelParams,
  parseExperimentId,
  searchLoggedModels,
  setLoggedModelTags,
} from '@cairn/tracking';
import type { Services } from '../app.js';
import { requestContext as ctx } from './context.js';
import type { MlflowRouteTable } from './tracking-routes.js';
import { optInt, optString, optStringList, parseKeyValues, reqString, wireLoggedModel } from './wire.js';

/** MLflow 3's logged-model routes, relative to `<prefix>/api/2.0/mlflow`. */
export function loggedModelRoutes({ store }: Services): MlflowRouteTable {
  return {
    '/logged-models': {
      POST: async (f, req) => {
        const model = await createLoggedModel(store, ctx(req), {
          experimentId: parseExperimentId(f.experiment_id),
          name: optString(f, 'name') ?? null,
          modelType: optString(f, 'model_type') ?? null,
          sourceRunId: optString(f, 'source_run_id') ?? null,
          params: parseKeyValues(f, 'params'),
          tags: parseKeyValues(f, 'tags'),
        });
        return { model: wireLoggedModel(model) };
      },
    },
    '/logged-models/search': {
      POST: async (f, req) => {
        const result = await searchLoggedModels(store, ctx(req), {
          experimentIds: optStringList(f, 'experiment_ids').map((id, i) =>
            parseExperimentId(id, `experiment_ids[${i}]`),
          ),
          filter: optString(f, 'filter') ?? null,
          maxResults: optInt(f, 'max_results') ?? null,
          pageToken: optString(f, 'page_token') ?? null,
        });
        return {
          models: result.models.length ? result.models.map(wireLoggedModel) : undefined,
          next_page_token: result.nextPageToken ?? undefined,
        };
      },
    },
    '/logged-models/:model_id': {
      GET: async (f, req) => ({
        model: wireLoggedModel(await getLoggedModel(store, ctx(req), reqString(f, 'model_id'))),
      }),
      PATCH: async (f, req) => ({
        model: wireLoggedModel(
          await finalizeLoggedModel(store, ctx(req), reqString(f, 'model_id'), reqString(f, 'status')),
        ),
      }),
      DELETE: async (f, req) => {
        await deleteLoggedModel(store, ctx(req), reqString(f, 'model_id'));
        return {};
      },
    },
    '/logged-models/:model_id/tags': {
      PATCH: async (f, req) => {
        await setLoggedModelTags(store, ctx(req), reqString(f, 'model_id'), parseKeyValues(f, 'tags'));
        return { model: wireLoggedModel(await getLoggedModel(store, ctx(req), reqString(f, 'model_id'))) };
      },
    },
    '/logged-models/:model_id/tags/:tag_key': {
      DELETE: async (f, req) => {
        await deleteLoggedModelTag(store, ctx(req), reqString(f, 'model_id'), reqString(f, 'tag_key'));
        return {};
      },
    },
    '/logged-models/:model_id/params': {
      POST: async (f, req) => {
        await logLoggedModelParams(store, ctx(req), reqString(f, 'model_id'), parseKeyValues(f, 'params'));
        return {};
      },
    },
  };
}

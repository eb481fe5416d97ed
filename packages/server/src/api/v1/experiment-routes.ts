import { Limits } from '@cairn/core';
import {
  createExperiment,
  deleteExperimentTag,
  getExperiment,
  getExperimentByName,
  loadExperiments,
  renameExperiment,
  searchExperimentIds,
  setExperimentLifecycle,
  setExperimentTag,
} from '@cairn/tracking';
import { z } from 'zod';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import {
  Experiment,
  ExperimentId,
  Message,
  PageToken,
  queryInt,
  RepeatedString,
  StringMap,
  StringPatch,
  ViewTypeParam,
  WorkspaceParam,
} from './schemas.js';
import { wireExperiment } from './wire.js';

const ExperimentParams = z.object({ workspace: WorkspaceParam, experimentId: ExperimentId });
const ExperimentResponse = z.object({ experiment: Experiment });
const MessageBody = z.strictObject({ message: Message }).optional();

export function experimentRoutes(api: NativeApi): void {
  const { app, registry } = api;
  const { store } = api.services;
  const tag = 'experiments';

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/experiments`,
    tag,
    summary: 'List or search experiments',
    description:
      "`filter` uses MLflow's experiment search grammar (`name LIKE 'train%' AND tags.team = 'vision'`); `orderBy` may repeat (`name ASC`, `creation_time DESC`).",
    params: z.object({ workspace: WorkspaceParam }),
    query: z.strictObject({
      filter: z.string().max(10_000).default(''),
      orderBy: RepeatedString,
      viewType: ViewTypeParam,
      maxResults: queryInt(1, Limits.maxSearchResults).default(100),
      pageToken: PageToken,
    }),
    response: z.object({ experiments: z.array(Experiment), nextPageToken: z.string().nullable() }),
    handler: async ({ query, request }) => {
      const page = await searchExperimentIds(store, {
        workspaceId: request.workspaceId,
        filter: query.filter,
        orderBy: query.orderBy,
        viewType: query.viewType,
        maxResults: query.maxResults,
        pageToken: query.pageToken ?? null,
      });
      const experiments = await loadExperiments(store.db, page.experimentIds);
      return { experiments: experiments.map(wireExperiment), nextPageToken: page.nextPageToken };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/experiments`,
    tag,
    summary: 'Create an experiment',
    params: z.object({ workspace: WorkspaceParam }),
    body: z.strictObject({
      name: z.string().min(1).max(Limits.maxExperimentNameLength),
      artifactLocation: z.string().optional(),
      tags: StringMap.optional(),
      message: Message,
    }),
    response: ExperimentResponse,
    status: 201,
    handler: async ({ body, request }) => {
      const ctx = trackingContext(request, body.message);
      const id = await createExperiment(store, ctx, {
        name: body.name,
        artifactLocation: body.artifactLocation ?? null,
        tags: Object.entries(body.tags ?? {}).map(([key, value]) => ({ key, value })),
      });
      return { experiment: wireExperiment(await getExperiment(store, ctx, id)) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/experiments/by-name/:name`,
    tag,
    summary: 'Get an experiment by name',
    params: z.object({ workspace: WorkspaceParam, name: z.string().min(1) }),
    response: ExperimentResponse,
    handler: async ({ params, request }) => ({
      experiment: wireExperiment(await getExperimentByName(store, trackingContext(request), params.name)),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/experiments/:experimentId`,
    tag,
    summary: 'Get an experiment',
    params: ExperimentParams,
    response: ExperimentResponse,
    handler: async ({ params, request }) => ({
      experiment: wireExperiment(await getExperiment(store, trackingContext(request), params.experimentId)),
    }),
  });

  defineRoute(app, registry, {
    method: 'PATCH',
    url: `${WS}/experiments/:experimentId`,
    tag,
    summary: 'Rename an experiment and set or delete its tags',
    description: 'Tags given a string are set; tags given null are deleted.',
    params: ExperimentParams,
    body: z.strictObject({
      name: z.string().min(1).max(Limits.maxExperimentNameLength).optional(),
      tags: StringPatch.optional(),
      message: Message,
    }),
    response: ExperimentResponse,
    handler: async ({ params, body, request }) => {
      const ctx = trackingContext(request, body.message);
      const id = params.experimentId;
      const current = await getExperiment(store, ctx, id);
      if (body.name !== undefined && body.name !== current.name) {
        await renameExperiment(store, ctx, id, body.name);
      }
      for (const [key, value] of Object.entries(body.tags ?? {})) {
        if (value === null) await deleteExperimentTag(store, ctx, id, key);
        else await setExperimentTag(store, ctx, id, { key, value });
      }
      return { experiment: wireExperiment(await getExperiment(store, ctx, id)) };
    },
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: `${WS}/experiments/:experimentId`,
    tag,
    summary: 'Delete an experiment (it can be restored); the reason may come in X-Cairn-Message',
    params: ExperimentParams,
    response: ExperimentResponse,
    handler: async ({ params, request }) => {
      const ctx = trackingContext(request);
      await setExperimentLifecycle(store, ctx, params.experimentId, 'deleted');
      return { experiment: wireExperiment(await getExperiment(store, ctx, params.experimentId)) };
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/experiments/:experimentId/restore`,
    tag,
    summary: 'Restore a deleted experiment',
    params: ExperimentParams,
    body: MessageBody,
    response: ExperimentResponse,
    handler: async ({ params, body, request }) => {
      const ctx = trackingContext(request, body?.message);
      await setExperimentLifecycle(store, ctx, params.experimentId, 'active');
      return { experiment: wireExperiment(await getExperiment(store, ctx, params.experimentId)) };
    },
  });
}

import { invalidArgument } from '@cairn/core';
import { DATASTORE_TYPES, parseDatastoreSpec, parseDatastoreYaml } from '@cairn/data';
import { z } from 'zod';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import { Message, StringMap, WorkspaceParam } from './schemas.js';

const WsParams = z.object({ workspace: WorkspaceParam });
const NameParams = WsParams.extend({ name: z.string().min(1).max(255) });

const DatastoreWire = z
  .object({
    name: z.string(),
    type: z.enum(DATASTORE_TYPES),
    description: z.string(),
    tags: StringMap,
    spec: z.record(z.string(), z.unknown()).describe('The settings, every secret shown as ***'),
    createdBy: z.string(),
    createdAt: z.number(),
  })
  .meta({ id: 'Datastore' });

export function datastoreRoutes(api: NativeApi): void {
  const { app, registry, services } = api;
  const registryOf = services.datastores;
  const tag = 'datastores';

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/datastores`,
    tag,
    summary: 'Register a datastore (local folder, S3-compatible bucket/prefix, or HTTP URL)',
    description:
      'The YAML as text in `yaml` or as JSON in `spec`. The server first checks it answers (UNAVAILABLE naming the endpoint when unreachable, PERMISSION_DENIED when the credentials are refused, NOT_FOUND for a missing bucket or folder); credentials and headers are stored encrypted and never returned.',
    params: WsParams,
    body: z.strictObject({
      yaml: z.string().max(100_000).optional(),
      spec: z.record(z.string(), z.unknown()).optional(),
      file: z.string().max(4096).optional(),
      message: Message,
    }),
    response: z.object({ datastore: DatastoreWire }),
    status: 201,
    handler: async ({ body, request }) => {
      if ((body.yaml === undefined) === (body.spec === undefined)) {
        throw invalidArgument(
          "Send the datastore as YAML text in 'yaml' or as JSON in 'spec' (one of them)",
          {
            field: 'yaml',
          },
        );
      }
      const spec =
        body.yaml !== undefined
          ? parseDatastoreYaml(body.yaml, body.file ?? 'datastore.yml')
          : parseDatastoreSpec(body.spec);
      return { datastore: await registryOf.create(trackingContext(request, body.message), spec) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/datastores`,
    tag,
    summary: 'List datastores',
    params: WsParams,
    response: z.object({ datastores: z.array(DatastoreWire) }),
    handler: async ({ request }) => ({ datastores: await registryOf.list(request.workspaceId) }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/datastores/:name`,
    tag,
    summary: 'One datastore (secrets shown as ***)',
    params: NameParams,
    response: z.object({ datastore: DatastoreWire }),
    handler: async ({ params, request }) => ({
      datastore: await registryOf.get(request.workspaceId, params.name),
    }),
  });

  defineRoute(app, registry, {
    method: 'DELETE',
    url: `${WS}/datastores/:name`,
    tag,
    summary: 'Delete a datastore no data version references',
    params: NameParams,
    body: z.strictObject({ message: Message }).optional(),
    response: z.object({}),
    handler: async ({ params, body, request }) => {
      await registryOf.delete(trackingContext(request, body?.message), params.name);
      return {};
    },
  });
}

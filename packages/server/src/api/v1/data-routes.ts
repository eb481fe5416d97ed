import { notFound } from '@cairn/core';
import { DATA_TYPES, type DataVersion, SAMPLE_DATASETS, sampleDataset } from '@cairn/data';
import { z } from 'zod';
import { sendFile } from '../../http/download.js';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import { Message, StringMap, WorkspaceParam } from './schemas.js';

const WsParams = z.object({ workspace: WorkspaceParam });
const AssetName = z.string().min(1).max(255);
const AssetParams = WsParams.extend({ name: AssetName });
const VersionParams = AssetParams.extend({
  version: z.string().min(1).max(128).describe("A version, or 'latest' for the newest unarchived one"),
});

const Diff = z.object({
  added: z.array(z.string()),
  changed: z.array(z.string()),
  removed: z.array(z.string()),
});
const DiffSummaryWire = z
  .object({ added: z.number().int(), changed: z.number().int(), removed: z.number().int(), sample: Diff })
  .meta({ id: 'DataDiffSummary' });

export const DataVersionWire = z
  .object({
    name: z.string(),
    version: z.string(),
    type: z.enum(DATA_TYPES),
    storage: z.enum(['uploaded', 'referenced']),
    source: z.string().describe('Where the files came from: a datastore URI, a URL, or upload:<path>'),
    manifestId: z.string(),
    fileCount: z.number().int(),
    totalBytes: z.number().int(),
    description: z.string(),
    tags: StringMap,
    diff: DiffSummaryWire.nullable().describe('Against the previous version'),
    archived: z.boolean(),
    createdBy: z.string(),
    createdAt: z.number(),
  })
  .meta({ id: 'DataVersion' });

const DataAssetWire = z
  .object({
    name: z.string(),
    description: z.string(),
    tags: StringMap,
    archived: z.boolean(),
    latestVersion: z.string().nullable(),
    versionCount: z.number().int(),
    refresh: z
      .object({ source: z.string(), intervalSeconds: z.number().int(), nextRefreshAt: z.number().nullable() })
      .nullable(),
    createdBy: z.string(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .meta({ id: 'DataAsset' });

const LineageLinkWire = z.object({
  runId: z.string(),
  jobName: z.string().nullable(),
  port: z.string().describe("The job's input or output name"),
  name: z.string(),
  version: z.string(),
  at: z.number(),
});

const DataFileWire = z.object({ path: z.string(), size: z.number().int(), sha256: z.string() });

const wireVersion = (v: DataVersion) => ({ ...v, diff: v.diff as z.input<typeof DiffSummaryWire> | null });

export function dataRoutes(api: NativeApi): void {
  const { app, registry, services } = api;
  const data = services.data;
  const tag = 'data';

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/data`,
    tag,
    summary: 'Register a data asset version',
    description:
      "Either `path`, a datastore URI (`azureml://datastores/<name>/paths/<path>` or `cairn://…`) or an http(s) URL, referenced in place: the server lists and hashes it and pins a manifest of every file's size and sha256 (plus mtime/inode or ETag, so later reads notice changed bytes); or `manifestId`, files the client uploaded (`blobs/missing`, `PUT blobs/{sha256}`) named in a data manifest it uploaded too. `version` defaults to the next whole number; an existing version is ALREADY_EXISTS. `refreshIntervalSeconds` makes a referenced asset watch its source.",
    params: WsParams,
    body: z.strictObject({
      name: AssetName,
      version: z.string().min(1).max(128).optional(),
      type: z.enum(DATA_TYPES).default('uri_folder'),
      description: z.string().max(5000).optional(),
      tags: StringMap.optional(),
      path: z.string().min(1).max(4096).optional(),
      manifestId: z.string().optional(),
      uploadedFrom: z.string().max(4096).optional(),
      refreshIntervalSeconds: z.number().int().optional(),
      message: Message,
    }),
    response: z.object({ version: DataVersionWire }),
    status: 201,
    handler: async ({ body, request }) => ({
      version: wireVersion(await data.createVersion(trackingContext(request, body.message), body)),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data`,
    tag,
    summary: 'List data assets, most recently changed first',
    params: WsParams,
    query: z.object({ includeArchived: z.stringbool().default(false) }),
    response: z.object({ assets: z.array(DataAssetWire) }),
    handler: async ({ query, request }) => ({
      assets: await data.listAssets(request.workspaceId, query.includeArchived),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name`,
    tag,
    summary: 'One data asset',
    params: AssetParams,
    response: z.object({ asset: DataAssetWire }),
    handler: async ({ params, request }) => ({
      asset: await data.getAsset(request.workspaceId, params.name),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions`,
    tag,
    summary: "An asset's versions, newest first",
    params: AssetParams,
    query: z.object({ includeArchived: z.stringbool().default(false) }),
    response: z.object({ versions: z.array(DataVersionWire) }),
    handler: async ({ params, query, request }) => ({
      versions: (await data.listVersions(request.workspaceId, params.name, query.includeArchived)).map(
        wireVersion,
      ),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions/:version`,
    tag,
    summary: "One version ('latest' for the newest)",
    params: VersionParams,
    response: z.object({ version: DataVersionWire }),
    handler: async ({ params, request }) => ({
      version: wireVersion(await data.getVersion(request.workspaceId, params.name, params.version)),
    }),
  });

  for (const archived of [true, false]) {
    defineRoute(app, registry, {
      method: 'POST',
      url: `${WS}/data/:name/${archived ? 'archive' : 'restore'}`,
      tag,
      summary: archived
        ? 'Archive a version, or the whole asset (hidden from lists and @latest; still readable by version)'
        : 'Restore an archived version or asset',
      params: AssetParams,
      body: z.strictObject({ version: z.string().min(1).max(128).optional(), message: Message }),
      response: z.object({}),
      handler: async ({ params, body, request }) => {
        await data.setArchived(
          trackingContext(request, body.message),
          params.name,
          body.version ?? null,
          archived,
        );
        return {};
      },
    });
  }

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions/:version/files`,
    tag,
    summary: "A version's files (its manifest), sorted by path",
    description:
      '`prefix` keeps the paths under a folder; pages of at most `maxResults` follow `after` (a path).',
    params: VersionParams,
    query: z.object({
      prefix: z.string().max(4096).optional(),
      after: z.string().max(4096).optional(),
      maxResults: z.coerce.number().int().min(1).max(100_000).default(10_000),
    }),
    response: z.object({ files: z.array(DataFileWire), next: z.string().nullable() }),
    handler: async ({ params, query, request }) => {
      const version = await data.getVersion(request.workspaceId, params.name, params.version);
      const manifest = await data.manifest(version);
      const prefix = query.prefix ? `${query.prefix.replace(/\/+$/, '')}/` : '';
      const matching = manifest.entries.filter(
        (e) => e.path.startsWith(prefix) && (query.after === undefined || e.path > query.after),
      );
      const page = matching.slice(0, query.maxResults);
      return {
        files: page.map((e) => ({ path: e.path, size: e.size, sha256: e.sha256 })),
        next: matching.length > page.length ? (page.at(-1)?.path ?? null) : null,
      };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions/:version/files/content`,
    tag,
    summary: 'Download one file of a version (streamed, byte ranges)',
    description:
      'A referenced version whose source file changed since registration is CONFLICT (never served stale or new bytes under the old version); bytes are checked against the recorded sha256 as they stream.',
    params: VersionParams,
    query: z.object({ path: z.string().min(1).max(4096) }),
    response: { mediaType: 'application/octet-stream', description: 'The file' },
    extraResponses: { 206: 'The requested byte range' },
    handler: async ({ params, query, request, reply }) => {
      const version = await data.getVersion(request.workspaceId, params.name, params.version);
      const manifest = await data.manifest(version);
      const entry = manifest.entries.find((e) => e.path === query.path);
      if (!entry) {
        throw notFound(`${version.name}:${version.version} has no file '${query.path}'`, { field: 'path' });
      }
      return sendFile(request, reply, {
        path: entry.path,
        size: entry.size,
        sha256: entry.sha256,
        open: (range) => data.openFile(request.workspaceId, version, entry, range),
      });
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions/:version/check`,
    tag,
    summary: "What changed at a referenced version's source since it was registered",
    description: 'Judged by size and mtime/inode (local) or ETag (S3, HTTP); empty lists mean unchanged.',
    params: VersionParams,
    response: z.object({ unchanged: z.boolean(), changes: Diff }),
    handler: async ({ params, request }) => {
      const version = await data.getVersion(request.workspaceId, params.name, params.version);
      const changes = await data.sourceChanges(request.workspaceId, version);
      const unchanged = changes.added.length + changes.changed.length + changes.removed.length === 0;
      return { unchanged, changes };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/diff`,
    tag,
    summary: 'The files added, changed and removed between two versions',
    params: AssetParams,
    query: z.object({ from: z.string().min(1).max(128), to: z.string().min(1).max(128) }),
    response: Diff,
    handler: async ({ params, query, request }) =>
      data.diff(request.workspaceId, params.name, query.from, query.to),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/data/:name/refresh`,
    tag,
    summary: 'Look at the source now; register a new version if files were added, changed or removed',
    description:
      'Only files whose size and mtime/inode or ETag changed are read. `version` is null when nothing changed.',
    params: AssetParams,
    body: z.strictObject({ message: Message }).default({}),
    response: z.object({ version: DataVersionWire.nullable(), diff: DiffSummaryWire }),
    handler: async ({ params, body, request }) => {
      const result = await data.refresh(trackingContext(request, body.message), params.name);
      return { version: result.version && wireVersion(result.version), diff: result.diff };
    },
  });

  defineRoute(app, registry, {
    method: 'PUT',
    url: `${WS}/data/:name/refresh`,
    tag,
    summary: 'Set (or with null, stop) how often the asset looks at its source for changes',
    params: AssetParams,
    body: z.strictObject({ intervalSeconds: z.number().int().nullable(), message: Message }),
    response: z.object({ asset: DataAssetWire }),
    handler: async ({ params, body, request }) => ({
      asset: await data.setRefresh(trackingContext(request, body.message), params.name, body.intervalSeconds),
    }),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions/:version/lineage`,
    tag,
    summary: 'The runs that consumed and produced a version',
    params: VersionParams,
    response: z.object({ consumedBy: z.array(LineageLinkWire), producedBy: z.array(LineageLinkWire) }),
    handler: async ({ params, request }) => {
      const version = await data.getVersion(request.workspaceId, params.name, params.version);
      return data.lineageOfVersion(request.workspaceId, version.name, version.version);
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/runs/:runId/data`,
    tag,
    summary: "A run's input and output data versions",
    params: WsParams.extend({ runId: z.string().min(1).max(64) }),
    response: z.object({ inputs: z.array(LineageLinkWire), outputs: z.array(LineageLinkWire) }),
    handler: async ({ params, request }) => data.lineageOfRun(request.workspaceId, params.runId),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data-events`,
    tag,
    summary: 'New data versions, oldest first, after an event id (what pipeline triggers poll)',
    params: WsParams,
    query: z.object({
      after: z.coerce.number().int().min(0).default(0),
      maxResults: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    response: z.object({
      events: z.array(
        z.object({
          id: z.number().int(),
          name: z.string(),
          version: z.string(),
          cause: z.enum(['register', 'refresh', 'job_output']),
          diff: z.object({ added: z.number(), changed: z.number(), removed: z.number() }).nullable(),
          at: z.number(),
        }),
      ),
    }),
    handler: async ({ query, request }) => ({
      events: (await data.events(request.workspaceId, query.after, query.maxResults)).map(
        ({ workspaceId: _, ...e }) => e,
      ),
    }),
  });
}

/** Preview, profile and the built-in sample datasets. */
export function dataTableRoutes(api: NativeApi): void {
  const { app, registry, services } = api;
  const data = services.data;
  const tag = 'data';
  const PathQuery = z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe('One file or folder of the version (default: the whole version)');

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions/:version/preview`,
    tag,
    summary:
      'First rows and schema of tabular data (CSV/TSV, Parquet, JSON lines, MLTable), read with DuckDB',
    description: 'Data that is not tabular is INVALID_ARGUMENT saying which formats are.',
    params: VersionParams,
    query: z.object({ rows: z.coerce.number().int().min(1).max(10_000).default(100), path: PathQuery }),
    response: z.record(z.string(), z.unknown()),
    handler: async ({ params, query, request }) => {
      const version = await data.getVersion(request.workspaceId, params.name, params.version);
      return { ...(await data.preview(request.workspaceId, version, query)) };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data/:name/versions/:version/profile`,
    tag,
    summary: 'Per-column statistics of tabular data (count, nulls, distinct, min/max/mean, histogram)',
    description: 'Computed with DuckDB over at most the first 1,000,000 rows, once per version (cached).',
    params: VersionParams,
    query: z.object({ path: PathQuery }),
    response: z.record(z.string(), z.unknown()),
    handler: async ({ params, query, request }) => {
      const version = await data.getVersion(request.workspaceId, params.name, params.version);
      return { ...(await data.profile(request.workspaceId, version, query)) };
    },
  });

  const SampleWire = z.object({
    name: z.string(),
    description: z.string(),
    type: z.enum(DATA_TYPES),
    licence: z.string(),
    source: z.string(),
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/data-samples`,
    tag,
    summary: 'The built-in sample datasets (classic tables and a small image set)',
    params: WsParams,
    response: z.object({ samples: z.array(SampleWire) }),
    handler: async () => ({
      samples: SAMPLE_DATASETS.map(({ name, description, type, licence, source }) => ({
        name,
        description,
        type,
        licence,
        source,
      })),
    }),
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/data-samples/:sample`,
    tag,
    summary: 'Register a sample dataset as a data asset (under its own name unless `name` is given)',
    params: WsParams.extend({ sample: z.string().min(1).max(100) }),
    body: z.strictObject({ name: AssetName.optional(), message: Message }).default({}),
    response: z.object({ version: DataVersionWire }),
    status: 201,
    handler: async ({ params, body, request }) => {
      const sample = sampleDataset(params.sample);
      const version = await data.registerLocalPath(trackingContext(request, body.message), {
        name: body.name ?? sample.name,
        type: sample.type,
        description: sample.description,
        tags: { ...sample.tags, licence: sample.licence, source: sample.source },
        localPath: sample.path,
        uploadedFrom: `sample:${sample.name}`,
      });
      return { version: wireVersion(version) };
    },
  });
}

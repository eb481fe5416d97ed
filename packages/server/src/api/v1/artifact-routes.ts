import { posix } from 'node:path';
import { CairnError, ErrorCode, invalidArgument } from '@cairn/core';
import { getRunRow, runArtifactRoot, validateArtifactPath } from '@cairn/tracking';
import { z } from 'zod';
import { uploadStream } from '../../http/upload-stream.js';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, trackingContext, WS } from './native-api.js';
import { RunParams } from './run-routes.js';
import { ArtifactEntry, ArtifactFile } from './schemas.js';

const OCTETS = 'application/octet-stream';

export function artifactRoutes(api: NativeApi): void {
  const { app, registry, artifacts } = api;
  const { store } = api.services;
  const tag = 'artifacts';

  /** The run's artifact root in the workspace's path space, after checking the run is there. */
  const runRoot = async (request: Parameters<typeof trackingContext>[0], runId: string) => {
    const row = await getRunRow(store, trackingContext(request), runId);
    return runArtifactRoot(Number(row.experiment_id), row.id);
  };

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/runs/:runId/artifacts`,
    tag,
    summary: "List a folder of a run's artifacts (the root by default)",
    params: RunParams,
    query: z.strictObject({
      path: z.string().max(4096).default('').describe('Folder, relative to the run root'),
    }),
    response: z.object({ path: z.string(), files: z.array(ArtifactEntry) }),
    handler: async ({ params, query, request }) => {
      const dir = validateArtifactPath(query.path, { folder: true, allowRoot: true });
      const root = await runRoot(request, params.runId);
      const entries = await artifacts.list(request.workspaceId, dir === '' ? root : `${root}/${dir}`);
      return {
        path: dir,
        files: entries.map((e) => ({ ...e, path: dir === '' ? e.path : `${dir}/${e.path}` })),
      };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/runs/:runId/artifacts/content`,
    tag,
    summary: 'Download an artifact file (streamed; supports a single byte Range)',
    description:
      'Sends Content-Length, Accept-Ranges and an ETag (the sha256 of the bytes). `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` answer 206 with Content-Range; a range outside the file is INVALID_ARGUMENT.',
    params: RunParams,
    query: z.strictObject({ path: z.string().min(1).max(4096).describe('File, relative to the run root') }),
    response: { mediaType: OCTETS, description: 'The file, or the requested range of it' },
    extraResponses: { 206: 'The requested byte range' },
    handler: async ({ params, query, request, reply }) => {
      const path = validateArtifactPath(query.path);
      const full = `${await runRoot(request, params.runId)}/${path}`;
      const file = await artifacts.stat(request.workspaceId, full);
      if (!file) throw notFoundArtifact(path);
      const range = parseRange(request.headers.range, file.size);
      const opened = await artifacts.open(request.workspaceId, full, range ?? undefined);
      void reply
        .header('Content-Type', OCTETS)
        .header('Accept-Ranges', 'bytes')
        .header('ETag', `"${file.sha256}"`)
        .header(
          'Content-Disposition',
          `attachment; filename="${posix.basename(path).replace(/["\\]/g, '_')}"`,
        );
      if (range) {
        void reply
          .status(206)
          .header('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`)
          .header('Content-Length', range.end - range.start + 1);
      } else {
        void reply.status(200).header('Content-Length', file.size);
      }
      return reply.send(opened.stream);
    },
  });

  defineRoute(app, registry, {
    method: 'PUT',
    url: `${WS}/runs/:runId/artifacts/content`,
    tag,
    summary: 'Upload an artifact file (streamed; replaces a file at the same path)',
    params: RunParams,
    query: z.strictObject({ path: z.string().min(1).max(4096).describe('File, relative to the run root') }),
    body: { mediaType: OCTETS, description: 'The bytes of the file' },
    response: z.object({ file: ArtifactFile }),
    status: 201,
    handler: async ({ params, query, body, request }) => {
      const path = validateArtifactPath(query.path);
      const root = await runRoot(request, params.runId);
      const stored = await artifacts.put(request.workspaceId, `${root}/${path}`, uploadStream(body));
      return { file: { ...stored, path } };
    },
  });
}

const notFoundArtifact = (path: string) =>
  new CairnError(ErrorCode.NOT_FOUND, `Artifact '${path}' does not exist in this run`, { field: 'path' });

/** One `bytes=` range, resolved against the file size (inclusive bounds); null for no Range header. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  if (header === undefined || header === '') return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const bad = (why: string) =>
    invalidArgument(`Invalid Range header '${header}': ${why}; send one range such as bytes=0-1023`, {
      field: 'range',
    });
  if (!m || (m[1] === '' && m[2] === ''))
    throw bad('expected bytes=start-end, bytes=start- or bytes=-length');
  if (m[1] === '') {
    const length = Number(m[2]);
    if (length === 0) throw bad('a suffix range must ask for at least one byte');
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) throw bad(`it starts at byte ${start} but the file has ${size} bytes`);
  if (end < start) throw bad('its end is before its start');
  return { start, end };
}

import { notFound } from '@cairn/core';
import { isSymlinkEntry, readManifest, snapshotTar } from '@cairn/jobs';
import { z } from 'zod';
import { sendFile } from '../../http/download.js';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, WS } from './native-api.js';
import { WorkspaceParam } from './schemas.js';

const JobParams = z.object({
  workspace: WorkspaceParam,
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'must be a job name such as quiet_heron_4x7k'),
});

/**
 * A job's code snapshot as one tar: what `CAIRN_SNAPSHOT_URL` points remote launchers at (Slurm nodes
 * without the server's disk fetch it with curl and the job's own token, then `tar -x`).
 */
const SnapshotEntryWire = z
  .object({
    path: z.string(),
    size: z.number().nullable().describe('Null for symbolic links'),
    sha256: z.string().nullable(),
    executable: z.boolean(),
    symlink: z.string().nullable().describe('The link target, for symbolic links'),
  })
  .meta({ id: 'SnapshotEntry' });

export function snapshotRoutes(api: NativeApi): void {
  const { app, registry, services } = api;

  const snapshotOf = async (workspaceId: string, name: string) => {
    const job = await services.jobs.getJob(workspaceId, name);
    if (job.snapshotId === null) {
      throw notFound(`Job '${name}' has no code snapshot: its spec names no 'code' folder`, {
        field: 'name',
      });
    }
    return job.snapshotId;
  };

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs/:name/snapshot`,
    tag: 'jobs',
    summary: "List the files of a job's code snapshot",
    description:
      'Every file of the snapshot with its size, sha256 and executable bit, sorted by path; `prefix` keeps only the paths under a folder.',
    params: JobParams,
    query: z.object({ prefix: z.string().max(4096).optional() }),
    response: z.object({ snapshotId: z.string(), files: z.array(SnapshotEntryWire) }),
    handler: async ({ params, query, request }) => {
      const snapshotId = await snapshotOf(request.workspaceId, params.name);
      const manifest = await readManifest(services.blobs, snapshotId);
      const prefix = query.prefix ? `${query.prefix.replace(/\/+$/, '')}/` : '';
      const files = manifest.entries
        .filter((e) => e.path.startsWith(prefix))
        .map((e) =>
          isSymlinkEntry(e)
            ? { path: e.path, size: null, sha256: null, executable: false, symlink: e.symlink }
            : {
                path: e.path,
                size: e.size,
                sha256: e.sha256,
                executable: (e.mode & 0o111) !== 0,
                symlink: null,
              },
        );
      return { snapshotId, files };
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs/:name/snapshot/file`,
    tag: 'jobs',
    summary: "Download one file of a job's code snapshot",
    description:
      'Streams the file at `path` with Content-Length, an ETag (its sha256) and byte-range support.',
    params: JobParams,
    query: z.object({ path: z.string().min(1).max(4096) }),
    response: { mediaType: 'application/octet-stream', description: 'The file' },
    handler: async ({ params, query, request, reply }) => {
      const snapshotId = await snapshotOf(request.workspaceId, params.name);
      const manifest = await readManifest(services.blobs, snapshotId);
      const entry = manifest.entries.find((e) => e.path === query.path);
      if (!entry || isSymlinkEntry(entry)) {
        throw notFound(`The snapshot of job '${params.name}' has no file '${query.path}'`, { field: 'path' });
      }
      return sendFile(request, reply, {
        path: entry.path,
        size: entry.size,
        sha256: entry.sha256,
        open: (range) => services.blobs.get(entry.sha256, range),
      });
    },
  });

  defineRoute(app, registry, {
    method: 'GET',
    url: `${WS}/jobs/:name/snapshot.tar`,
    tag: 'jobs',
    summary: "Download a job's code snapshot as a tar archive (streamed)",
    description:
      "The files of the job's `code` folder as it was submitted, with their modes, in a POSIX tar. Sends Content-Length and an ETag (the snapshot id). Readable with the job's own token (`CAIRN_TOKEN`). NOT_FOUND when the job has no `code`.",
    params: JobParams,
    response: { mediaType: 'application/x-tar', description: 'The snapshot as a tar archive' },
    handler: async ({ params, request, reply }) => {
      const job = await services.jobs.getJob(request.workspaceId, params.name);
      if (job.snapshotId === null) {
        throw notFound(`Job '${params.name}' has no code snapshot: its spec names no 'code' folder`, {
          field: 'name',
        });
      }
      const tar = await snapshotTar(services.blobs, job.snapshotId);
      void reply
        .status(200)
        .header('Content-Type', 'application/x-tar')
        .header('Content-Length', tar.bytes)
        .header('ETag', `"${job.snapshotId}"`)
        .header('Content-Disposition', `attachment; filename="${params.name}-snapshot.tar"`);
      return reply.send(tar.stream);
    },
  });
}

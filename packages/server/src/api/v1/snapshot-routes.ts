import { notFound } from '@cairn/core';
import { snapshotTar } from '@cairn/jobs';
import { z } from 'zod';
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
export function snapshotRoutes(api: NativeApi): void {
  const { app, registry, services } = api;

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

import { Readable } from 'node:stream';
import { invalidArgument } from '@cairn/core';
import { missingWorkspaceBlobs, type PutResult, recordWorkspaceBlobs, SHA256_PATTERN } from '@cairn/store';
import tar from 'tar-stream';
import { z } from 'zod';
import { uploadStream } from '../../http/upload-stream.js';
import { defineRoute } from '../../openapi/index.js';
import { type NativeApi, WS } from './native-api.js';
import { WorkspaceParam } from './schemas.js';

const Sha256 = z.string().regex(SHA256_PATTERN, 'must be a sha256 in lowercase hex (64 characters)');
export const MAX_MISSING_QUERY = 10_000;
/** Batch entries being written at once (their fsyncs overlap). */
const BATCH_WRITES_IN_FLIGHT = 16;
/** Entries up to this size are read into memory and written concurrently; bigger ones stream. */
const BATCH_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Content-addressed upload, the way a remote CLI sends a code folder or a data folder: it hashes the
 * files itself, asks which contents the workspace lacks, uploads only those (each verified against its
 * sha256), then names them in a manifest (a job's `snapshotId`, a data version's `manifestId`). A
 * workspace can only name blobs it uploaded, so knowing a hash is not a way into another workspace's
 * data. Uploading a blob is not audited by itself: the job or data version that names it is.
 */
export function blobRoutes(api: NativeApi): void {
  const { app, registry, services } = api;

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/blobs/missing`,
    tag: 'uploads',
    summary: 'Which of these contents the workspace lacks (before uploading a folder)',
    description: `At most ${MAX_MISSING_QUERY} sha256s per call. Answers the ones to upload, in the order given.`,
    params: z.object({ workspace: WorkspaceParam }),
    body: z.strictObject({ sha256: z.array(Sha256).max(MAX_MISSING_QUERY) }),
    response: z.object({ missing: z.array(z.string()) }),
    handler: async ({ body, request }) => ({
      missing: await missingWorkspaceBlobs(services.store.db, request.workspaceId, body.sha256),
    }),
  });

  defineRoute(app, registry, {
    method: 'PUT',
    url: `${WS}/blobs/:sha256`,
    tag: 'uploads',
    summary: 'Upload one content, named by its sha256 (streamed, verified)',
    description:
      'Send the bytes with Content-Type: application/octet-stream. The server hashes them as they arrive; bytes whose sha256 is not the one in the path are refused (INVALID_ARGUMENT) and not recorded. Idempotent.',
    params: z.object({ workspace: WorkspaceParam, sha256: Sha256 }),
    body: { mediaType: 'application/octet-stream', description: 'The content' },
    response: z.object({ sha256: z.string(), size: z.number().int(), created: z.boolean() }),
    handler: async ({ params, body, request }) => {
      const stored = await services.blobs.put(uploadStream(body));
      if (stored.sha256 !== params.sha256) {
        throw invalidArgument(
          `The uploaded bytes hash to ${stored.sha256}, not ${params.sha256}: the file changed while it was uploaded, or the client hashed it wrongly; hash it again and retry`,
          { field: 'sha256' },
        );
      }
      await recordWorkspaceBlobs(services.store.db, request.workspaceId, [stored]);
      return stored;
    },
  });

  defineRoute(app, registry, {
    method: 'POST',
    url: `${WS}/blobs/batch`,
    tag: 'uploads',
    summary: 'Upload many small contents in one request: a tar whose entries are named by their sha256',
    description:
      'Send Content-Type: application/x-tar. Each entry is stored as it streams and checked against its name; an entry whose bytes hash to something else ends the request with INVALID_ARGUMENT naming it (the entries before it are kept). Saves a round trip per file when a folder of many small files is uploaded.',
    params: z.object({ workspace: WorkspaceParam }),
    body: { mediaType: 'application/x-tar', description: 'Entries named <sha256>' },
    response: z.object({
      stored: z.array(z.object({ sha256: z.string(), size: z.number().int(), created: z.boolean() })),
    }),
    handler: async ({ body, request }) => {
      const extract = tar.extract();
      const input = uploadStream(body);
      input.on('error', (err) => extract.destroy(err));
      input.pipe(extract);
      // Entries arrive one after another; each is read into memory (batches carry small files) and
      // stored while the next arrives, a few at a time, so their writes and fsyncs overlap.
      const stored: Array<PutResult | undefined> = [];
      const inFlight = new Set<Promise<void>>();
      let failure: unknown = null;
      const store = (index: number, name: string, bytes: Buffer) => {
        const task = services.blobs
          .put(Readable.from([bytes]))
          .then((put) => {
            if (put.sha256 !== name) {
              throw invalidArgument(
                `Batch entry ${name} hashes to ${put.sha256}: the file changed while it was uploaded; hash it again and retry`,
                { field: 'body' },
              );
            }
            stored[index] = put;
          })
          .catch((err: unknown) => {
            failure ??= err;
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      };
      try {
        let index = 0;
        for await (const entry of extract) {
          const name = entry.header.name;
          if (!SHA256_PATTERN.test(name)) {
            entry.resume();
            throw invalidArgument(
              `Batch entry '${name}' is not named by a sha256 (64 lowercase hex digits)`,
              {
                field: 'body',
              },
            );
          }
          if ((entry.header.size ?? 0) > BATCH_BUFFER_BYTES) {
            // A big entry streams straight into the store instead of memory.
            const put = await services.blobs.put(entry as unknown as AsyncIterable<Uint8Array>);
            if (put.sha256 !== name) {
              throw invalidArgument(`Batch entry ${name} hashes to ${put.sha256}: hash it again and retry`, {
                field: 'body',
              });
            }
            stored[index++] = put;
            continue;
          }
          const chunks: Buffer[] = [];
          for await (const chunk of entry as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
          store(index++, name, Buffer.concat(chunks));
          while (inFlight.size >= BATCH_WRITES_IN_FLIGHT) await Promise.race(inFlight);
          if (failure) throw failure;
        }
        await Promise.all(inFlight);
        if (failure) throw failure;
      } finally {
        await Promise.allSettled(inFlight);
        await recordWorkspaceBlobs(
          services.store.db,
          request.workspaceId,
          stored.filter((p): p is PutResult => p !== undefined),
        );
        input.unpipe(extract);
        input.resume();
      }
      return { stored: stored as PutResult[] };
    },
  });
}

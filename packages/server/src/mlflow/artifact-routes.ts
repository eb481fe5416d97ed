import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { CairnError, ErrorCode, invalidArgument, notFound } from '@cairn/core';
import { insertAuditEvent, type MetadataStore } from '@cairn/store';
import type { ArtifactRepository } from '@cairn/tracking';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendFile } from '../http/download.js';
import { requestContext } from './context.js';
import { type Fields, optObjectList, optString, reqInt, reqString, requestFields } from './wire.js';

const wildcard = (req: FastifyRequest): string => (req.params as { '*': string })['*'] ?? '';

/** The URL a client reaches this server at, with the workspace prefix of the request if any. */
function baseUrlOf(req: FastifyRequest): string {
  const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? req.protocol;
  const host = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host;
  const prefix = /^\/workspaces\/[^/]+/.exec(req.url)?.[0] ?? '';
  return `${proto}://${host}${prefix}`;
}

const joinPath = (dir: string, name: string) => (dir ? `${dir.replace(/\/+$/, '')}/${name}` : name);

/**
 * MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/...`): upload, download, list and delete files by
 * path, and multipart upload whose part URLs point back at this server. Registered in its own plugin
 * context so request bodies of any content type reach the handlers as raw streams.
 */
export function artifactProxyRoutes(
  services: { artifacts: ArtifactRepository; store: MetadataStore },
  prefix: string,
) {
  const { artifacts, store } = services;
  /** Artifact changes are mutations like any other: each is recorded in the audit log once it is stored. */
  const audit = (req: FastifyRequest, action: string, path: string, details?: Record<string, unknown>) => {
    const c = requestContext(req);
    return insertAuditEvent(store.db, {
      workspaceId: c.workspaceId,
      actor: c.actor,
      action,
      targetKind: 'artifact',
      targetId: path,
      message: c.message ?? null,
      details: details ?? null,
    });
  };
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    const base = `${prefix}/api/2.0/mlflow-artifacts`;
    const bodyJson = async (req: FastifyRequest): Promise<Fields> => {
      if (req.body !== undefined && !isStream(req.body)) return requestFields(req);
      const stream = bodyStream(req);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        if (size > 1_000_000) {
          throw new CairnError(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body is too large (over 1 MB)', {
            field: 'body',
          });
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try {
        parsed = text.trim() ? JSON.parse(text) : {};
      } catch {
        throw invalidArgument('Malformed JSON in request body', { field: 'body' });
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw invalidArgument('Request body must be a JSON object', { field: 'body' });
      }
      return parsed as Fields;
    };

    app.get(`${base}/artifacts`, async (req) => {
      const dir = optString(req.query as Fields, 'path') ?? '';
      const entries = await artifacts.list(req.workspaceId, dir);
      return {
        files: entries.length
          ? entries.map((e) =>
              e.isDir
                ? { path: e.path, is_dir: true }
                : { path: e.path, is_dir: false, file_size: e.fileSize },
            )
          : undefined,
      };
    });

    app.get(`${base}/artifacts/*`, async (req, reply) => {
      const path = wildcard(req);
      const file = await artifacts.stat(req.workspaceId, path);
      if (!file) throw notFound(`No such artifact: '${path}'`, { field: 'path' });
      return sendFile(req, reply, {
        ...file,
        open: async (range) => (await artifacts.open(req.workspaceId, path, range)).stream,
      });
    });

    app.put(`${base}/artifacts/*`, async (req, reply) => {
      const file = await artifacts.put(req.workspaceId, wildcard(req), bodyStream(req));
      await audit(req, 'artifact.put', file.path, { size: file.size, sha256: file.sha256 });
      return reply.status(200).header('X-Content-Type-Options', 'nosniff').send();
    });

    app.delete(`${base}/artifacts/*`, async (req) => {
      const removed = await artifacts.delete(req.workspaceId, wildcard(req));
      if (removed === 0) throw notFound(`No such artifact: '${wildcard(req)}'`, { field: 'path' });
      await audit(req, 'artifact.delete', wildcard(req), { files: removed });
      return {};
    });

    app.post(`${base}/mpu/create/*`, async (req) => {
      const f = await bodyJson(req);
      const path = joinPath(wildcard(req), basename(reqString(f, 'path')));
      const numParts = reqInt(f, 'num_parts');
      const uploadId = await artifacts.createMultipart(req.workspaceId, path, numParts);
      const url = baseUrlOf(req);
      return {
        upload_id: uploadId,
        credentials: Array.from({ length: numParts }, (_, i) => ({
          url: `${url}/api/2.0/mlflow-artifacts/mpu/part/${uploadId}/${i + 1}`,
          part_number: i + 1,
          headers: {},
        })),
      };
    });

    app.put(`${base}/mpu/part/:uploadId/:partNumber`, async (req, reply) => {
      const { uploadId, partNumber } = req.params as { uploadId: string; partNumber: string };
      const upload = await artifacts.getMultipart(uploadId);
      if (upload.workspaceId !== req.workspaceId)
        throw notFound(`Multipart upload '${uploadId}' does not exist`);
      const n = Number(partNumber);
      const etag = await artifacts.putPart(uploadId, n, bodyStream(req));
      return reply.header('ETag', `"${etag}"`).send({ part_number: n, etag });
    });

    app.post(`${base}/mpu/complete/*`, async (req) => {
      const f = await bodyJson(req);
      const uploadId = reqString(f, 'upload_id');
      const upload = await artifacts.getMultipart(uploadId);
      if (upload.workspaceId !== req.workspaceId)
        throw notFound(`Multipart upload '${uploadId}' does not exist`);
      const parts = optObjectList(f, 'parts').map((p) => ({
        partNumber: reqInt(p, 'part_number'),
        etag: reqString(p, 'etag'),
      }));
      const file = await artifacts.completeMultipart(uploadId, parts);
      await audit(req, 'artifact.put', file.path, {
        size: file.size,
        sha256: file.sha256,
        parts: parts.length,
      });
      return {};
    });

    app.post(`${base}/mpu/abort/*`, async (req) => {
      const f = await bodyJson(req);
      const uploadId = reqString(f, 'upload_id');
      const upload = await artifacts.getMultipart(uploadId);
      if (upload.workspaceId !== req.workspaceId)
        throw notFound(`Multipart upload '${uploadId}' does not exist`);
      await artifacts.abortMultipart(uploadId);
      return {};
    });
  };
}

/** The request body as a stream; a request without a body is an empty file. */
function bodyStream(req: FastifyRequest): Readable {
  return isStream(req.body) ? req.body : req.raw;
}

const isStream = (v: unknown): v is Readable => typeof (v as Readable | undefined)?.pipe === 'function';

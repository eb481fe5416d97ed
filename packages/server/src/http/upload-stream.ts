import { Readable } from 'node:stream';
import { CairnError, ErrorCode } from '@cairn/core';

/** The upload's bytes: the raw request stream (any content type but JSON, which Fastify has parsed). */
export function uploadStream(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (typeof body === 'string' || body instanceof Uint8Array) return Readable.from([Buffer.from(body)]);
  if (body === undefined || body === null) return Readable.from([]);
  throw new CairnError(
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    'Send the file bytes with Content-Type: application/octet-stream, not as JSON',
    { field: 'body' },
  );
}

import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { contentTypeFor } from './content-type.js';

export interface Downloadable {
  path: string;
  size: number;
  sha256: string;
  open(range?: { start: number; end?: number }): Promise<Readable>;
}

/**
 * Streams a stored file with the headers MLflow's artifact proxy sends (content type from the name,
 * attachment disposition, nosniff), an ETag (its sha256) and single-range support.
 */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, file: Downloadable) {
  const name = file.path.split('/').pop() ?? 'file';
  void reply
    .header('Content-Type', contentTypeFor(file.path))
    .header('Content-Disposition', `attachment; filename=${encodeURIComponent(name)}`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Accept-Ranges', 'bytes')
    .header('ETag', `"${file.sha256}"`);
  const range = parseRange(request.headers.range, file.size);
  if (range === 'unsatisfiable') {
    return reply.status(416).header('Content-Range', `bytes */${file.size}`).send();
  }
  if (range) {
    void reply
      .status(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`)
      .header('Content-Length', range.end - range.start + 1);
    return reply.send(await file.open(range));
  }
  void reply.header('Content-Length', file.size);
  return reply.send(file.size === 0 ? '' : await file.open());
}

function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

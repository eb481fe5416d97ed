import type { Readable } from 'node:stream';
import { CairnError, ErrorCode, invalidArgument, notFound } from '@cairn/core';
import { type BlobStore, SHA256_PATTERN } from '@cairn/store';
import { parseManifest, type SnapshotManifest } from './manifest.js';

/** Reads and checks the manifest of snapshot `id` (the sha256 of its manifest blob). */
export async function readManifest(blobs: BlobStore, id: string): Promise<SnapshotManifest> {
  if (!SHA256_PATTERN.test(id)) {
    throw invalidArgument(`'${id}' is not a snapshot id; a snapshot id is a 64-character lowercase sha256`, {
      field: 'snapshot',
    });
  }
  let stream: Readable;
  try {
    stream = await blobs.get(id);
  } catch (err) {
    if (err instanceof CairnError && err.code === ErrorCode.NOT_FOUND) {
      throw notFound(`Snapshot ${id} does not exist in this store`, { field: 'snapshot' });
    }
    throw err;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return parseManifest(Buffer.concat(chunks).toString('utf8'), id);
}

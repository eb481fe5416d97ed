import type { BlobStore } from '@cairn/store';

/**
 * Default number of files in flight. An S3 put is several round trips (upload, copy to its address,
 * delete), so many small files need many requests in flight to keep the link busy; a local store is
 * bound by the disk and the thread pool.
 */
export const defaultConcurrency = (blobs: BlobStore): number => (blobs.kind === 's3' ? 32 : 8);

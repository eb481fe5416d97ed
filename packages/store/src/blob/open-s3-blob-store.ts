import type { S3BlobStore } from './s3-blob-store.js';

/**
 * Opens an S3 blob store, loading the AWS SDK only then: a server on the embedded defaults never pays
 * for it at start-up.
 */
export async function openS3BlobStore(...args: Parameters<typeof S3BlobStore.fromUri>): Promise<S3BlobStore> {
  const { S3BlobStore: Store } = await import('./s3-blob-store.js');
  return Store.fromUri(...args);
}

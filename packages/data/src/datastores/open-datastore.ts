import { type DatastoreOptions, resolveDatastoreOptions } from './datastore-adapter.js';
import { type DatastoreSecrets, withDatastoreSecrets } from './datastore-secrets.js';
import type { DatastoreSpec } from './datastore-spec.js';
import { HttpDatastore } from './http/http-datastore.js';
import { LocalDatastore } from './local/local-datastore.js';
import type { S3Datastore } from './s3/s3-datastore.js';

/** An open datastore; `type` tells which (a local one also has `localPath`). */
export type Datastore = LocalDatastore | S3Datastore | HttpDatastore;

/**
 * Opens the adapter for `spec`, with `secrets` (as `splitDatastoreSecrets` set them apart) put back.
 * Opening touches nothing remote: call `check()` to find out whether the datastore answers. The AWS SDK
 * is loaded only for an S3 datastore. Close the adapter when done.
 */
export async function openDatastore(
  spec: DatastoreSpec,
  secrets?: DatastoreSecrets | null,
  options: DatastoreOptions = {},
): Promise<Datastore> {
  const full = withDatastoreSecrets(spec, secrets);
  const resolved = resolveDatastoreOptions(options);
  switch (full.type) {
    case 'local':
      return new LocalDatastore(full);
    case 'http':
      return new HttpDatastore(full, resolved);
    case 's3': {
      const { S3Datastore: Adapter } = await import('./s3/s3-datastore.js');
      return new Adapter(full, resolved);
    }
  }
}

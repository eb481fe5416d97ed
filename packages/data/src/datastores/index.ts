export * from './data-uri.js';
export * from './datastore-adapter.js';
export { joinDatastorePath, normaliseDatastorePath } from './datastore-path.js';
export * from './datastore-secrets.js';
export * from './datastore-spec.js';
export { HttpDatastore } from './http/http-datastore.js';
export { LocalDatastore } from './local/local-datastore.js';
export { type Datastore, openDatastore } from './open-datastore.js';
export type { S3Datastore } from './s3/s3-datastore.js';

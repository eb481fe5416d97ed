export * from './audit/audit-writer.js';
export * from './blob/blob-store.js';
export * from './blob/local-blob-store.js';
export * from './blob/open-s3-blob-store.js';
export type * from './blob/s3-blob-store.js';
export * from './blob/workspace-blobs.js';
export * from './metadata/metadata-store.js';
export type * from './metadata/schema.js';
export * from './metadata/unique-violation.js';

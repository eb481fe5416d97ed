// Public API of @cairn/fileset: content-addressed file sets shared by code snapshots and data assets.
export * from './blob-sink.js';
export * from './hash-cache.js';
export * from './hash-files.js';
export * from './hash-folder.js';
export * from './hash-pool.js';
export * from './ignore-rules.js';
export * from './manifest.js';
export * from './map-limit.js';
export * from './progress.js';
export * from './upload-file-set.js';
export * from './walk-folder.js';

export { ALWAYS_SKIPPED, IGNORE_FILES, IgnoreRules } from '@cairn/fileset';
export * from './create-snapshot.js';
export * from './manifest.js';
export * from './materialize-snapshot.js';
export * from './read-manifest.js';
export * from './snapshot-tar.js';

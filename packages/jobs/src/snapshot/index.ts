export * from './create-snapshot.js';
export * from './ignore-rules.js';
export * from './manifest.js';
export * from './materialize-snapshot.js';
export * from './read-manifest.js';
export * from './snapshot-tar.js';

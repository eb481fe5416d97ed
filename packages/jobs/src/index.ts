// Public API of @cairn/jobs; each folder adds its export line.
export * from './compute/index.js';
export * from './compute/local/index.js';
export * from './environments/index.js';
export * from './jobs/index.js';
export * from './launcher/index.js';
export * from './scheduler/index.js';
export * from './snapshot/index.js';
export * from './spec/index.js';
export * from './sweep/index.js';
export * from './sweep-controller/index.js';

// Public API of @cairn/jobs; each folder adds its export line.
export * from './snapshot/index.js';
export * from './spec/index.js';
export * from './sweep/index.js';

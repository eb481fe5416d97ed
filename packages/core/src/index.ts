export * from './errors.js';
export * from './identity.js';
export * from './limits.js';
export * from './search/index.js';
export * from './spec/index.js';
export * from './tracking.js';

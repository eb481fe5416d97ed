export * from './data-records.js';
export * from './data-service.js';
export * from './data-spec.js';
export * from './source.js';
export * from './source-scan.js';

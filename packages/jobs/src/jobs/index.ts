export * from './compute-targets.js';
export * from './environments.js';
export * from './job-bus.js';
export * from './job-data.js';
export * from './job-names.js';
export * from './job-records.js';
export * from './job-service.js';
export * from './job-status.js';

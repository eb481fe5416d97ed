export * from './gpu-detect.js';
export * from './local-compute.js';
export * from './slot-pool.js';

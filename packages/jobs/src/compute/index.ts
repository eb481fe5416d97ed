export * from './compute-adapter.js';
export * from './ray/index.js';
export * from './slurm/index.js';

export * from './compute-adapter.js';
export * from './slurm/index.js';

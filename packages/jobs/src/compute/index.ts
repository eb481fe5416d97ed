export * from './compute-adapter.js';

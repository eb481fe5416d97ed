export * from './ray-compute-adapter.js';
export * from './ray-state.js';
export * from './snapshot-zip.js';
export { ZipWriter } from './zip-writer.js';

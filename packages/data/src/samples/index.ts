export * from './sample-datasets.js';

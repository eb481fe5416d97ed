export * from './artifacts/artifact-repository.js';
export * from './context.js';
export * from './experiments.js';
export * from './ids.js';
export * from './logged-models.js';
export * from './metric-reader.js';
export { planMetricWrites, sqliteMetricStatements } from './metric-writer.js';
export * from './runs.js';
export * from './search/index.js';

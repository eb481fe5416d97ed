export * from './experiment-filter.js';
export * from './filter-ast.js';
export * from './like-pattern.js';
export { parseRunFilter, parseRunOrderBy } from './run-filter.js';

export * from './define-route.js';
export * from './openapi-registry.js';
export * from './validate.js';

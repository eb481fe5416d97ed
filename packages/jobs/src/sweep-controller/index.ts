export * from './sweep-controller.js';
export * from './sweep-state.js';
export * from './trial-jobs.js';

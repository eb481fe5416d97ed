export * from './job-outputs.js';
export * from './log-recorder.js';
export * from './scheduler.js';

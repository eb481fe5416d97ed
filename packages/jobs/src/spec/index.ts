export {
  closestName,
  didYouMean,
  formatDuration,
  parseDuration,
  parseSlurmTime,
  type SourcePosition,
  type SpecIssue,
  type SpecLocator,
  specError,
  validateWith,
  YamlSource,
} from '@cairn/core';
export * from './asset-ref.js';
export * from './command-job.js';
export * from './compute.js';
export * from './environment.js';
export * from './job-common.js';
export * from './job-io.js';
export * from './job-spec.js';
export * from './placeholders.js';
export * from './shell-quote.js';
export * from './sweep-job.js';

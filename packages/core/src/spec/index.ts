export * from './did-you-mean.js';
export * from './duration.js';
export * from './issue-messages.js';
export * from './yaml-source.js';

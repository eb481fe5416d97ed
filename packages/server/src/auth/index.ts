export * from './credentials.js';
export * from './register-auth.js';
export * from './workspace-path.js';

export * from './api-token.js';
export * from './effective-role.js';
export * from './identity-service.js';
export * from './names.js';
export * from './password-hash.js';
export type * from './rows.js';

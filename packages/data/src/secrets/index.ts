export { SECRET_KEY_BYTES, SecretBox, type SecretFailure } from './secret-box.js';
export {
  type LoadedSecretKey,
  loadOrCreateSecretKey,
  parseSecretKey,
  resolveSecretKey,
} from './secret-key.js';

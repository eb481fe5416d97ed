import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { CairnError, ErrorCode, invalidArgument } from '@cairn/core';

/** AES-256-GCM: a 32-byte key, a 96-bit nonce drawn fresh for every value, a 128-bit tag. */
export const SECRET_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

export type SecretFailure = 'malformed' | 'wrong_key' | 'tampered';

/**
 * Encrypts small JSON values (datastore credentials) for storage in the metadata database.
 *
 * The stored text is `v1:<key id>:<nonce>:<ciphertext + tag>` (base64 parts). The key id, the first
 * 8 hex digits of the key's sha256, is there only so that a value sealed under another key says so
 * instead of failing as "tampered"; it is also bound into the tag as associated data.
 */
export class SecretBox {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== SECRET_KEY_BYTES) {
      throw invalidArgument(
        `A secret key must be ${SECRET_KEY_BYTES} bytes, got ${key.length}: generate one with \`openssl rand -base64 32\``,
      );
    }
    this.#key = Buffer.from(key);
    this.keyId = createHash('sha256').update(this.#key).digest('hex').slice(0, 8);
  }

  /** Seals `value` (anything JSON can hold); each call gives a different text for the same value. */
  encrypt(value: unknown): string {
    const json = JSON.stringify(value);
    if (json === undefined) throw invalidArgument('Cannot encrypt undefined: pass a JSON value');
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.#aad(this.keyId));
    const sealed = Buffer.concat([cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}:${this.keyId}:${nonce.toString('base64')}:${sealed.toString('base64')}`;
  }

  /** Opens a value `encrypt` sealed. A malformed or altered text, or another key, throws INTERNAL. */
  decrypt<T = unknown>(text: string): T {
    const parts = text.split(':');
    const [format, keyId, nonceText, sealedText] = parts;
    if (parts.length !== 4 || format !== FORMAT || !/^[0-9a-f]{8}$/.test(keyId ?? '')) {
      throw secretError(
        'malformed',
        `A stored secret is not in the ${FORMAT}:<key id>:<nonce>:<ciphertext> form: it was not written by this version of Cairn, or it was cut short`,
      );
    }
    if (keyId !== this.keyId) {
      throw secretError(
        'wrong_key',
        `A stored secret was encrypted with key ${keyId}, but this server's secret key is ${this.keyId}: the key changed since it was written. Restore the previous key (the secret key setting, or the key file under the data directory), or enter the credentials again`,
      );
    }
    const nonce = Buffer.from(nonceText!, 'base64');
    const sealed = Buffer.from(sealedText!, 'base64');
    if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) {
      throw secretError('malformed', 'A stored secret has a nonce or ciphertext of the wrong length');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(this.#aad(keyId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let json: string;
    try {
      json = Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (err) {
      throw secretError(
        'tampered',
        'A stored secret failed its integrity check: it was altered after it was written. Enter the credentials again',
        err,
      );
    }
    return JSON.parse(json) as T;
  }

  #aad(keyId: string): Buffer {
    return Buffer.from(`cairn-secret:${FORMAT}:${keyId}`, 'utf8');
  }
}

function secretError(reason: SecretFailure, message: string, cause?: unknown): CairnError {
  return new CairnError(ErrorCode.INTERNAL, message, { reason }, cause === undefined ? undefined : { cause });
}

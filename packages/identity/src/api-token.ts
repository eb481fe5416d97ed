import { createHash, randomBytes } from 'node:crypto';

/** Every secret starts with this, so leaked tokens are easy to recognise (and to scan for). */
export const TOKEN_PREFIX = 'cairn_';

/** A fresh secret: `cairn_` + 32 random bytes base64url. Shown to the user once, never stored. */
export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * What is stored and looked up: the hex sha256 of the secret. A fast hash is enough (unlike passwords)
 * because the secret has 256 bits of entropy, and it lets a request be authenticated by one indexed
 * lookup.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Cheap shape check before touching the database: prefix plus 43 base64url characters. */
export const looksLikeTokenSecret = (secret: string): boolean => /^cairn_[A-Za-z0-9_-]{43}$/.test(secret);

import { describe, expect, it } from 'vitest';
import { generateTokenSecret, hashTokenSecret, looksLikeTokenSecret } from './api-token.js';

describe('API token secrets', () => {
  it('are cairn_ plus 32 random bytes, and recognisable', () => {
    const a = generateTokenSecret();
    const b = generateTokenSecret();
    expect(a).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(looksLikeTokenSecret(a)).toBe(true);
    expect(looksLikeTokenSecret('cairn_short')).toBe(false);
    expect(looksLikeTokenSecret(`x${a}`)).toBe(false);
  });

  it('are stored as their sha256 only', () => {
    const secret = generateTokenSecret();
    const hash = hashTokenSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashTokenSecret(secret));
    expect(hash).not.toContain(secret.slice(6, 20));
  });
});

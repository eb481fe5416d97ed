import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.js';

// Low cost keeps the unit tests fast; the format and comparison are what is under test.
const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery', FAST);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same-password', FAST),
      hashPassword('same-password', FAST),
    ]);
    expect(a).not.toBe(b);
  });

  it('reads the cost from the stored hash, so old hashes keep working', async () => {
    const hash = await hashPassword('pw-12345678', { N: 2048, r: 4, p: 2 });
    expect(await verifyPassword('pw-12345678', hash)).toBe(true);
  });

  it('treats unicode passwords in either normal form alike', async () => {
    const hash = await hashPassword('caf\u00e9-secret', FAST);
    expect(await verifyPassword('cafe\u0301-secret', hash)).toBe(true);
  });

  it('never verifies a malformed or absurd hash', async () => {
    for (const bad of [
      '',
      'plain',
      'bcrypt$10$x$y',
      'scrypt$1000$8$1$c2FsdA$aGFzaA', // N not a power of two
      'scrypt$1073741824$8$1$c2FsdA$aGFzaA', // N far too large
      'scrypt$1024$8$1$$aGFzaA',
    ]) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
  });
});

import { randomBytes } from 'node:crypto';
import { CairnError, ErrorCode } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

const newBox = () => new SecretBox(randomBytes(32));

function failure(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    return err as CairnError;
  }
  throw new Error('expected a CairnError');
}

/** Flips one bit of the base64 part at `index` (2: nonce, 3: ciphertext and tag). */
function flipBit(text: string, index: number, byte = 0): string {
  const parts = text.split(':');
  const bytes = Buffer.from(parts[index]!, 'base64');
  bytes[byte] = bytes[byte]! ^ 1;
  parts[index] = bytes.toString('base64');
  return parts.join(':');
}

describe('SecretBox', () => {
  it('round-trips a JSON value', () => {
    const box = newBox();
    const value = { access_key_id: 'AKIA123', secret_access_key: 's3cr3t/+=', nested: [1, null, 'é'] };
    expect(box.decrypt(box.encrypt(value))).toEqual(value);
  });

  it('writes a versioned text that shows no plaintext and differs on every call', () => {
    const box = newBox();
    const a = box.encrypt({ secret: 'hunter2' });
    const b = box.encrypt({ secret: 'hunter2' });
    expect(a).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a.split(':')[1]).toBe(box.keyId);
    expect(a).not.toContain('hunter2');
    expect(Buffer.from(a.split(':')[3]!, 'base64').toString('latin1')).not.toContain('hunter2');
    expect(a).not.toBe(b);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
  });

  it('refuses an altered ciphertext, tag or nonce', () => {
    const box = newBox();
    const sealed = box.encrypt({ secret: 'value' });
    const tagStart = Buffer.from(sealed.split(':')[3]!, 'base64').length - 16;
    for (const tampered of [flipBit(sealed, 3, 0), flipBit(sealed, 3, tagStart), flipBit(sealed, 2)]) {
      const err = failure(() => box.decrypt(tampered));
      expect(err.code).toBe(ErrorCode.INTERNAL);
      expect(err.details.reason).toBe('tampered');
      expect(err.message).toMatch(/altered/);
    }
  });

  it('says a value was sealed under another key', () => {
    const sealed = newBox().encrypt({ secret: 'value' });
    const other = newBox();
    const err = failure(() => other.decrypt(sealed));
    expect(err.details.reason).toBe('wrong_key');
    expect(err.message).toContain(sealed.split(':')[1]);
    expect(err.message).toContain(other.keyId);
  });

  it('refuses a forged key id under another key (the id is bound into the tag)', () => {
    const sealed = newBox().encrypt({ secret: 'value' });
    const other = newBox();
    const forged = sealed.split(':');
    forged[1] = other.keyId;
    expect(failure(() => other.decrypt(forged.join(':'))).details.reason).toBe('tampered');
  });

  it('refuses malformed texts', () => {
    const box = newBox();
    for (const text of ['', 'plain', 'v2:00000000:AAAA:AAAA', `v1:${box.keyId}:AAAA:AAAA`, 'v1:xyz:a:b']) {
      expect(failure(() => box.decrypt(text)).details.reason).toBe('malformed');
    }
  });

  it('refuses a key of the wrong length', () => {
    const err = failure(() => new SecretBox(randomBytes(16)));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(err.message).toMatch(/32 bytes, got 16/);
  });
});

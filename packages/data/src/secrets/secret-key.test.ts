import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, ErrorCode } from '@cairn/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';
import { loadOrCreateSecretKey, parseSecretKey, resolveSecretKey } from './secret-key.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-secret-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateSecretKey', () => {
  it('creates a 0600 key file in a new 0700 folder once, then reads the same key', async () => {
    const path = join(dir, 'data', 'secret.key');
    const first = await loadOrCreateSecretKey(path);
    expect(first.created).toBe(true);
    expect(first.key.length).toBe(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'data'))).toEqual(['secret.key']);

    const second = await loadOrCreateSecretKey(path);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    // A value sealed before a restart opens after it.
    const sealed = new SecretBox(first.key).encrypt({ k: 1 });
    expect(new SecretBox(second.key).decrypt(sealed)).toEqual({ k: 1 });
  });

  it('gives concurrent callers one key', async () => {
    const path = join(dir, 'secret.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSecretKey(path)));
    expect(keys.filter((k) => k.created)).toHaveLength(1);
    expect(new Set(keys.map((k) => k.key.toString('hex'))).size).toBe(1);
    expect(await readdir(dir)).toEqual(['secret.key']);
  });

  it('refuses a key file that holds no valid key, naming the file', async () => {
    const path = join(dir, 'secret.key');
    await writeFile(path, 'not a key\n');
    const err = await loadOrCreateSecretKey(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((err as CairnError).message).toContain(path);
    expect(await readFile(path, 'utf8')).toBe('not a key\n');
  });
});

describe('parseSecretKey / resolveSecretKey', () => {
  it('reads a base64 key and names the source of a bad one', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(` ${key.toString('base64')}\n`, 'CAIRN_SECRET_KEY').equals(key)).toBe(true);
    expect(() => parseSecretKey(randomBytes(16).toString('base64'), 'CAIRN_SECRET_KEY')).toThrow(
      /CAIRN_SECRET_KEY is not a 32-byte key in base64 \(it decodes to 16 bytes\)/,
    );
    expect(() => parseSecretKey('***', 'CAIRN_SECRET_KEY')).toThrow(/CAIRN_SECRET_KEY/);
  });

  it('prefers the configured key and falls back to the key file', async () => {
    const key = randomBytes(32);
    const keyFile = join(dir, 'secret.key');
    const given = await resolveSecretKey({ base64: key.toString('base64'), source: 'X', keyFile });
    expect(given).toEqual({ key, created: false });
    expect(await readdir(dir)).toEqual([]);
    const generated = await resolveSecretKey({ base64: null, source: 'X', keyFile });
    expect(generated.created).toBe(true);
  });
});

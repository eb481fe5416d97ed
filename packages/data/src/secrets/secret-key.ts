import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalidArgument } from '@cairn/core';
import { SECRET_KEY_BYTES } from './secret-box.js';

export interface LoadedSecretKey {
  key: Buffer;
  /** True when this call generated the key file (the server should say where, so it is backed up). */
  created: boolean;
}

/**
 * Reads a key written as base64 (`openssl rand -base64 32`). `source` names where it came from (an
 * environment variable, a file) in the error.
 */
export function parseSecretKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== SECRET_KEY_BYTES) {
    throw invalidArgument(
      `${source} is not a ${SECRET_KEY_BYTES}-byte key in base64 (it decodes to ${key.length} bytes): generate one with \`openssl rand -base64 32\``,
      { field: source },
    );
  }
  return key;
}

/**
 * The key in the file at `path`, or a new random key written there first (mode 0600, in a folder
 * created 0700). Two servers starting at once agree on one key: the new file is written aside and
 * hard-linked into place, which fails for the second, which then reads the first one's key.
 */
export async function loadOrCreateSecretKey(path: string): Promise<LoadedSecretKey> {
  const existing = await readKeyFile(path);
  if (existing !== undefined) return { key: existing, created: false };

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(SECRET_KEY_BYTES);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${key.toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = await readKeyFile(path);
    if (raced !== undefined) return { key: raced, created: false };
    throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncFolder(dirname(path));
  return { key, created: true };
}

/** The key from the setting when given (base64), else the key file's (created on first use). */
export async function resolveSecretKey(options: {
  base64: string | null | undefined;
  /** Named in the error when `base64` is not a valid key, e.g. the environment variable. */
  source: string;
  keyFile: string;
}): Promise<LoadedSecretKey> {
  if (options.base64 !== null && options.base64 !== undefined && options.base64 !== '') {
    return { key: parseSecretKey(options.base64, options.source), created: false };
  }
  return loadOrCreateSecretKey(options.keyFile);
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalidArgument(
      `Cannot read the secret key file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): check its owner and permissions`,
    );
  }
  return parseSecretKey(text, `The secret key file ${path}`);
}

/** Makes the new directory entry durable, so a crash cannot lose a key that already sealed secrets. */
async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

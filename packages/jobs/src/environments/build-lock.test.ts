import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { breakIfStale, lockHolder, lockOwner, STALE_MS, tryLock } from './build-lock.js';

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-env-lock-'));
  lock = join(dir, 'abc.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
const deadPid = (): number => Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());

describe('build lock', () => {
  it('lets one holder in and names it', async () => {
    const held = await tryLock(lock);
    expect(held).not.toBeNull();
    expect(await tryLock(lock)).toBeNull();
    expect(await lockHolder(lock)).toBe(lockOwner());
    expect(await breakIfStale(lock)).toBe(false);
    await held?.release();
    expect(await lockHolder(lock)).toBeNull();
    expect(await tryLock(lock)).not.toBeNull();
  });

  it('breaks a lock whose holder on this host is dead', async () => {
    await writeFile(lock, `${hostname()} ${deadPid()}\n`);
    expect(await breakIfStale(lock)).toBe(true);
    expect(await lockHolder(lock)).toBeNull();
  });

  it('keeps a lock held on another host until its heartbeat is older than STALE_MS', async () => {
    await writeFile(lock, 'some-other-node 12345\n');
    expect(await breakIfStale(lock)).toBe(false);
    const old = new Date(Date.now() - STALE_MS - 5_000);
    await utimes(lock, old, old);
    expect(await breakIfStale(lock)).toBe(true);
  });
});

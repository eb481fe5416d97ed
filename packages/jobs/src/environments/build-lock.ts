import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';

/**
 * The lock one builder of an environment holds: `<cacheDir>/<hash>.lock`, created with O_EXCL and
 * holding `<host> <pid>`. materialize-env.sh follows the same rules, so Node and shell builders on one
 * shared cache exclude each other.
 *
 * A holder touches the file every HEARTBEAT_MS. A lock is stale when its holder is gone: on the same
 * host its pid is not alive, on any host its mtime is older than STALE_MS.
 */
export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 60_000;

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

export const lockOwner = (): string => `${hostname()} ${process.pid}`;

/** Takes the lock, or returns null when someone else holds it. */
export async function tryLock(path: string): Promise<HeldLock | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  }
  try {
    await handle.writeFile(`${lockOwner()}\n`);
  } finally {
    await handle.close();
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    path,
    release: async () => {
      clearInterval(heartbeat);
      await unlink(path).catch(() => {});
    },
  };
}

/** Who holds the lock, or null when it is free. */
export async function lockHolder(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Removes the lock if its holder is gone; true when it did (or the lock was already free). The lock
 * is first renamed aside, so two waiters breaking it at once do not remove a fresh lock between them;
 * a fresh lock taken by mistake is linked back.
 */
export async function breakIfStale(path: string, now = Date.now()): Promise<boolean> {
  const holder = await lockHolder(path);
  if (holder === null) return true;
  const info = await stat(path).catch(() => null);
  if (info === null) return true;
  if (!isStale(holder, now - info.mtimeMs)) return false;
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  const taken = (await readFile(aside, 'utf8').catch(() => '')).trim();
  if (taken !== holder) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
  return taken === holder;
}

function isStale(holder: string, ageMs: number): boolean {
  if (ageMs > STALE_MS) return true;
  const [host, pidText] = holder.split(' ');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

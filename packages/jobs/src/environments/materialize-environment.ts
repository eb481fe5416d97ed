import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CairnError, ErrorCode, invalidArgument } from '@cairn/core';
import type { EnvironmentLaunch } from '../compute/compute-adapter.js';
import { breakIfStale, lockHolder, tryLock } from './build-lock.js';
import { choosePython } from './find-python.js';
import type { NormalizedEnvironment } from './normalize-environment.js';
import { runLogged } from './run-logged.js';

/** Written last into `<cacheDir>/<hash>/`: a folder without it is a build that did not finish. */
export const READY_MARKER = '.cairn-ready';
/**
 * The POSIX shell version for nodes without Node.js (Slurm, Ray), with the same cache layout and lock:
 * `materialize-env.sh <cache-dir> <hash> <python> <requirements-file>`; its last stdout line is the bin dir.
 */
export const MATERIALIZE_ENV_SCRIPT = fileURLToPath(new URL('./materialize-env.sh', import.meta.url));
/** The requirements the virtualenv was built from, kept beside it. */
export const REQUIREMENTS_FILE = 'cairn-requirements.txt';

/** An `EnvironmentLaunch`, with the warnings and build context of a `NormalizedEnvironment` when known. */
export type EnvironmentToMaterialize = EnvironmentLaunch &
  Partial<Pick<NormalizedEnvironment, 'warnings' | 'buildContext'>>;

export interface MaterializeEnvironmentOptions {
  /** Holds one folder per environment hash, plus `<hash>.lock` while one is being built. */
  cacheDir: string;
  /** The interpreter to create the virtualenv with; default `python<version>` from PATH, else `python3`. */
  python?: string;
  /** The job's build log, one line at a time (pip's own output included). */
  log: (line: string) => void;
  signal?: AbortSignal;
  /** The job's PATH; the returned `env.PATH` puts the virtualenv's bin before it. */
  path?: string;
  /** How often a job waiting for another's build of the same environment looks again; default 200 ms. */
  pollMs?: number;
}

export interface MaterializedEnvironment {
  /** `<cacheDir>/<hash>`. */
  dir: string;
  pythonPath: string;
  binDir: string;
  /** `VIRTUAL_ENV` and `PATH` for the job's process. */
  env: Record<string, string>;
  /** True when this call built nothing (the environment was ready, or another job built it meanwhile). */
  cached: boolean;
  durationMs: number;
}

/**
 * Makes the environment's virtualenv exist in the cache and returns how to run in it. A ready one is
 * reused at once; otherwise one caller builds it under `<hash>.lock` while the others wait. A build
 * that failed or crashed leaves no ready marker, and the next caller builds it again from scratch.
 */
export async function materializeEnvironment(
  launch: EnvironmentToMaterialize,
  options: MaterializeEnvironmentOptions,
): Promise<MaterializedEnvironment> {
  const started = performance.now();
  if (!/^[0-9a-f]{64}$/.test(launch.hash)) {
    throw invalidArgument(`environment hash "${launch.hash}" is not a sha256; use normalizeEnvironment`, {
      field: 'hash',
    });
  }
  const { log } = options;
  const dir = join(options.cacheDir, launch.hash);
  const ready = join(dir, READY_MARKER);
  const lockPath = join(options.cacheDir, `${launch.hash}.lock`);
  const done = (cached: boolean): MaterializedEnvironment => {
    const durationMs = performance.now() - started;
    log(
      `cairn: environment ${short(launch.hash)} ready in ${formatMs(durationMs)}${cached ? ' (cached)' : ''}`,
    );
    return result(dir, cached, durationMs, options.path);
  };

  announce(launch, log);
  assertBuildable(launch);
  if (await exists(ready)) return done(true);
  await mkdir(options.cacheDir, { recursive: true });
  let waiting = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const lock = await tryLock(lockPath);
    if (lock !== null) {
      try {
        if (await exists(ready)) return done(true);
        await build(launch, dir, options);
        return done(false);
      } finally {
        await lock.release();
      }
    }
    if (await exists(ready)) return done(true);
    const holder = await lockHolder(lockPath);
    if (await breakIfStale(lockPath)) {
      if (holder !== null)
        log(`cairn: the build of ${short(launch.hash)} by ${holder} is gone; building it here`);
      continue;
    }
    if (!waiting) {
      log(
        `cairn: waiting for ${holder ?? 'another job'} to finish building environment ${short(launch.hash)}`,
      );
      waiting = true;
    }
    await sleep(options.pollMs ?? 200, undefined, { signal: options.signal });
  }
}

/** What the build log says before anything is built: the image and build context cannot be used here. */
function announce(launch: EnvironmentToMaterialize, log: (line: string) => void): void {
  const noSource = launch.pip.length === 0 && launch.pythonVersion === null;
  if (launch.image !== null) {
    log(
      `cairn: warning: image ${launch.image} cannot be used on this compute (no container runtime); ${noSource ? 'the environment has nothing else to build' : 'building a virtualenv from its Python requirements instead'}`,
    );
  }
  for (const warning of launch.warnings ?? []) log(`cairn: warning: ${warning}`);
}

/** An environment with only an image or a build context has nothing a virtualenv can be built from. */
function assertBuildable(launch: EnvironmentToMaterialize): void {
  const noSource = launch.pip.length === 0 && launch.pythonVersion === null;
  if (noSource && (launch.image !== null || (launch.buildContext ?? null) !== null)) {
    throw invalidArgument(
      `environment ${short(launch.hash)} has only ${launch.image !== null ? `an image (${launch.image})` : 'a Docker build context'}, which this compute cannot run (no container runtime); add a conda_file or pip list to build a virtualenv, or run on compute with containers`,
      { field: 'environment' },
    );
  }
}

async function build(
  launch: EnvironmentToMaterialize,
  dir: string,
  options: MaterializeEnvironmentOptions,
): Promise<void> {
  const { log, signal } = options;
  if (await exists(dir)) {
    log(`cairn: ${dir} holds an unfinished build (no ${READY_MARKER}); removing it and building again`);
    await rm(dir, { recursive: true, force: true });
  }
  try {
    const python = await choosePython(launch.pythonVersion, options.python, (w) =>
      log(`cairn: warning: ${w}`),
    );
    log(`cairn: creating virtualenv ${dir} with ${python.command} (Python ${python.version})`);
    const venv = await runLogged(python.command, ['-m', 'venv', dir], { log, signal });
    if (venv.exitCode !== 0) {
      throw new CairnError(
        ErrorCode.UNAVAILABLE,
        `${python.command} -m venv failed (exit ${venv.exitCode ?? venv.signal}): ${venv.outputTail.slice(-10).join('\n')}\n(on Debian, install python3-venv)`,
      );
    }
    const requirements = join(dir, REQUIREMENTS_FILE);
    await writeFile(requirements, launch.pip.map((line) => `${line}\n`).join(''));
    if (launch.pip.length > 0) await pipInstall(launch, dir, requirements, options);
    const marker = JSON.stringify({
      hash: launch.hash,
      python: python.version,
      pip: launch.pip,
      builtAt: new Date().toISOString(),
      builtBy: 'cairn',
    });
    await writeFile(join(dir, `${READY_MARKER}.tmp`), `${marker}\n`);
    await rename(join(dir, `${READY_MARKER}.tmp`), join(dir, READY_MARKER));
  } catch (err) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

async function pipInstall(
  launch: EnvironmentToMaterialize,
  dir: string,
  requirements: string,
  options: MaterializeEnvironmentOptions,
): Promise<void> {
  const { log, signal } = options;
  log(`cairn: pip install ${launch.pip.join(' ')}`);
  const pip = await runLogged(
    join(dir, 'bin', 'python'),
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-r', requirements],
    { log, signal },
  );
  if (pip.exitCode === 0) return;
  const errors = pipErrorLines(pip.stderrTail.length > 0 ? pip.stderrTail : pip.outputTail);
  throw new CairnError(
    ErrorCode.INVALID_ARGUMENT,
    `${errors.join('\n')}\n(pip install for environment ${short(launch.hash)} exited with ${pip.exitCode ?? pip.signal}; the whole output is in the build log)`,
    { field: 'environment', hash: launch.hash, exitCode: pip.exitCode, pipErrors: errors },
  );
}

/** pip's own `ERROR:` lines (and what follows each), or the last lines when it printed none. */
export function pipErrorLines(tail: readonly string[]): string[] {
  const first = tail.findIndex((line) => line.startsWith('ERROR:'));
  const lines = first >= 0 ? tail.slice(first) : tail.slice(-10);
  return lines.filter((line) => line.trim() !== '').slice(-20);
}

function result(dir: string, cached: boolean, durationMs: number, path?: string): MaterializedEnvironment {
  const binDir = join(dir, 'bin');
  return {
    dir,
    pythonPath: join(binDir, 'python'),
    binDir,
    env: { VIRTUAL_ENV: dir, PATH: path === undefined || path === '' ? binDir : `${binDir}:${path}` },
    cached,
    durationMs,
  };
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

const short = (hash: string): string => hash.slice(0, 12);

const formatMs = (ms: number): string => (ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`);

import { execFile, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CairnError, ErrorCode } from '@cairn/core';
import {
  type EnvironmentToMaterialize,
  inlineEnvironmentSchema,
  MATERIALIZE_ENV_SCRIPT,
  materializeEnvironment,
  normalizeEnvironment,
  READY_MARKER,
} from '@cairn/jobs';
import { it as base, describe, expect } from 'vitest';

// Real virtualenvs, really pip-installed from PyPI: `six`, a small pure-Python wheel, keeps each build short.
const SIX = { pip: ['six==1.16.0'] };

/** Each test gets its own cache folder, so the tests run concurrently (most of their time is pip and venv). */
const it = base.extend<{ cacheDir: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixture's dependencies from this pattern
  cacheDir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-env-cache-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

const launchOf = (spec: unknown, baseDir: string) =>
  normalizeEnvironment(inlineEnvironmentSchema.parse(spec), { baseDir });

/** Materialises with a build log of its own. */
async function materialize(launch: EnvironmentToMaterialize, cacheDir: string) {
  const log: string[] = [];
  const env = await materializeEnvironment(launch, { cacheDir, log: (line) => log.push(line), pollMs: 50 });
  return { ...env, log };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function sixVersion(pythonPath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(pythonPath, ['-c', 'import six; print(six.__version__)']);
  return stdout.trim();
}

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** materialize-env.sh as a Slurm or Ray launcher runs it, with the requirements written to a file. */
async function runScript(
  launch: EnvironmentToMaterialize,
  cacheDir: string,
  python = 'python3',
): Promise<ScriptRun> {
  const requirements = join(cacheDir, `requirements-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(requirements, launch.pip.map((line) => `${line}\n`).join(''));
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [MATERIALIZE_ENV_SCRIPT, cacheDir, launch.hash, python, requirements]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);
const count = (lines: readonly string[], pattern: RegExp) => lines.filter((l) => pattern.test(l)).length;

/** A build that died half-way: a lock whose holder (on this host) has exited, a folder without the marker. */
async function crashedBuild(hash: string, cacheDir: string): Promise<void> {
  const dead = await promisify(execFile)('sh', ['-c', 'echo $$']);
  await writeFile(join(cacheDir, `${hash}.lock`), `${hostname()} ${dead.stdout.trim()}\n`);
  await mkdir(join(cacheDir, hash, 'lib'), { recursive: true });
  await writeFile(join(cacheDir, hash, 'lib', 'half-written.py'), 'x = ');
}

describe.concurrent('materializeEnvironment', () => {
  it('builds a virtualenv from PyPI with pip output in the build log, then reuses it at once', async ({
    cacheDir,
  }) => {
    const launch = await launchOf(SIX, cacheDir);
    const built = await materialize(launch, cacheDir);
    expect(built.cached).toBe(false);
    expect(built.dir).toBe(join(cacheDir, launch.hash));
    expect(built.log).toContain('Successfully installed six-1.16.0');
    expect(built.env).toEqual({ VIRTUAL_ENV: built.dir, PATH: built.binDir });
    expect(await sixVersion(built.pythonPath)).toBe('1.16.0');
    expect(await exists(join(built.dir, READY_MARKER))).toBe(true);
    expect(await readdir(cacheDir)).toEqual([launch.hash]);

    const again = await materialize(launch, cacheDir);
    expect(again).toMatchObject({ cached: true, pythonPath: built.pythonPath });
    expect(again.log.join('\n')).toMatch(/ready in [\d.]+ ms \(cached\)/);
    expect(again.log.join('\n')).not.toMatch(/pip install|creating virtualenv/);
    // Generous bound for a loaded machine; a cached lookup is one stat (well under a millisecond).
    expect(again.durationMs).toBeLessThan(1_000);
  });

  it('builds once when two jobs need the same environment at the same time', async ({ cacheDir }) => {
    const launch = await launchOf(SIX, cacheDir);
    const [a, b] = await Promise.all([materialize(launch, cacheDir), materialize(launch, cacheDir)]);
    expect([a.cached, b.cached].sort()).toEqual([false, true]);
    const logs = [...a.log, ...b.log];
    expect(count(logs, /^cairn: creating virtualenv/)).toBe(1);
    expect(count(logs, /^cairn: waiting for .* to finish building/)).toBe(1);
    expect(await sixVersion(a.pythonPath)).toBe('1.16.0');
    expect(await exists(join(cacheDir, `${launch.hash}.lock`))).toBe(false);
  });

  it('rebuilds after a crashed build, and falls back to python3 with a warning', async ({ cacheDir }) => {
    const launch = await launchOf({ ...SIX, python: '3.99' }, cacheDir);
    await crashedBuild(launch.hash, cacheDir);
    const built = await materialize(launch, cacheDir);
    const log = built.log.join('\n');
    expect(built.cached).toBe(false);
    expect(log).toMatch(/the build of \w+ by .* is gone; building it here/);
    expect(log).toMatch(/holds an unfinished build \(no \.cairn-ready\); removing it/);
    expect(log).toMatch(
      /warning: the environment asks for Python 3\.99: python3\.99 not found; using python3/,
    );
    expect(await exists(join(built.dir, 'lib', 'half-written.py'))).toBe(false);
    expect(await sixVersion(built.pythonPath)).toBe('1.16.0');
  });

  it("fails a broken spec with pip's own error and leaves no ready marker", async ({ cacheDir }) => {
    const launch = await launchOf({ pip: ['nosuchpackage-cairn==0.0.1'] }, cacheDir);
    const log: string[] = [];
    const err = await materializeEnvironment(launch, { cacheDir, log: (line) => log.push(line) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((err as CairnError).message).toMatch(
      /^ERROR: .*\nERROR: No matching distribution found for nosuchpackage-cairn==0\.0\.1/,
    );
    expect(log).toContain('ERROR: No matching distribution found for nosuchpackage-cairn==0.0.1');
    expect(await exists(join(cacheDir, launch.hash, READY_MARKER))).toBe(false);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('says an image-only environment cannot run here, before building anything', async ({ cacheDir }) => {
    const launch = await launchOf({ image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04' }, cacheDir);
    const log: string[] = [];
    const err = await materializeEnvironment(launch, { cacheDir, log: (line) => log.push(line) }).catch(
      (e: unknown) => e,
    );
    expect((err as CairnError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((err as CairnError).message).toMatch(/has only an image .* add a conda_file or pip list/);
    expect(log.join('\n')).toMatch(/image .* cannot be used on this compute \(no container runtime\)/);
    expect(await readdir(cacheDir)).toEqual([]);
  });
});

describe.concurrent('materialize-env.sh shares the cache with materializeEnvironment', () => {
  it('reuses what Node built, printing the bin dir last', async ({ cacheDir }) => {
    const launch = await launchOf(SIX, cacheDir);
    const built = await materialize(launch, cacheDir);
    const run = await runScript(launch, cacheDir);
    expect(run.code).toBe(0);
    expect(lastLine(run.stdout)).toBe(built.binDir);
    expect(run.stderr).toMatch(/ready \(cached\)/);
    expect(run.stderr).not.toMatch(/creating virtualenv/);
  });

  it('builds after a crashed build, and Node reuses what it built', async ({ cacheDir }) => {
    const launch = await launchOf(SIX, cacheDir);
    await crashedBuild(launch.hash, cacheDir);
    const run = await runScript(launch, cacheDir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/is gone; building it here/);
    expect(run.stderr).toMatch(/holds an unfinished build/);
    expect(run.stderr).toMatch(/Successfully installed six-1\.16\.0/);
    expect(lastLine(run.stdout)).toBe(join(cacheDir, launch.hash, 'bin'));
    expect(await exists(join(cacheDir, `${launch.hash}.lock`))).toBe(false);

    const reused = await materialize(launch, cacheDir);
    expect(reused.cached).toBe(true);
    expect(await sixVersion(reused.pythonPath)).toBe('1.16.0');
  });

  it('builds once when the script and Node race for the same environment', async ({ cacheDir }) => {
    const launch = await launchOf(SIX, cacheDir);
    const [run, node] = await Promise.all([runScript(launch, cacheDir), materialize(launch, cacheDir)]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine(run.stdout)).toBe(node.binDir);
    const builds =
      count(run.stderr.split('\n'), /^cairn: creating virtualenv/) +
      count(node.log, /^cairn: creating virtualenv/);
    expect(builds).toBe(1);
    expect(await sixVersion(node.pythonPath)).toBe('1.16.0');
  });

  it("fails a broken spec with pip's error as its last lines and no ready marker", async ({ cacheDir }) => {
    const launch = await launchOf({ pip: ['nosuchpackage-cairn==0.0.1'] }, cacheDir);
    const run = await runScript(launch, cacheDir, 'python3.99');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/warning: python3\.99 does not run here; using python3/);
    expect(lastLine(run.stderr)).toBe('ERROR: No matching distribution found for nosuchpackage-cairn==0.0.1');
    expect(await exists(join(cacheDir, launch.hash))).toBe(false);
    expect(await exists(join(cacheDir, `${launch.hash}.lock`))).toBe(false);
  });
});

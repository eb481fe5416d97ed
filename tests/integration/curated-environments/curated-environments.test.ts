import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { curatedEnvironments, READY_MARKER } from '@cairn/jobs';
import { afterEach, describe, expect, it } from 'vitest';
import { apiCall, followJob, startJobServer, submitJob, tempDir } from '../jobs/job-client.js';
import { runCli } from '../support/cli.js';
import { testPython } from '../support/env.js';
import { DIALECTS, freshStoreUri } from '../support/metadata-stores.js';

/**
 * The environments Cairn ships are registered versions in every workspace, through the API: listed,
 * readable, nameable by a job as `azureml:<name>:<version>`, registered once however often the server
 * starts, and never in the way of a workspace's own versions.
 */

const CURATED = ['minimal-py3.11', 'pytorch-2.15-cpu', 'sklearn-1.9'];

interface WireEnvironment {
  name: string;
  version: string;
  spec: { tags?: Record<string, string>; description?: string };
  hash: string;
  createdBy: string;
  createdAt: number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function freshServer(dialect: (typeof DIALECTS)[number]) {
  const dir = await tempDir('cairn-curated-');
  cleanups.push(() => dir.dispose());
  const target = await freshStoreUri(dialect);
  cleanups.push(() => target.dispose());
  const dataDir = join(dir.path, 'data');
  const start = async () => {
    const server = await startJobServer(target.uri, dataDir);
    let closed: Promise<void> | null = null;
    const close = () => {
      closed ??= server.close();
      return closed;
    };
    cleanups.push(close);
    return { ...server, close };
  };
  return { dataDir, start };
}

const listIn = async (baseUrl: string, ws = 'default') =>
  (
    await apiCall<{ environments: WireEnvironment[] }>(
      baseUrl,
      'GET',
      `/api/v1/workspaces/${ws}/environments`,
    )
  ).environments;

const curatedOf = (envs: WireEnvironment[]) =>
  envs.filter((e) => CURATED.includes(e.name)).sort((a, b) => a.name.localeCompare(b.name));

describe.each(DIALECTS)('curated environments (%s)', (dialect) => {
  it('are listed in every workspace, once however often the server starts, beside its own versions', async () => {
    const storage = await freshServer(dialect);
    const first = await storage.start();
    const listed = curatedOf(await listIn(first.baseUrl));
    expect(listed.map((e) => `${e.name}:${e.version}`)).toEqual(CURATED.map((n) => `${n}:1`));
    for (const e of listed) {
      expect(e.createdBy).toBe('cairn');
      expect(e.spec.tags?.curated).toBe('true');
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const one = await apiCall<{ environment: WireEnvironment }>(
      first.baseUrl,
      'GET',
      '/api/v1/workspaces/default/environments/sklearn-1.9?version=1',
    );
    expect(one.environment).toEqual(listed.find((e) => e.name === 'sklearn-1.9'));
    if (dialect === 'sqlite') {
      const cli = await runCli(first.baseUrl, ['environment', 'list']);
      expect(cli.code, cli.stderr).toBe(0);
      for (const name of CURATED)
        expect(cli.stdout).toMatch(new RegExp(`^${name.replaceAll('.', '\\.')}\\s+1\\s`, 'm'));
    }

    // A workspace's own version of a curated name: kept, and the newest.
    await apiCall(first.baseUrl, 'POST', '/api/v1/workspaces/default/environments', {
      yaml: 'name: sklearn-1.9\nversion: "2"\npip:\n  - scikit-learn==1.9.1\n',
    });
    await first.close();

    const second = await storage.start();
    const again = await listIn(second.baseUrl);
    expect(curatedOf(again).filter((e) => e.version === '1')).toEqual(listed);
    expect(again.filter((e) => e.name === 'sklearn-1.9').map((e) => e.version)).toEqual(['2', '1']);
    const latest = await apiCall<{ environment: WireEnvironment }>(
      second.baseUrl,
      'GET',
      '/api/v1/workspaces/default/environments/sklearn-1.9',
    );
    expect(latest.environment.version).toBe('2');

    // A workspace created after the server started has them too, from its first look.
    const ws = `ws-${randomBytes(4).toString('hex')}`;
    await apiCall(second.baseUrl, 'POST', '/api/v1/workspaces', { name: ws });
    expect(curatedOf(await listIn(second.baseUrl, ws)).map((e) => e.name)).toEqual(CURATED);
  });
});

describe('a job naming a curated environment', () => {
  it('runs in its virtualenv: azureml:sklearn-1.9:1 resolves to the curated definition and its cache key', async () => {
    const storage = await freshServer('sqlite');
    // The virtualenv of sklearn-1.9, as a job that built it earlier would have left it in the cache:
    // pip installing scikit-learn, pandas and MLflow in a test is minutes (that build is tested in
    // environments/materialize.test.ts); here it is the test venv (MLflow and scikit-learn) in its place.
    const sklearn = (await curatedEnvironments()).find((c) => c.spec.name === 'sklearn-1.9')!;
    const venv = dirname(dirname(testPython()));
    const cached = join(storage.dataDir, 'envs', sklearn.launch.hash);
    await mkdir(cached, { recursive: true });
    await copyFile(join(venv, 'pyvenv.cfg'), join(cached, 'pyvenv.cfg'));
    await symlink(join(venv, 'bin'), join(cached, 'bin'));
    await symlink(join(venv, 'lib'), join(cached, 'lib'));
    await writeFile(join(cached, READY_MARKER), '{}\n');

    const server = await storage.start();
    const job = await submitJob(server.baseUrl, {
      yaml: [
        "command: python -c \"import sys, sklearn; print('prefix', sys.prefix); print('sklearn', sklearn.__version__)\"",
        'environment: azureml:sklearn-1.9:1',
      ].join('\n'),
    });
    const { stdout } = await followJob(server.baseUrl, job.name);
    const shown = await apiCall<{ job: { status: string; errorSummary: string | null } }>(
      server.baseUrl,
      'GET',
      `/api/v1/workspaces/default/jobs/${job.name}`,
    );
    expect(shown.job.status, `${shown.job.errorSummary}\n${stdout}`).toBe('completed');
    expect(stdout).toContain(`environment ${sklearn.launch.hash.slice(0, 12)}`);
    expect(stdout).toContain('(cached)');
    expect(stdout).toContain(`prefix ${cached}`);
    expect(stdout).toMatch(/sklearn \d+\.\d+/);

    // A curated name with a version that does not exist is refused at submit, naming the field.
    const refused = await submitJob(server.baseUrl, {
      yaml: 'command: echo hi\nenvironment: azureml:sklearn-1.9:7',
    }).catch((err: { status?: number; body?: unknown }) => err);
    expect(refused).toMatchObject({ status: 400 });
    expect(JSON.stringify((refused as { body?: unknown }).body)).toMatch(
      /sklearn-1\.9' version 7 does not exist/,
    );
  });
});

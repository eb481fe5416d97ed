import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOBS_SERVICE_USER } from '@cairn/server';
import { afterEach, describe, expect, it } from 'vitest';
import { testSlurmEnabled } from '../support/env.js';
import { createCompute, snapshotPath, startServer, submit, type TestServer } from './remote-client.js';

const fresh = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

let servers: (TestServer & { dir: string })[] = [];
const start = async (options: { auth?: boolean } = {}) => {
  const s = await startServer(options);
  servers.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(servers.map((s) => s.dispose()));
  servers = [];
});

/** A code folder with `hello.py` that prints a line from a data file beside it. */
async function project(dir: string): Promise<string> {
  const root = join(dir, fresh('project'));
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'src', 'data.txt'), 'from the snapshot\n');
  await writeFile(
    join(root, 'src', 'hello.py'),
    'import os\nprint(open("data.txt").read().strip(), "token" if os.environ.get("CAIRN_TOKEN") else "no token", flush=True)\n',
  );
  return root;
}

describe('environments applied to local jobs', () => {
  it('builds an inline environment, runs the command in its virtualenv and keeps the build log in the job log; local mode stays on', async () => {
    const s = await start();
    const name = fresh('env_ok');
    await submit(
      s,
      `type: command\nname: ${name}\ncommand: python -c "import six, sys; print('six', six.__version__, 'in', sys.prefix)"\nenvironment:\n  pip: [six==1.16.0]\n`,
    );
    const { job, stdout, statuses } = await s.runToEnd(name);
    expect(job.status, job.errorSummary ?? '').toBe('completed');
    expect(statuses.at(-1)).toBe('completed');
    expect(stdout).toContain('cairn: pip install six==1.16.0'); // the build log, in the job's log
    expect(stdout).toMatch(/Successfully installed six-1\.16\.0/);
    const envDir = /six 1\.16\.0 in (\S+)/.exec(stdout)?.[1];
    expect(envDir?.startsWith(join(s.dir, 'data', 'envs'))).toBe(true);

    // The job had a token of the cairn-jobs service user, revoked at its end; humans are still in local mode.
    const tokens = await s.server.services.identity.listTokens(null);
    const jobToken = tokens.find((t) => t.name === `job ${name}`);
    expect(jobToken?.userName).toBe(JOBS_SERVICE_USER);
    expect(jobToken?.workspaceScope).toBe('default');
    expect(jobToken?.roleScope).toBe('contributor');
    expect(jobToken?.revokedAt).not.toBeNull();
    expect(await s.server.services.identity.hasUsers()).toBe(false);
    const anonymous = await fetch(`${s.baseUrl}/api/v1/workspaces/default/jobs/${name}`);
    expect(anonymous.status).toBe(200);

    // A second job with the same environment reuses the cached virtualenv.
    const again = fresh('env_again');
    await submit(
      s,
      `type: command\nname: ${again}\ncommand: python -c "import six"\nenvironment:\n  pip: [six==1.16.0]\n`,
    );
    const second = await s.runToEnd(again);
    expect(second.job.status).toBe('completed');
    expect(second.stdout).toMatch(/ready in .*\(cached\)/);
  }, 180_000);

  it('fails a job whose environment cannot be built, with pip’s own error as the summary', async () => {
    const s = await start();
    const name = fresh('env_bad');
    await submit(
      s,
      `type: command\nname: ${name}\ncommand: echo never\nenvironment:\n  pip: [nosuchpackage-cairn==0.0.1]\n`,
    );
    const { job, stdout } = await s.runToEnd(name);
    expect(job.status).toBe('failed');
    expect(job.errorSummary).toMatch(/^ERROR: /);
    expect(job.errorSummary).toContain('nosuchpackage-cairn');
    expect(stdout).not.toContain('never');
    expect(stdout).toContain('cairn: pip install nosuchpackage-cairn==0.0.1');
    const { events } = await s.call<{ events: { status: string; message: string | null }[] }>(
      'GET',
      `/api/v1/workspaces/default/jobs/${name}`,
    );
    expect(events.find((e) => e.status === 'failed')?.message).toBe('the environment could not be built');
  }, 180_000);
});

describe('the snapshot tar route', () => {
  it('refuses a request without a token when auth is on, and serves the tar to an authorised caller', async () => {
    const s = await start({ auth: true });
    const root = await project(s.dir);
    const name = fresh('snap');
    await submit(s, `type: command\nname: ${name}\ncode: src\ncommand: python hello.py\n`, root);
    const denied = await fetch(`${s.baseUrl}${snapshotPath(name)}`);
    expect(denied.status).toBe(401);
    const ok = await fetch(`${s.baseUrl}${snapshotPath(name)}`, { headers: s.authHeader });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-tar');
    const bytes = Buffer.from(await ok.arrayBuffer());
    expect(Number(ok.headers.get('content-length'))).toBe(bytes.length);
    expect(bytes.subarray(0, 100).toString('latin1')).toContain('data.txt');
    const { job } = await s.runToEnd(name);
    expect(job.status).toBe('completed');
  }, 60_000);

  it('lists the snapshot files and serves one of them; an unknown path is 404 naming it', async () => {
    const s = await start();
    const root = await project(s.dir);
    const name = fresh('browse');
    await submit(s, `type: command\nname: ${name}\ncode: src\ncommand: python hello.py\n`, root);
    const base = `${s.baseUrl}${snapshotPath(name).replace(/\.tar$/, '')}`;
    const listing = (await (await fetch(base)).json()) as {
      snapshotId: string;
      files: { path: string; size: number | null; executable: boolean }[];
    };
    expect(listing.snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect(listing.files.map((f) => f.path)).toEqual(['data.txt', 'hello.py']);
    expect(listing.files[0]!.size).toBe('from the snapshot\n'.length);
    const file = await fetch(`${base}/file?path=data.txt`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('from the snapshot\n');
    const missing = await fetch(`${base}/file?path=nope.txt`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('nope.txt');
    await s.runToEnd(name);
  }, 60_000);

  it('is in the OpenAPI document', async () => {
    const s = await start();
    const doc = (await (await fetch(`${s.baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toContain('/api/v1/workspaces/{workspace}/jobs/{name}/snapshot.tar');
  });
});

describe('job inputs', () => {
  it('refuses at submit a local input path that does not exist, naming the input', async () => {
    const s = await start();
    const root = await project(s.dir);
    const err = await submit(
      s,
      `type: command\ncode: src\ncommand: cat \${{inputs.data}}\ninputs:\n  data:\n    type: uri_file\n    path: ./missing.csv\n`,
      root,
    ).catch((e: Error & { status?: number }) => e);
    expect((err as { status?: number }).status).toBe(400);
    expect((err as Error).message).toMatch(/inputs\.data: the path '.*missing\.csv' does not exist/);
  });
});

describe('compute create verifies the target', () => {
  it('refuses a Ray target whose address does not answer', async () => {
    const s = await start();
    await expect(
      createCompute(s, `name: ${fresh('ray')}\ntype: ray\naddress: http://127.0.0.1:9\n`),
    ).rejects.toThrow(/127\.0\.0\.1:9/);
  });
});

describe.runIf(testSlurmEnabled())('Slurm targets through the API', () => {
  it('refuses a Slurm target with a partition that does not exist, in the adapter’s words', async () => {
    const s = await start();
    const err = await createCompute(
      s,
      `name: ${fresh('slurm')}\ntype: slurm\npartition: nosuchpartition\n`,
    ).catch((e: Error & { status?: number }) => e);
    expect((err as { status?: number }).status).toBe(400);
    expect((err as Error).message).toMatch(/partition 'nosuchpartition' does not exist \(sinfo lists: /);
  });

  it('runs a job on a registered slurm target end to end: snapshot fetched by the launcher with the job token', async () => {
    const s = await start({ auth: true });
    const compute = fresh('slurm');
    await createCompute(s, `name: ${compute}\ntype: slurm\n`);
    const root = await project(s.dir);
    const name = fresh('on_slurm');
    await submit(
      s,
      `type: command\nname: ${name}\ncode: src\ncompute: azureml:${compute}\ncommand: python hello.py\n`,
      root,
    );
    const { job, stdout, statuses } = await s.runToEnd(name);
    expect(job.status, job.errorSummary ?? '').toBe('completed');
    expect(statuses.at(-1)).toBe('completed');
    expect(stdout).toContain('from the snapshot token');
    // The launcher downloaded the tar into the Slurm job folder (the server prepared no work folder).
    const slurmDir = join(s.dir, 'data', 'slurm-jobs', 'default', name);
    expect(existsSync(join(slurmDir, 'work', 'hello.py'))).toBe(true);
    expect(existsSync(join(s.dir, 'data', 'jobs', 'default', name, 'code', 'hello.py'))).toBe(false);
    // Auth is on, so that download needed the job's token; it is revoked now.
    const tokens = await s.server.services.identity.listTokens(null);
    expect(tokens.find((t) => t.name === `job ${name}`)?.revokedAt).not.toBeNull();
  }, 180_000);
});

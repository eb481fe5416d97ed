import { join } from 'node:path';
import { CairnClient, type JobCount } from '@cairn/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, freshStoreUri } from '../support/metadata-stores.js';
import { followJob, type JobServer, startJobServer, tempDir } from './job-client.js';

/** `GET jobs/counts`: jobs per compute target, type and status, counted by the database. */
describe.each(DIALECTS)('job counts (%s, real server, local compute)', (dialect) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let target: Awaited<ReturnType<typeof freshStoreUri>>;
  let server: JobServer;
  let client: CairnClient;

  beforeEach(async () => {
    dir = await tempDir('cairn-job-counts-');
    target = await freshStoreUri(dialect);
    server = await startJobServer(target.uri, join(dir.path, 'data'));
    client = new CairnClient({ baseUrl: server.baseUrl });
  });
  afterEach(async () => {
    await server.close();
    await target.dispose();
    await dir.dispose();
  });

  const countOf = (counts: JobCount[], compute: string, status: string) =>
    counts.find((c) => c.compute === compute && c.status === status && c.type === 'command')?.count ?? 0;

  it('counts ended, running and queued jobs per target; active leaves the ended ones out', async () => {
    expect(await client.jobs.counts()).toEqual([]);
    const compute = `one-cpu-${Math.random().toString(36).slice(2, 8)}`;
    await client.computes.create({ yaml: `name: ${compute}\ntype: local\ncpus: 1` });

    const ok = await client.jobs.create({ yaml: 'command: echo done' });
    const bad = await client.jobs.create({ yaml: 'command: exit 3' });
    await followJob(server.baseUrl, ok.name);
    await followJob(server.baseUrl, bad.name);
    const busy = await client.jobs.create({ yaml: `command: 'echo up; sleep 300'\ncompute: ${compute}` });
    await followJob(server.baseUrl, busy.name, (_e, out) => out.includes('up'));
    // The one slot is taken: these wait.
    const waiting = [
      await client.jobs.create({ yaml: `command: echo later\ncompute: ${compute}` }),
      await client.jobs.create({ yaml: `command: echo later\ncompute: ${compute}` }),
    ];

    const all = await client.jobs.counts();
    expect(countOf(all, 'local', 'completed')).toBe(1);
    expect(countOf(all, 'local', 'failed')).toBe(1);
    expect(countOf(all, compute, 'running')).toBe(1);
    expect(countOf(all, compute, 'queued') + countOf(all, compute, 'preparing')).toBe(2);
    expect(all.every((c) => typeof c.count === 'number' && c.count > 0)).toBe(true);
    expect(all.reduce((sum, c) => sum + c.count, 0)).toBe(5);

    const active = await client.jobs.counts({ active: true });
    expect(active.map((c) => c.status).sort()).not.toContain('completed');
    expect(active.some((c) => c.compute === 'local')).toBe(false);
    expect(active.reduce((sum, c) => sum + c.count, 0)).toBe(3);

    // Waiting jobs are canceled first, so none takes the slot the running one frees.
    for (const job of [...waiting, busy]) await client.jobs.cancel(job.name);
    const after = await client.jobs.counts({ active: true });
    expect(after.filter((c) => c.status === 'queued')).toEqual([]);
  });

  it('is in the OpenAPI document, with its JobCount schema', async () => {
    const doc = (await (await fetch(`${server.baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.paths['/api/v1/workspaces/{workspace}/jobs/counts']?.get?.summary).toMatch(/How many jobs/);
    expect(Object.keys(doc.components.schemas.JobCount?.properties ?? {}).sort()).toEqual([
      'compute',
      'count',
      'status',
      'type',
    ]);
  });

  it("refuses a job named 'counts', which would hide behind the counts path", async () => {
    await expect(client.jobs.create({ yaml: 'name: counts\ncommand: echo hi' })).rejects.toThrow(
      /'counts' names an API path/,
    );
  });

  it('refuses an active value that is not true or false, naming it', async () => {
    const res = await fetch(`${server.baseUrl}/api/v1/workspaces/default/jobs/counts?active=yes`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('active');
  });
});

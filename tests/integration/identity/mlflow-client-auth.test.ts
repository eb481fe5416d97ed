import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildServer, type CairnServer, resolveConfig } from '@cairn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPython } from '../support/env.js';

const run = promisify(execFile);
// The client reads its credentials from MLFLOW_* variables: none may leak in from the test's own env.
const parentEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_')));

// What a training script does: the workspace comes from MLFLOW_TRACKING_URI, credentials from
// MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD.
const SCRIPT = `
import mlflow
mlflow.set_experiment("auth-e2e")
with mlflow.start_run() as r:
    mlflow.log_param("p", 1)
    mlflow.log_metric("m", 0.5)
print(r.info.run_id)
`;

describe('the real mlflow client against an authenticated server', () => {
  let server: CairnServer;
  let dir: string;
  let base: string;
  let scopedSecret: string;
  const admin = `Basic ${Buffer.from('root:root-password').toString('base64')}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-mlflow-auth-'));
    server = await buildServer(
      resolveConfig({ dataDir: dir, logLevel: 'silent', bootstrapAdmin: 'root:root-password' }),
    );
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const headers = { authorization: admin };
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers,
      payload: { name: 'team-a' },
    });
    const token = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers,
      payload: { name: 'job', workspace: 'team-a', role: 'contributor' },
    });
    scopedSecret = token.json().secret;
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = (env: Record<string, string>) =>
    run(testPython(), ['-c', SCRIPT], {
      env: { ...parentEnv, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', ...env },
      timeout: 90_000,
    });

  it('logs into the workspace named by the tracking URI with a scoped token', async () => {
    const { stdout } = await client({
      MLFLOW_TRACKING_URI: `${base}/workspaces/team-a`,
      MLFLOW_TRACKING_TOKEN: scopedSecret,
    });
    const runId = stdout.trim().split('\n').pop()!;
    const row = await server.services.store.db
      .selectFrom('runs')
      .select(['workspace_id', 'user_id'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row.workspace_id).toBe('team-a');
  });

  it('refuses the scoped token outside its workspace, and no credentials at all', async () => {
    await expect(
      client({ MLFLOW_TRACKING_URI: base, MLFLOW_TRACKING_TOKEN: scopedSecret }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('PERMISSION_DENIED'),
    });
    await expect(client({ MLFLOW_TRACKING_URI: `${base}/workspaces/team-a` })).rejects.toMatchObject({
      stderr: expect.stringContaining('UNAUTHENTICATED'),
    });
  });

  it('accepts Basic credentials from MLFLOW_TRACKING_USERNAME/PASSWORD', async () => {
    const { stdout } = await client({
      MLFLOW_TRACKING_URI: base,
      MLFLOW_TRACKING_USERNAME: 'root',
      MLFLOW_TRACKING_PASSWORD: 'root-password',
    });
    expect(stdout.trim()).toMatch(/[0-9a-f]{32}$/);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnClient } from '@cairn/sdk';
import { buildServer, type CairnServer, resolveConfig, type ServerConfigInput } from '@cairn/server';
import type { Dialect } from '@cairn/store';
import { freshStoreUri } from '../support/metadata-stores.js';

export interface RunningServer {
  server: CairnServer;
  baseUrl: string;
  client: CairnClient;
  dataDir: string;
  dispose(): Promise<void>;
}

/** A real server listening on a free port, over a fresh database of `dialect`; disposing stops it. */
export async function startServer(dialect: Dialect, input: ServerConfigInput = {}): Promise<RunningServer> {
  const target = await freshStoreUri(dialect);
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-api-'));
  const server = await buildServer(
    resolveConfig({
      port: 0,
      dataDir,
      storeUri: target.uri,
      logLevel: 'silent',
      localUser: 'tester',
      ...input,
    }),
  );
  const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    server,
    baseUrl: address,
    dataDir,
    client: new CairnClient({ baseUrl: address }),
    async dispose() {
      await server.close();
      await target.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

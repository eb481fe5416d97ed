import { DataService, DatastoreRegistry, parseMLTable, Refresher, resolveSecretKey, SecretBox } from '@cairn/data';
import { hashFiles } from '@cairn/fileset';
import type { BlobStore, MetadataStore } from '@cairn/store';
import type { FastifyBaseLogger } from 'fastify';
import { ENV, type ServerConfig } from '../config.js';

export interface DataServices {
  data: DataService;
  datastores: DatastoreRegistry;
  refresher: Refresher;
  close(): Promise<void>;
}

/** The data registry, its datastores (secrets sealed with the server's key) and the refresher. */
export async function buildDataServices(options: {
  config: ServerConfig;
  store: MetadataStore;
  blobs: BlobStore;
  log: FastifyBaseLogger;
}): Promise<DataServices> {
  const { config, store, blobs } = options;
  const { key } = await resolveSecretKey({
    base64: config.data.secretKey,
    source: `The ${ENV.secretKey} setting`,
    keyFile: config.data.secretKeyFile,
  });
  const datastores = new DatastoreRegistry({ store, secrets: new SecretBox(key) });
  const data = new DataService({
    store,
    blobs,
    resolveSource: (workspaceId, uri) => datastores.resolve(workspaceId, uri),
    cacheDir: config.data.cacheDir,
    checkMLTable: (text, file) => {
      parseMLTable(text, file);
    },
    // A refresh reads only files whose stat changed since the last version (the manifest is the cache).
    hashLocal: async (files) => (await hashFiles(files)).map((h) => h.sha256),
  });
  const refresher = new Refresher({
    data,
    tickMs: config.data.refreshTickMs,
    actor: 'cairn-refresh',
    log: options.log,
  });
  return {
    data,
    datastores,
    refresher,
    close: async () => {
      await refresher.stop();
      await datastores.close();
    },
  };
}

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument } from '@cairn/core';
import {
  DataService,
  DatastoreRegistry,
  parseMLTable,
  Refresher,
  resolveSecretKey,
  SecretBox,
} from '@cairn/data';
import { hashFiles } from '@cairn/fileset';
import type { JobData } from '@cairn/jobs';
import type { BlobStore, MetadataStore } from '@cairn/store';
import type { FastifyBaseLogger } from 'fastify';
import { ENV, type ServerConfig } from '../config.js';

export interface DataServices {
  data: DataService;
  /** What jobs use: inputs bound to versions, named outputs registered, lineage. */
  jobData: JobData;
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
  const { key, created } = await resolveSecretKey({
    base64: config.data.secretKey,
    source: `The ${ENV.secretKey} setting`,
    keyFile: config.data.secretKeyFile,
  });
  if (created) {
    options.log.info(
      `Created the key that seals datastore credentials: ${config.data.secretKeyFile}. Back it up with the database; without it stored credentials cannot be read (or set ${ENV.secretKey}).`,
    );
  }
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
    jobData: jobDataOf(data),
    datastores,
    refresher,
    close: async () => {
      await refresher.stop();
      await datastores.close();
    },
  };
}

function jobDataOf(data: DataService): JobData {
  return {
    async bindInput(workspaceId, name, version, mode) {
      const v = await data.getVersion(workspaceId, name, version);
      if (mode === 'direct' && v.storage === 'referenced') {
        const inPlace = await data.localPathInPlace(workspaceId, v);
        return { name: v.name, version: v.version, path: inPlace ?? v.source };
      }
      return { name: v.name, version: v.version, path: await data.localCopy(workspaceId, v) };
    },
    async registerOutput(ctx, output) {
      let localPath = output.localPath;
      if (output.type === 'uri_file') {
        const files = (await readdir(localPath, { withFileTypes: true })).filter((d) => d.isFile());
        if (files.length !== 1) {
          throw invalidArgument(
            `The output registered as the uri_file '${output.name}' must hold exactly one file; it holds ${files.length}`,
            { field: 'outputs' },
          );
        }
        localPath = join(localPath, (files[0] as { name: string }).name);
      }
      const type = output.type === 'uri_file' || output.type === 'mltable' ? output.type : 'uri_folder';
      const created = await data.registerLocalPath(
        ctx,
        {
          name: output.name,
          version: output.version,
          type,
          description: output.description,
          localPath,
          uploadedFrom: ctx.message ?? 'job output',
        },
        'job_output',
      );
      return { name: created.name, version: created.version };
    },
    recordLineage: (workspaceId, link) => data.recordLineage(workspaceId, link),
  };
}

import { alreadyExists, conflict, invalidArgument, notFound } from '@cairn/core';
import { isUniqueViolation, type MetadataStore } from '@cairn/store';
import { audit, type RequestContext } from '@cairn/tracking';
import type { ResolvedSource } from '../assets/source.js';
import { formatDataUri, parseDataUri } from '../datastores/data-uri.js';
import type { DatastoreOptions } from '../datastores/datastore-adapter.js';
import {
  type DatastoreSecrets,
  redactDatastore,
  splitDatastoreSecrets,
} from '../datastores/datastore-secrets.js';
import type { DatastoreSpec } from '../datastores/datastore-spec.js';
import { type Datastore, openDatastore } from '../datastores/open-datastore.js';
import type { SecretBox } from '../secrets/secret-box.js';

/** A registered datastore as the API shows it: secrets replaced by `***`. */
export interface DatastoreInfo {
  name: string;
  type: DatastoreSpec['type'];
  description: string;
  tags: Record<string, string>;
  /** The spec with every secret redacted. */
  spec: DatastoreSpec;
  createdBy: string;
  createdAt: number;
}

export interface DatastoreRegistryOptions {
  store: MetadataStore;
  secrets: SecretBox;
  adapterOptions?: DatastoreOptions;
}

/**
 * The workspace's datastores: stored with their secrets sealed, checked (reachable, credentials
 * accepted) before they are saved, and opened to resolve data URIs.
 */
export class DatastoreRegistry {
  readonly #o: DatastoreRegistryOptions;
  /** Open adapters by workspace and name, reused across requests (an S3 client keeps its connections). */
  readonly #adapters = new Map<string, Promise<Datastore>>();

  constructor(options: DatastoreRegistryOptions) {
    this.#o = options;
  }

  async create(ctx: RequestContext, spec: DatastoreSpec): Promise<DatastoreInfo> {
    const adapter = await openDatastore(spec, null, this.#o.adapterOptions);
    try {
      await adapter.check();
    } finally {
      await adapter.close();
    }
    const { spec: clear, secrets } = splitDatastoreSecrets(spec);
    const now = Date.now();
    try {
      await this.#o.store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('datastores')
          .values({
            workspace_id: ctx.workspaceId,
            name: spec.name,
            kind: spec.type,
            description: spec.description ?? '',
            spec: JSON.stringify(clear),
            secrets: secrets === null ? null : this.#o.secrets.encrypt(secrets),
            tags: JSON.stringify(spec.tags ?? {}),
            created_by: ctx.actor,
            created_at: now,
          })
          .execute();
        await audit(trx, ctx, 'datastore.create', 'datastore', spec.name, { type: spec.type });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw alreadyExists(`Datastore '${spec.name}' already exists: delete it first or pick another name`, {
          field: 'name',
        });
      }
      throw err;
    }
    return this.get(ctx.workspaceId, spec.name);
  }

  async list(workspaceId: string): Promise<DatastoreInfo[]> {
    const rows = await this.#o.store.db
      .selectFrom('datastores')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('name')
      .execute();
    return rows.map(toInfo);
  }

  async get(workspaceId: string, name: string): Promise<DatastoreInfo> {
    return toInfo(await this.#row(workspaceId, name));
  }

  /** Deletes a datastore no data version references. */
  async delete(ctx: RequestContext, name: string): Promise<void> {
    await this.#row(ctx.workspaceId, name);
    const used = await this.#o.store.db
      .selectFrom('data_versions')
      .select(['name', 'version'])
      .where('workspace_id', '=', ctx.workspaceId)
      .where((eb) =>
        eb.or([
          eb('source', 'like', `azureml://datastores/${name}/%`),
          eb('source', '=', `azureml://datastores/${name}`),
        ]),
      )
      .limit(3)
      .execute();
    if (used.length > 0) {
      throw conflict(
        `Datastore '${name}' is referenced by data versions (${used.map((u) => `${u.name}:${u.version}`).join(', ')}${used.length === 3 ? ', …' : ''}); archive or keep it`,
        { field: 'name' },
      );
    }
    await this.#o.store.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('datastores')
        .where('workspace_id', '=', ctx.workspaceId)
        .where('name', '=', name)
        .execute();
      await audit(trx, ctx, 'datastore.delete', 'datastore', name);
    });
    const key = `${ctx.workspaceId}/${name}`;
    const open = this.#adapters.get(key);
    this.#adapters.delete(key);
    await open?.then((a) => a.close()).catch(() => undefined);
  }

  /** Closes every adapter opened for `resolve`. */
  async close(): Promise<void> {
    const open = [...this.#adapters.values()];
    this.#adapters.clear();
    await Promise.all(open.map((p) => p.then((a) => a.close()).catch(() => undefined)));
  }

  /** Opens a datastore's adapter with its secrets (close it when done). */
  async open(workspaceId: string, name: string): Promise<Datastore> {
    const row = await this.#row(workspaceId, name);
    const spec = JSON.parse(row.spec) as DatastoreSpec;
    const secrets = row.secrets === null ? null : this.#o.secrets.decrypt<DatastoreSecrets>(row.secrets);
    return openDatastore(spec, secrets, this.#o.adapterOptions);
  }

  /**
   * Resolves a data path: a datastore URI (`azureml://datastores/<name>/paths/<p>` or `cairn://…`) to
   * that datastore, an http(s) URL to an ad-hoc HTTP source. Local paths and bare `s3://` URIs are
   * refused with what to do instead. The adapter stays open for the life of the returned source.
   */
  async resolve(workspaceId: string, text: string): Promise<ResolvedSource> {
    const uri = parseDataUri(text, { field: 'path' });
    switch (uri.kind) {
      case 'datastore': {
        if (uri.workspace !== undefined && uri.workspace !== workspaceId) {
          throw invalidArgument(
            `'${text}' names workspace '${uri.workspace}', not this one ('${workspaceId}')`,
            {
              field: 'path',
            },
          );
        }
        const key = `${workspaceId}/${uri.datastore}`;
        let opening = this.#adapters.get(key);
        if (!opening) {
          opening = this.open(workspaceId, uri.datastore);
          this.#adapters.set(key, opening);
          opening.catch(() => this.#adapters.delete(key));
        }
        const adapter = await opening;
        const canonical = formatDataUri({
          ...uri,
          workspace: undefined,
          syntax: 'azureml',
          trailingSlash: false,
        });
        return { adapter, path: uri.path, uri: canonical, datastore: uri.datastore };
      }
      case 'http': {
        const adapter = await openDatastore(
          { name: 'url', type: 'http', url: uri.url },
          null,
          this.#o.adapterOptions,
        );
        return { adapter, path: '', uri: uri.url, datastore: null };
      }
      case 's3':
        throw invalidArgument(
          `'${text}' is an S3 URI: register a datastore for bucket '${uri.bucket}' (cairn datastore create, with its endpoint and credentials) and write azureml://datastores/<name>/paths/${uri.key}`,
          { field: 'path' },
        );
      case 'local':
        throw invalidArgument(
          `'${text}' is a local path: upload it (cairn data create --path ${text} uploads the files), or register a local datastore for its folder and reference azureml://datastores/<name>/paths/…`,
          { field: 'path' },
        );
    }
  }

  async #row(workspaceId: string, name: string) {
    const row = await this.#o.store.db
      .selectFrom('datastores')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row)
      throw notFound(`Datastore '${name}' does not exist: list them with 'cairn datastore list'`, {
        field: 'datastore',
      });
    return row;
  }
}

function toInfo(row: {
  name: string;
  kind: string;
  description: string;
  spec: string;
  secrets: string | null;
  tags: string;
  created_by: string;
  created_at: number;
}): DatastoreInfo {
  const spec = JSON.parse(row.spec) as DatastoreSpec;
  // The sealed secrets are not opened to redact them: which fields are set is enough to show `***`.
  const marker = row.secrets === null ? null : secretMarker(spec);
  return {
    name: row.name,
    type: spec.type,
    description: row.description,
    tags: JSON.parse(row.tags) as Record<string, string>,
    spec: redactDatastore(spec, marker),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

/** Placeholder secrets of the right shape, so `redactDatastore` shows `***` where values are set. */
function secretMarker(spec: DatastoreSpec): DatastoreSecrets | null {
  if (spec.type === 's3') return { credentials: { access_key_id: '*', secret_access_key: '*' } };
  if (spec.type === 'http') return { headers: { authorization: '*' } };
  return null;
}

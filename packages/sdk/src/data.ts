import type { Transport } from './transport.js';
import type { SpecRequest } from './wire.js';

export type DataType = 'uri_file' | 'uri_folder' | 'mltable';

export interface DataDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface DataDiffSummary {
  added: number;
  changed: number;
  removed: number;
  /** The first paths of each kind. */
  sample: DataDiff;
}

export interface DataVersion {
  name: string;
  version: string;
  type: DataType;
  storage: 'uploaded' | 'referenced';
  source: string;
  manifestId: string;
  fileCount: number;
  totalBytes: number;
  description: string;
  tags: Record<string, string>;
  diff: DataDiffSummary | null;
  archived: boolean;
  createdBy: string;
  createdAt: number;
}

export interface DataAsset {
  name: string;
  description: string;
  tags: Record<string, string>;
  archived: boolean;
  latestVersion: string | null;
  versionCount: number;
  refresh: { source: string; intervalSeconds: number; nextRefreshAt: number | null } | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface CreateDataVersionRequest {
  name: string;
  version?: string;
  type?: DataType;
  description?: string;
  tags?: Record<string, string>;
  /** A datastore URI or URL, referenced in place. */
  path?: string;
  /** Uploaded files: the sha256 of their uploaded data manifest. */
  manifestId?: string;
  uploadedFrom?: string;
  refreshIntervalSeconds?: number;
  message?: string;
}

export interface DataFile {
  path: string;
  size: number;
  sha256: string;
}

export interface LineageLink {
  runId: string;
  jobName: string | null;
  port: string;
  name: string;
  version: string;
  at: number;
}

export interface DataEvent {
  id: number;
  name: string;
  version: string;
  cause: 'register' | 'refresh' | 'job_output';
  diff: { added: number; changed: number; removed: number } | null;
  at: number;
}

export interface Datastore {
  name: string;
  type: 'local' | 's3' | 'http';
  description: string;
  tags: Record<string, string>;
  /** Settings, every secret shown as `***`. */
  spec: Record<string, unknown>;
  createdBy: string;
  createdAt: number;
}

export interface TablePreview {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  [key: string]: unknown;
}

/** Data assets of one workspace: versions, their files, refresh, lineage, preview and profile. */
export class DataApi {
  readonly #t: Transport;
  readonly #ws: string;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#ws = `/api/v1/workspaces/${encodeURIComponent(workspace)}`;
    this.#base = `${this.#ws}/data`;
  }

  #asset(name: string, suffix = ''): string {
    return `${this.#base}/${encodeURIComponent(name)}${suffix}`;
  }

  #version(name: string, version: string, suffix = ''): string {
    return this.#asset(name, `/versions/${encodeURIComponent(version)}${suffix}`);
  }

  async create(request: CreateDataVersionRequest): Promise<DataVersion> {
    return (await this.#t.json<{ version: DataVersion }>('POST', this.#base, { body: request })).version;
  }

  async list(options: { includeArchived?: boolean } = {}): Promise<DataAsset[]> {
    return (await this.#t.json<{ assets: DataAsset[] }>('GET', this.#base, { query: { ...options } })).assets;
  }

  async get(name: string): Promise<DataAsset> {
    return (await this.#t.json<{ asset: DataAsset }>('GET', this.#asset(name))).asset;
  }

  async versions(name: string, options: { includeArchived?: boolean } = {}): Promise<DataVersion[]> {
    return (
      await this.#t.json<{ versions: DataVersion[] }>('GET', this.#asset(name, '/versions'), {
        query: { ...options },
      })
    ).versions;
  }

  /** One version; `latest` for the newest unarchived one. */
  async version(name: string, version = 'latest'): Promise<DataVersion> {
    return (await this.#t.json<{ version: DataVersion }>('GET', this.#version(name, version))).version;
  }

  /** Every file of a version, sorted by path (pages fetched as needed). */
  async files(name: string, version: string, options: { prefix?: string } = {}): Promise<DataFile[]> {
    const files: DataFile[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.filesPage(name, version, { ...options, ...(after ? { after } : {}) });
      files.push(...page.files);
      if (page.next === null) return files;
      after = page.next;
    }
  }

  /** One page of a version's files, sorted by path: those after `after`; `next` continues it. */
  filesPage(
    name: string,
    version: string,
    options: { prefix?: string; after?: string; maxResults?: number } = {},
  ): Promise<{ files: DataFile[]; next: string | null }> {
    return this.#t.json('GET', this.#version(name, version, '/files'), { query: { ...options } });
  }

  /** One file's bytes as a web stream (CONFLICT when a referenced source changed). */
  async openFile(name: string, version: string, path: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#t.raw('GET', this.#version(name, version, '/files/content'), { query: { path } });
    if (!res.body) throw new Error('the server sent no body');
    return res.body;
  }

  /** What changed at a referenced version's source since it was registered. */
  check(name: string, version: string): Promise<{ unchanged: boolean; changes: DataDiff }> {
    return this.#t.json('GET', this.#version(name, version, '/check'));
  }

  diff(name: string, from: string, to: string): Promise<DataDiff> {
    return this.#t.json('GET', this.#asset(name, '/diff'), { query: { from, to } });
  }

  /** Looks at the source now; `version` is null when nothing changed. */
  refresh(
    name: string,
    options: { message?: string } = {},
  ): Promise<{ version: DataVersion | null; diff: DataDiffSummary }> {
    return this.#t.json('POST', this.#asset(name, '/refresh'), { body: options });
  }

  /** Watch the source every `intervalSeconds` (null stops it). */
  async setRefresh(name: string, intervalSeconds: number | null): Promise<DataAsset> {
    return (
      await this.#t.json<{ asset: DataAsset }>('PUT', this.#asset(name, '/refresh'), {
        body: { intervalSeconds },
      })
    ).asset;
  }

  async archive(name: string, options: { version?: string; message?: string } = {}): Promise<void> {
    await this.#t.json('POST', this.#asset(name, '/archive'), { body: options });
  }

  async restore(name: string, options: { version?: string; message?: string } = {}): Promise<void> {
    await this.#t.json('POST', this.#asset(name, '/restore'), { body: options });
  }

  lineage(name: string, version: string): Promise<{ consumedBy: LineageLink[]; producedBy: LineageLink[] }> {
    return this.#t.json('GET', this.#version(name, version, '/lineage'));
  }

  /** A run's input and output data versions. */
  runData(runId: string): Promise<{ inputs: LineageLink[]; outputs: LineageLink[] }> {
    return this.#t.json('GET', `${this.#ws}/runs/${encodeURIComponent(runId)}/data`);
  }

  async events(after = 0): Promise<DataEvent[]> {
    return (
      await this.#t.json<{ events: DataEvent[] }>('GET', `${this.#ws}/data-events`, { query: { after } })
    ).events;
  }

  /** First rows and schema of a tabular version (CSV/TSV, Parquet, JSON lines, MLTable). */
  preview(
    name: string,
    version: string,
    options: { rows?: number; path?: string } = {},
  ): Promise<TablePreview> {
    return this.#t.json('GET', this.#version(name, version, '/preview'), { query: { ...options } });
  }

  /** Per-column statistics of a tabular version. */
  profile(name: string, version: string, options: { path?: string } = {}): Promise<Record<string, unknown>> {
    return this.#t.json('GET', this.#version(name, version, '/profile'), { query: { ...options } });
  }

  /** Registers one of the built-in sample datasets (`samples()` lists them). */
  async registerSample(sample: string, options: { name?: string } = {}): Promise<DataVersion> {
    return (
      await this.#t.json<{ version: DataVersion }>(
        'POST',
        `${this.#ws}/data-samples/${encodeURIComponent(sample)}`,
        {
          body: options,
        },
      )
    ).version;
  }

  async samples(): Promise<{ name: string; description: string; type: DataType }[]> {
    return (
      await this.#t.json<{ samples: { name: string; description: string; type: DataType }[] }>(
        'GET',
        `${this.#ws}/data-samples`,
      )
    ).samples;
  }
}

/** Datastores of one workspace: where data lives (local folder, S3 bucket/prefix, HTTP). */
export class DatastoresApi {
  readonly #t: Transport;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#base = `/api/v1/workspaces/${encodeURIComponent(workspace)}/datastores`;
  }

  /** Registers a datastore from its YAML (or JSON spec); the server checks it answers first. */
  async create(request: SpecRequest): Promise<Datastore> {
    return (await this.#t.json<{ datastore: Datastore }>('POST', this.#base, { body: request })).datastore;
  }

  async list(): Promise<Datastore[]> {
    return (await this.#t.json<{ datastores: Datastore[] }>('GET', this.#base)).datastores;
  }

  async get(name: string): Promise<Datastore> {
    return (await this.#t.json<{ datastore: Datastore }>('GET', `${this.#base}/${encodeURIComponent(name)}`))
      .datastore;
  }

  async delete(name: string, options: { message?: string } = {}): Promise<void> {
    const headers: Record<string, string> = options.message ? { 'x-cairn-message': options.message } : {};
    await this.#t.json('DELETE', `${this.#base}/${encodeURIComponent(name)}`, { headers });
  }
}

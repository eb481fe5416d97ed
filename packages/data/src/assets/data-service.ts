import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { alreadyExists, CairnError, conflict, ErrorCode, invalidArgument, notFound } from '@cairn/core';
import { type BlobSink, blobStoreSink, type ManifestDiff } from '@cairn/fileset';
import {
  type BlobStore,
  type DataVersionRow,
  isUniqueViolation,
  type MetadataStore,
  missingWorkspaceBlobs,
  recordWorkspaceBlobs,
  SHA256_PATTERN,
} from '@cairn/store';
import { audit, type RequestContext } from '@cairn/tracking';
import {
  type DataFileEntry,
  type DataManifest,
  diffDataManifests,
  parseDataManifest,
  serializeDataManifest,
  totalBytes,
} from '../manifest/data-manifest.js';
import { previewTable, type TablePreview } from '../tabular/preview-table.js';
import { profileTable, type TableProfile } from '../tabular/profile-table.js';
import { type TableSource, tableSourceFromPath } from '../tabular/table-source.js';
import { uploadLocalData } from '../upload/upload-local-data.js';
import {
  DATA_TYPES,
  type DataAsset,
  type DataType,
  type DataVersion,
  toDataAsset,
  toDataVersion,
} from './data-records.js';
import type { SourceResolver } from './source.js';
import { changesSince, type LocalHasher, scanSource, sourcePathOf, sourceUnchanged } from './source-scan.js';

/** Asset names as Azure ML allows them; versions likewise, and never `latest`. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** How many paths of each kind a stored diff keeps; the diff route computes the full lists. */
const DIFF_SAMPLE = 100;
export const MIN_REFRESH_INTERVAL_SECONDS = 10;
/** Manifests kept parsed (a 100k-file manifest is about 30 MB in memory). */
const MANIFEST_CACHE_SIZE = 8;

export interface DataServiceOptions {
  store: MetadataStore;
  blobs: BlobStore;
  resolveSource: SourceResolver;
  /** Hashes local files on all cores with a stat cache (referenced local folders). */
  hashLocal?: LocalHasher;
  /** Checks an MLTable file's text when an `mltable` version is registered; throws INVALID_ARGUMENT. */
  checkMLTable?: (text: string, file: string) => void;
  /** Where versions' files are materialised for preview and profile, and their results cached. */
  cacheDir: string;
  /** Called after a version is created (register, refresh, job output): pipelines trigger on it. */
  onVersionCreated?: (event: DataVersionEvent) => void;
}

export interface DataVersionEvent {
  id: number;
  workspaceId: string;
  name: string;
  version: string;
  /** How it was made. */
  cause: 'register' | 'refresh' | 'job_output';
  diff: { added: number; changed: number; removed: number } | null;
  at: number;
}

export interface CreateVersionInput {
  name: string;
  /** Default: the next whole number. */
  version?: string | null;
  type?: DataType;
  description?: string;
  tags?: Record<string, string>;
  /** A datastore URI (`azureml://datastores/<name>/paths/<path>`) or an http(s) URL: referenced in place. */
  path?: string | null;
  /** An uploaded manifest (the client hashed and uploaded the files): its sha256. */
  manifestId?: string | null;
  /** For uploads: where the client read the files, shown with the version (e.g. `./data`). */
  uploadedFrom?: string | null;
  /** Watch `path` and make a new version when its files change, at most this often. */
  refreshIntervalSeconds?: number | null;
}

/** The stored diff: counts, and the first paths of each kind. */
export interface DiffSummary {
  added: number;
  changed: number;
  removed: number;
  sample: ManifestDiff;
}

export interface Lineage {
  consumedBy: LineageLink[];
  producedBy: LineageLink[];
}

export interface LineageLink {
  runId: string;
  jobName: string | null;
  port: string;
  name: string;
  version: string;
  at: number;
}

/**
 * Data assets of a workspace: versions registered from uploads or referenced in place from datastores
 * and URLs, each pinned by a manifest of every file's content hash; refresh; reads that refuse changed
 * sources; lineage between versions and runs.
 */
export class DataService {
  readonly #o: DataServiceOptions;
  /** Parsed manifests by id, least recently used first. */
  readonly #manifests = new Map<string, DataManifest>();

  constructor(options: DataServiceOptions) {
    this.#o = options;
  }

  // ---- versions ----

  async createVersion(
    ctx: RequestContext,
    input: CreateVersionInput,
    cause: DataVersionEvent['cause'] = 'register',
  ): Promise<DataVersion> {
    const name = checkAssetName(input.name);
    const type = input.type ?? 'uri_folder';
    if (!DATA_TYPES.includes(type)) {
      throw invalidArgument(`Unknown data type '${type}': use one of ${DATA_TYPES.join(', ')}`, {
        field: 'type',
      });
    }
    if (input.version !== undefined && input.version !== null) checkVersion(input.version);
    const hasPath = input.path !== undefined && input.path !== null && input.path !== '';
    const hasManifest = input.manifestId !== undefined && input.manifestId !== null;
    if (hasPath === hasManifest) {
      throw invalidArgument(
        "Give exactly one of 'path' (a datastore URI or URL, referenced in place) and 'manifestId' (uploaded files)",
        { field: hasPath ? 'manifestId' : 'path' },
      );
    }
    const interval = input.refreshIntervalSeconds ?? null;
    if (interval !== null) {
      if (!hasPath) {
        throw invalidArgument(
          'Only data referenced from a datastore can refresh itself: give a datastore path',
          {
            field: 'refresh',
          },
        );
      }
      if (!Number.isInteger(interval) || interval < MIN_REFRESH_INTERVAL_SECONDS) {
        throw invalidArgument(
          `The refresh interval must be a whole number of seconds, at least ${MIN_REFRESH_INTERVAL_SECONDS}`,
          { field: 'refresh' },
        );
      }
    }
    if (input.version) await this.#assertVersionFree(ctx.workspaceId, name, input.version);

    let manifest: DataManifest;
    let manifestId: string;
    let source: string;
    if (hasManifest) {
      manifestId = input.manifestId as string;
      manifest = await this.#verifyUploadedManifest(ctx.workspaceId, manifestId);
      if (type === 'uri_file' && manifest.entries.length !== 1) {
        throw invalidArgument(
          `A uri_file version holds one file; the upload has ${manifest.entries.length}`,
          {
            field: 'type',
          },
        );
      }
      source = input.uploadedFrom ? `upload:${input.uploadedFrom}` : 'upload';
    } else {
      const resolved = await this.#o.resolveSource(ctx.workspaceId, input.path as string);
      const known = await this.#latestManifestFromSource(ctx.workspaceId, name, resolved.uri);
      manifest = (await scanSource({ type, source: resolved, known, hashLocal: this.#o.hashLocal })).manifest;
      manifestId = await this.#storeManifest(ctx.workspaceId, manifest);
      source = resolved.uri;
    }
    if (type === 'mltable') await this.#checkMLTable(ctx.workspaceId, manifest, hasManifest, input.path);

    return this.#insertVersion(ctx, {
      name,
      version: input.version ?? null,
      type,
      storage: hasManifest ? 'uploaded' : 'referenced',
      source,
      manifestId,
      manifest,
      description: input.description ?? '',
      tags: input.tags ?? {},
      refresh: interval === null ? undefined : { source, intervalSeconds: interval },
      cause,
    });
  }

  async getVersion(workspaceId: string, name: string, version: string): Promise<DataVersion> {
    return toDataVersion(await this.#versionRow(workspaceId, name, version));
  }

  async listVersions(workspaceId: string, name: string, includeArchived = false): Promise<DataVersion[]> {
    await this.getAsset(workspaceId, name);
    let q = this.#o.store.db
      .selectFrom('data_versions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name);
    if (!includeArchived) q = q.where('archived', '=', 0);
    return (await q.orderBy('seq', 'desc').execute()).map(toDataVersion);
  }

  async getAsset(workspaceId: string, name: string): Promise<DataAsset> {
    const row = await this.#o.store.db
      .selectFrom('data_assets')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw notFound(`Data asset '${name}' does not exist`, { field: 'name' });
    return toDataAsset(row, await this.#latest(workspaceId, name));
  }

  async listAssets(workspaceId: string, includeArchived = false): Promise<DataAsset[]> {
    let q = this.#o.store.db.selectFrom('data_assets').selectAll().where('workspace_id', '=', workspaceId);
    if (!includeArchived) q = q.where('archived', '=', 0);
    const rows = await q.orderBy('updated_at', 'desc').execute();
    const latest = await this.#o.store.db
      .selectFrom('data_versions')
      .select(['name', 'version', 'seq'])
      .where('workspace_id', '=', workspaceId)
      .where('archived', '=', 0)
      .execute();
    const byName = new Map<string, { version: string; seq: number; count: number }>();
    for (const v of latest) {
      const cur = byName.get(v.name);
      if (!cur) byName.set(v.name, { version: v.version, seq: Number(v.seq), count: 1 });
      else {
        cur.count += 1;
        if (Number(v.seq) > cur.seq) Object.assign(cur, { version: v.version, seq: Number(v.seq) });
      }
    }
    return rows.map((row) => toDataAsset(row, byName.get(row.name) ?? null));
  }

  /** Archives (hides from lists and `@latest`) or restores a version, or the whole asset when `version` is null. */
  async setArchived(
    ctx: RequestContext,
    name: string,
    version: string | null,
    archived: boolean,
  ): Promise<void> {
    const flag = archived ? 1 : 0;
    const { db } = this.#o.store;
    if (version === null) {
      await this.getAsset(ctx.workspaceId, name);
      await db
        .updateTable('data_assets')
        .set({ archived: flag, updated_at: Date.now() })
        .where('workspace_id', '=', ctx.workspaceId)
        .where('name', '=', name)
        .execute();
    } else {
      await this.#versionRow(ctx.workspaceId, name, version);
      await db
        .updateTable('data_versions')
        .set({ archived: flag })
        .where('workspace_id', '=', ctx.workspaceId)
        .where('name', '=', name)
        .where('version', '=', version)
        .execute();
    }
    await audit(
      db,
      ctx,
      archived ? 'data.archive' : 'data.restore',
      'data',
      version ? `${name}:${version}` : name,
    );
  }

  /** A version's manifest; manifests are immutable, so the last few read are kept parsed. */
  async manifest(version: DataVersion): Promise<DataManifest> {
    return this.#manifestById(version.manifestId);
  }

  async #manifestById(id: string): Promise<DataManifest> {
    const cached = this.#manifests.get(id);
    if (cached) {
      this.#manifests.delete(id);
      this.#manifests.set(id, cached);
      return cached;
    }
    const manifest = await readDataManifest(this.#o.blobs, id);
    this.#remember(id, manifest);
    return manifest;
  }

  #remember(id: string, manifest: DataManifest): void {
    this.#manifests.set(id, manifest);
    while (this.#manifests.size > MANIFEST_CACHE_SIZE) {
      this.#manifests.delete(this.#manifests.keys().next().value as string);
    }
  }

  /** The full diff between two versions of an asset. */
  async diff(workspaceId: string, name: string, from: string, to: string): Promise<ManifestDiff> {
    const [a, b] = await Promise.all([
      this.getVersion(workspaceId, name, from),
      this.getVersion(workspaceId, name, to),
    ]);
    return diffDataManifests(await this.manifest(a), await this.manifest(b));
  }

  // ---- reading ----

  /**
   * Reads one file of a version. A referenced version whose source file no longer matches what was
   * recorded is refused (CONFLICT), never served; the bytes are checked against the recorded sha256 as
   * they stream, and a mismatch ends the stream with an error.
   */
  async openFile(
    workspaceId: string,
    version: DataVersion,
    entry: DataFileEntry,
    range?: { start: number; end?: number },
  ): Promise<Readable> {
    if (version.storage === 'uploaded') return this.#o.blobs.get(entry.sha256, range);
    const source = await this.#o.resolveSource(workspaceId, version.source);
    const path = sourcePathOf(version.type, source, entry.path);
    const now = await source.adapter.stat(path);
    if (!now || !sourceUnchanged(entry, { ...now, path: entry.path })) {
      throw sourceChanged(version, [entry.path], now ? 'changed' : 'removed');
    }
    const stream = await source.adapter.open(
      path,
      range && {
        offset: range.start,
        ...(range.end === undefined ? {} : { length: range.end - range.start + 1 }),
      },
    );
    return range ? stream : verifyingStream(stream, entry, version);
  }

  /** What changed at a referenced version's source since it was registered (empty lists: nothing). */
  async sourceChanges(workspaceId: string, version: DataVersion): Promise<ManifestDiff> {
    if (version.storage === 'uploaded') return { added: [], changed: [], removed: [] };
    const source = await this.#o.resolveSource(workspaceId, version.source);
    return changesSince(version.type, source, await this.manifest(version));
  }

  /**
   * Writes a version's files under `dest` (a folder; for `uri_file` the file goes inside it). Refuses a
   * referenced version whose source changed. Returns the path a job should see: the folder, or the file.
   */
  async materialize(
    workspaceId: string,
    version: DataVersion,
    dest: string,
    options: { readOnly?: boolean } = {},
  ): Promise<string> {
    const manifest = await this.manifest(version);
    const changes = await this.sourceChanges(workspaceId, version);
    if (changes.changed.length + changes.removed.length > 0) {
      throw sourceChanged(version, [...changes.changed, ...changes.removed], 'changed');
    }
    await mkdir(dest, { recursive: true });
    for (const entry of manifest.entries) {
      const target = join(dest, ...entry.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      await pipeline(
        await this.openFile(workspaceId, version, entry),
        createWriteStream(partial, { mode: options.readOnly ? 0o444 : 0o644 }),
      );
      await rename(partial, target);
    }
    return readPath(version, manifest, dest);
  }

  /** A referenced local folder's own path when the version still matches it (used in place, no copy). */
  async localPathInPlace(workspaceId: string, version: DataVersion): Promise<string | null> {
    if (version.storage !== 'referenced') return null;
    const source = await this.#o.resolveSource(workspaceId, version.source);
    if (!source.adapter.localPath) return null;
    const changes = await this.sourceChanges(workspaceId, version);
    if (changes.changed.length + changes.removed.length + changes.added.length > 0) {
      throw sourceChanged(version, [...changes.changed, ...changes.removed, ...changes.added], 'changed');
    }
    return source.adapter.localPath(source.path);
  }

  /**
   * Registers a file or folder on the server's own disk (a job's output, a sample dataset) as an
   * uploaded version: hashed on all cores, content stored once.
   */
  async registerLocalPath(
    ctx: RequestContext,
    input: Omit<CreateVersionInput, 'path' | 'manifestId' | 'refreshIntervalSeconds'> & { localPath: string },
    cause: DataVersionEvent['cause'] = 'register',
  ): Promise<DataVersion> {
    const { manifestId } = await uploadLocalData({
      path: input.localPath,
      type: input.type ?? 'uri_folder',
      sink: this.workspaceSink(ctx.workspaceId),
    });
    const { localPath: _, ...rest } = input;
    return this.createVersion(ctx, { ...rest, manifestId }, cause);
  }

  /** A blob sink that records what it stores as held by the workspace (server-side uploads). */
  workspaceSink(workspaceId: string): BlobSink {
    const { store, blobs } = this.#o;
    const inner = blobStoreSink(blobs);
    return {
      concurrency: inner.concurrency,
      missing: async (sha256s) => new Set(await missingWorkspaceBlobs(store.db, workspaceId, sha256s)),
      put: async (body, expected) => {
        const stored = await inner.put(body, expected);
        if (stored.sha256 === expected.sha256) await recordWorkspaceBlobs(store.db, workspaceId, [stored]);
        return stored;
      },
    };
  }

  // ---- preview and profile ----

  /**
   * A local folder holding the version's files, for reading as a table: a referenced local folder in
   * place (checked unchanged), otherwise a copy under the cache, made once per manifest.
   */
  async localCopy(workspaceId: string, version: DataVersion): Promise<string> {
    const inPlace = await this.localPathInPlace(workspaceId, version);
    if (inPlace !== null) return inPlace;
    const dir = join(this.#o.cacheDir, 'files', version.manifestId);
    if (!(await stat(join(dir, '.complete')).catch(() => null))) {
      const partial = `${dir}.partial-${process.pid}-${Date.now()}`;
      await this.materialize(workspaceId, version, partial);
      await writeFile(join(partial, '.complete'), '');
      await rm(dir, { recursive: true, force: true });
      await rename(partial, dir);
    }
    return readPath(version, await this.manifest(version), dir);
  }

  /** First rows and schema of a tabular version (or of one file of it, `path`). */
  async preview(
    workspaceId: string,
    version: DataVersion,
    options: { rows?: number; path?: string } = {},
  ): Promise<TablePreview> {
    const source = await this.#tableSource(workspaceId, version, options.path);
    return previewTable({ source, limit: options.rows ?? 100 });
  }

  /** Per-column statistics of a tabular version, computed once per version and file and cached. */
  async profile(
    workspaceId: string,
    version: DataVersion,
    options: { path?: string } = {},
  ): Promise<TableProfile> {
    const key = createHash('sha256')
      .update(`${version.manifestId}\0${options.path ?? ''}`)
      .digest('hex');
    const file = join(this.#o.cacheDir, 'profiles', `${key}.json`);
    const cached = await readFile(file, 'utf8').catch(() => null);
    if (cached !== null) return JSON.parse(cached) as TableProfile;
    const profile = await profileTable({
      source: await this.#tableSource(workspaceId, version, options.path),
    });
    await mkdir(dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(profile));
    await rename(`${file}.tmp`, file);
    return profile;
  }

  async #tableSource(
    workspaceId: string,
    version: DataVersion,
    path: string | undefined,
  ): Promise<TableSource> {
    const root = await this.localCopy(workspaceId, version);
    if (path === undefined || version.type === 'uri_file') return tableSourceFromPath(root);
    const manifest = await this.manifest(version);
    if (!manifest.entries.some((e) => e.path === path || e.path.startsWith(`${path.replace(/\/+$/, '')}/`))) {
      throw notFound(`${version.name}:${version.version} has no file or folder '${path}'`, { field: 'path' });
    }
    return tableSourceFromPath(join(root, ...path.split('/')));
  }

  // ---- refresh ----

  /**
   * Looks at the source of the asset's latest referenced version (or its watched source) and, when
   * files were added, changed or removed, registers a new version with that diff. Only files whose
   * size and mtime/inode or ETag differ are read.
   */
  async refresh(
    ctx: RequestContext,
    name: string,
  ): Promise<{ version: DataVersion | null; diff: DiffSummary }> {
    const asset = await this.getAsset(ctx.workspaceId, name);
    const latest = asset.latestVersion
      ? await this.getVersion(ctx.workspaceId, name, asset.latestVersion)
      : null;
    const sourceUri = asset.refresh?.source ?? (latest?.storage === 'referenced' ? latest.source : null);
    if (!sourceUri || !latest) {
      throw invalidArgument(
        `Data asset '${name}' has no referenced source to refresh from: it was uploaded; upload a new version instead`,
        { field: 'name' },
      );
    }
    const resolved = await this.#o.resolveSource(ctx.workspaceId, sourceUri);
    const previous = await this.manifest(latest);
    const { manifest } = await scanSource({
      type: latest.type,
      source: resolved,
      known: previous,
      hashLocal: this.#o.hashLocal,
    });
    const diff = diffDataManifests(previous, manifest);
    const summary = summarize(diff);
    await this.#scheduleNextRefresh(ctx.workspaceId, name);
    if (summary.added + summary.changed + summary.removed === 0) {
      return { version: null, diff: summary };
    }
    const manifestId = await this.#storeManifest(ctx.workspaceId, manifest);
    const version = await this.#insertVersion(ctx, {
      name,
      version: null,
      type: latest.type,
      storage: 'referenced',
      source: resolved.uri,
      manifestId,
      manifest,
      description: latest.description,
      tags: latest.tags,
      cause: 'refresh',
      diff: summary,
    });
    return { version, diff: summary };
  }

  /** Assets whose watched source is due for a look (the refresher's tick). */
  async dueRefreshes(now: number, limit = 20): Promise<{ workspaceId: string; name: string }[]> {
    return (
      await this.#o.store.db
        .selectFrom('data_assets')
        .select(['workspace_id', 'name'])
        .where('watch_source', 'is not', null)
        .where('archived', '=', 0)
        .where('next_refresh_at', '<=', now)
        .orderBy('next_refresh_at')
        .limit(limit)
        .execute()
    ).map((r) => ({ workspaceId: r.workspace_id, name: r.name }));
  }

  /** Moves a failed refresh to the next interval (so one broken source does not spin). */
  postponeRefresh(workspaceId: string, name: string): Promise<void> {
    return this.#scheduleNextRefresh(workspaceId, name);
  }

  async #scheduleNextRefresh(workspaceId: string, name: string): Promise<void> {
    const row = await this.#o.store.db
      .selectFrom('data_assets')
      .select('watch_interval_seconds')
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row?.watch_interval_seconds) return;
    await this.#o.store.db
      .updateTable('data_assets')
      .set({ next_refresh_at: Date.now() + Number(row.watch_interval_seconds) * 1000 })
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .execute();
  }

  /** Changes or stops an asset's automatic refresh. */
  async setRefresh(ctx: RequestContext, name: string, intervalSeconds: number | null): Promise<DataAsset> {
    const asset = await this.getAsset(ctx.workspaceId, name);
    if (intervalSeconds !== null) {
      if (!Number.isInteger(intervalSeconds) || intervalSeconds < MIN_REFRESH_INTERVAL_SECONDS) {
        throw invalidArgument(
          `The refresh interval must be a whole number of seconds, at least ${MIN_REFRESH_INTERVAL_SECONDS}`,
          { field: 'intervalSeconds' },
        );
      }
    }
    const latest = asset.latestVersion
      ? await this.getVersion(ctx.workspaceId, name, asset.latestVersion)
      : null;
    const source = asset.refresh?.source ?? (latest?.storage === 'referenced' ? latest.source : null);
    if (intervalSeconds !== null && source === null) {
      throw invalidArgument(`Data asset '${name}' was uploaded, so it has no source to watch`, {
        field: 'name',
      });
    }
    await this.#o.store.db
      .updateTable('data_assets')
      .set({
        watch_source: intervalSeconds === null ? null : source,
        watch_interval_seconds: intervalSeconds,
        next_refresh_at: intervalSeconds === null ? null : Date.now() + intervalSeconds * 1000,
        updated_at: Date.now(),
      })
      .where('workspace_id', '=', ctx.workspaceId)
      .where('name', '=', name)
      .execute();
    await audit(this.#o.store.db, ctx, 'data.set_refresh', 'data', name, { intervalSeconds });
    return this.getAsset(ctx.workspaceId, name);
  }

  /** New-version events after `afterId`, oldest first (what a pipeline trigger polls). */
  async events(workspaceId: string, afterId = 0, limit = 100): Promise<DataVersionEvent[]> {
    const rows = await this.#o.store.db
      .selectFrom('data_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => {
      const payload = JSON.parse(r.payload) as Pick<DataVersionEvent, 'cause' | 'diff'>;
      return {
        id: Number(r.id),
        workspaceId: r.workspace_id,
        name: r.asset_name,
        version: r.asset_version,
        cause: payload.cause,
        diff: payload.diff,
        at: Number(r.at),
      };
    });
  }

  // ---- lineage ----

  async recordLineage(
    workspaceId: string,
    link: {
      runId: string;
      jobName: string | null;
      direction: 'input' | 'output';
      port: string;
      name: string;
      version: string;
    },
  ): Promise<void> {
    await this.#o.store.db
      .insertInto('data_lineage')
      .values({
        workspace_id: workspaceId,
        run_id: link.runId,
        job_name: link.jobName,
        direction: link.direction,
        port: link.port,
        asset_name: link.name,
        asset_version: link.version,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'run_id', 'direction', 'port']).doNothing())
      .execute();
  }

  /** The runs that consumed and produced a version. */
  async lineageOfVersion(workspaceId: string, name: string, version: string): Promise<Lineage> {
    await this.#versionRow(workspaceId, name, version);
    const rows = await this.#o.store.db
      .selectFrom('data_lineage')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('asset_name', '=', name)
      .where('asset_version', '=', version)
      .orderBy('created_at')
      .execute();
    return splitLineage(rows);
  }

  /** A run's input versions (`consumedBy` holds them) and output versions (`producedBy`). */
  async lineageOfRun(
    workspaceId: string,
    runId: string,
  ): Promise<{ inputs: LineageLink[]; outputs: LineageLink[] }> {
    const rows = await this.#o.store.db
      .selectFrom('data_lineage')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('run_id', '=', runId)
      .orderBy('created_at')
      .execute();
    const { consumedBy, producedBy } = splitLineage(rows);
    return { inputs: consumedBy, outputs: producedBy };
  }

  // ---- internals ----

  async #versionRow(workspaceId: string, name: string, version: string): Promise<DataVersionRow> {
    let q = this.#o.store.db
      .selectFrom('data_versions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name);
    q =
      version === 'latest'
        ? q.where('archived', '=', 0).orderBy('seq', 'desc').limit(1)
        : q.where('version', '=', version);
    const row = await q.executeTakeFirst();
    if (!row) {
      throw notFound(
        version === 'latest'
          ? `Data asset '${name}' has no versions (or all are archived)`
          : `Data asset '${name}' has no version '${version}'`,
        { field: 'version' },
      );
    }
    return row;
  }

  async #latest(workspaceId: string, name: string): Promise<{ version: string; count: number } | null> {
    const rows = await this.#o.store.db
      .selectFrom('data_versions')
      .select(['version', 'seq'])
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .where('archived', '=', 0)
      .orderBy('seq', 'desc')
      .execute();
    const first = rows[0];
    return first ? { version: first.version, count: rows.length } : null;
  }

  async #assertVersionFree(workspaceId: string, name: string, version: string): Promise<void> {
    const taken = await this.#o.store.db
      .selectFrom('data_versions')
      .select('version')
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    if (taken) throw versionExists(name, version);
  }

  async #latestManifestFromSource(
    workspaceId: string,
    name: string,
    uri: string,
  ): Promise<DataManifest | null> {
    const row = await this.#o.store.db
      .selectFrom('data_versions')
      .select('manifest_id')
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .where('source', '=', uri)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? this.#manifestById(row.manifest_id) : null;
  }

  async #verifyUploadedManifest(workspaceId: string, manifestId: string): Promise<DataManifest> {
    if (!SHA256_PATTERN.test(manifestId)) {
      throw invalidArgument(`'${manifestId}' is not a manifest id (a lowercase hex sha256)`, {
        field: 'manifestId',
      });
    }
    const [missingManifest] = await missingWorkspaceBlobs(this.#o.store.db, workspaceId, [manifestId]);
    if (missingManifest !== undefined) {
      throw invalidArgument(`Manifest ${manifestId} was not uploaded to this workspace: upload it first`, {
        field: 'manifestId',
      });
    }
    const manifest = await readDataManifest(this.#o.blobs, manifestId);
    if (manifest.entries.length === 0) {
      throw invalidArgument('The upload holds no files: a data version needs at least one', {
        field: 'manifestId',
      });
    }
    const missing = await missingWorkspaceBlobs(
      this.#o.store.db,
      workspaceId,
      manifest.entries.map((e) => e.sha256),
    );
    if (missing.length > 0) {
      const first = manifest.entries.find((e) => e.sha256 === missing[0]);
      throw invalidArgument(
        `The manifest names ${missing.length} file content(s) not uploaded to this workspace (first: '${first?.path}'); upload them and register again`,
        { field: 'manifestId' },
      );
    }
    return manifest;
  }

  async #storeManifest(workspaceId: string, manifest: DataManifest): Promise<string> {
    const stored = await this.#o.blobs.put(Readable.from(serializeDataManifest(manifest)));
    await recordWorkspaceBlobs(this.#o.store.db, workspaceId, [stored]);
    this.#remember(stored.sha256, manifest);
    return stored.sha256;
  }

  async #checkMLTable(
    workspaceId: string,
    manifest: DataManifest,
    uploaded: boolean,
    path: string | null | undefined,
  ): Promise<void> {
    const entry = manifest.entries.find((e) => e.path === 'MLTable');
    if (!entry) {
      throw invalidArgument("An mltable version needs a file named 'MLTable' at the top of its folder", {
        field: 'path',
      });
    }
    if (!this.#o.checkMLTable) return;
    const chunks: Buffer[] = [];
    const stream = uploaded
      ? await this.#o.blobs.get(entry.sha256)
      : await (async () => {
          const source = await this.#o.resolveSource(workspaceId, path as string);
          return source.adapter.open(sourcePathOf('mltable', source, 'MLTable'));
        })();
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    this.#o.checkMLTable(Buffer.concat(chunks).toString('utf8'), 'MLTable');
  }

  async #insertVersion(
    ctx: RequestContext,
    v: {
      name: string;
      version: string | null;
      type: DataType;
      storage: 'uploaded' | 'referenced';
      source: string;
      manifestId: string;
      manifest: DataManifest;
      description: string;
      tags: Record<string, string>;
      refresh?: { source: string; intervalSeconds: number };
      cause: DataVersionEvent['cause'];
      /** Against the latest version, when the caller has it already. */
      diff?: DiffSummary;
    },
  ): Promise<DataVersion> {
    const { db } = this.#o.store;
    const previous = v.diff ? null : await this.#latest(ctx.workspaceId, v.name);
    const diff =
      v.diff ??
      (previous === null
        ? null
        : summarize(
            diffDataManifests(
              await this.manifest(await this.getVersion(ctx.workspaceId, v.name, previous.version)),
              v.manifest,
            ),
          ));
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction().execute(async (trx) => {
          const now = Date.now();
          await trx
            .insertInto('data_assets')
            .values({
              workspace_id: ctx.workspaceId,
              name: v.name,
              description: v.description,
              tags: JSON.stringify(v.tags),
              watch_source: null,
              watch_interval_seconds: null,
              next_refresh_at: null,
              created_by: ctx.actor,
              created_at: now,
              updated_at: now,
            })
            .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing())
            .execute();
          const asset = await trx
            .selectFrom('data_assets')
            .select(['next_version'])
            .where('workspace_id', '=', ctx.workspaceId)
            .where('name', '=', v.name)
            .executeTakeFirstOrThrow();
          const seqRow = await trx
            .selectFrom('data_versions')
            .select((eb) => eb.fn.max('seq').as('seq'))
            .where('workspace_id', '=', ctx.workspaceId)
            .where('name', '=', v.name)
            .executeTakeFirst();
          const seq = Number(seqRow?.seq ?? 0) + 1;
          let version = v.version;
          let nextNumber = Number(asset.next_version);
          if (version === null) {
            const used = new Set(
              (
                await trx
                  .selectFrom('data_versions')
                  .select('version')
                  .where('workspace_id', '=', ctx.workspaceId)
                  .where('name', '=', v.name)
                  .execute()
              ).map((r) => r.version),
            );
            while (used.has(String(nextNumber))) nextNumber++;
            version = String(nextNumber);
            nextNumber++;
          } else if (/^\d+$/.test(version) && Number(version) >= nextNumber) {
            nextNumber = Number(version) + 1;
          }
          const row: DataVersionRow = {
            workspace_id: ctx.workspaceId,
            name: v.name,
            version,
            seq,
            type: v.type,
            storage: v.storage,
            source: v.source,
            manifest_id: v.manifestId,
            file_count: v.manifest.entries.length,
            total_bytes: totalBytes(v.manifest),
            description: v.description,
            tags: JSON.stringify(v.tags),
            diff: diff === null ? null : JSON.stringify(diff),
            archived: 0,
            created_by: ctx.actor,
            created_at: now,
          };
          await trx.insertInto('data_versions').values(row).execute();
          await trx
            .updateTable('data_assets')
            .set({
              next_version: nextNumber,
              updated_at: now,
              ...(v.refresh
                ? {
                    watch_source: v.refresh.source,
                    watch_interval_seconds: v.refresh.intervalSeconds,
                    next_refresh_at: now + v.refresh.intervalSeconds * 1000,
                  }
                : {}),
            })
            .where('workspace_id', '=', ctx.workspaceId)
            .where('name', '=', v.name)
            .execute();
          const counts = diff && { added: diff.added, changed: diff.changed, removed: diff.removed };
          const inserted = await trx
            .insertInto('data_events')
            .values({
              workspace_id: ctx.workspaceId,
              kind: 'version_created',
              asset_name: v.name,
              asset_version: version,
              payload: JSON.stringify({ cause: v.cause, diff: counts }),
              at: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await audit(trx, ctx, 'data.create_version', 'data', `${v.name}:${version}`, {
            storage: v.storage,
            source: v.source,
            files: row.file_count,
            bytes: row.total_bytes,
            cause: v.cause,
          });
          const created = toDataVersion(row);
          queueMicrotask(() =>
            this.#o.onVersionCreated?.({
              id: Number(inserted.id),
              workspaceId: ctx.workspaceId,
              name: v.name,
              version: created.version,
              cause: v.cause,
              diff: counts ?? null,
              at: now,
            }),
          );
          return created;
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (v.version !== null) throw versionExists(v.name, v.version);
        if (attempt >= 5) throw conflict(`Could not number a new version of '${v.name}': try again`);
      }
    }
  }
}

export function checkAssetName(name: string, field = 'name'): string {
  if (!ASSET_NAME.test(name)) {
    throw invalidArgument(
      `Invalid data asset name '${name}': use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 255)`,
      { field },
    );
  }
  return name;
}

function checkVersion(version: string): string {
  if (!VERSION.test(version) || version === 'latest') {
    throw invalidArgument(
      `Invalid version '${version}': use letters, digits, '.', '_' and '-' (not 'latest', which names the newest version)`,
      { field: 'version' },
    );
  }
  return version;
}

const versionExists = (name: string, version: string) =>
  alreadyExists(
    `Data asset '${name}' already has a version '${version}': versions are immutable; leave 'version' out to get the next number, or pick another`,
    { field: 'version' },
  );

function sourceChanged(version: DataVersion, paths: string[], what: 'changed' | 'removed'): CairnError {
  const shown = paths.slice(0, 5).join(', ') + (paths.length > 5 ? ` and ${paths.length - 5} more` : '');
  return conflict(
    `Data ${version.name}:${version.version} is referenced from ${version.source}, and its source ${what} since the version was registered (${shown}); the version is not served from changed bytes: run 'cairn data refresh ${version.name}' to register the new content as a new version`,
    { field: 'version', paths: paths.slice(0, 100) },
  );
}

function summarize(diff: ManifestDiff): DiffSummary {
  return {
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
    sample: {
      added: diff.added.slice(0, DIFF_SAMPLE),
      changed: diff.changed.slice(0, DIFF_SAMPLE),
      removed: diff.removed.slice(0, DIFF_SAMPLE),
    },
  };
}

function splitLineage(
  rows: readonly {
    run_id: string;
    job_name: string | null;
    direction: string;
    port: string;
    asset_name: string;
    asset_version: string;
    created_at: number;
  }[],
): Lineage {
  const link = (r: (typeof rows)[number]): LineageLink => ({
    runId: r.run_id,
    jobName: r.job_name,
    port: r.port,
    name: r.asset_name,
    version: r.asset_version,
    at: Number(r.created_at),
  });
  return {
    consumedBy: rows.filter((r) => r.direction === 'input').map(link),
    producedBy: rows.filter((r) => r.direction === 'output').map(link),
  };
}

/** Where a job reads a version written under `root`: the folder, or for a `uri_file` its one file. */
function readPath(version: DataVersion, manifest: DataManifest, root: string): string {
  const single = manifest.entries[0];
  return version.type === 'uri_file' && single ? join(root, ...single.path.split('/')) : root;
}

/** Reads and checks a data manifest blob. */
export async function readDataManifest(blobs: BlobStore, id: string): Promise<DataManifest> {
  let stream: Readable;
  try {
    stream = await blobs.get(id);
  } catch (err) {
    if (err instanceof CairnError && err.code === ErrorCode.NOT_FOUND) {
      throw notFound(`Manifest ${id} does not exist in this store`, { field: 'manifestId' });
    }
    throw err;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return parseDataManifest(Buffer.concat(chunks).toString('utf8'), id);
}

/** Passes the bytes through, failing the stream if they do not hash to the recorded sha256. */
function verifyingStream(stream: Readable, entry: DataFileEntry, version: DataVersion): Readable {
  const hash = createHash('sha256');
  let size = 0;
  async function* check() {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      yield bytes;
    }
    const sha = hash.digest('hex');
    if (sha !== entry.sha256 || size !== entry.size) {
      throw sourceChanged(version, [entry.path], 'changed');
    }
  }
  return Readable.from(check(), { objectMode: false });
}

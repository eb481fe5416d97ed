import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { conflict, invalidArgument, notFound } from '@cairn/core';
import type { BlobStore, Database, MetadataStore } from '@cairn/store';
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { rangeUnder, validateArtifactPath } from './artifact-path.js';

export { validateArtifactPath } from './artifact-path.js';

export interface ArtifactFile {
  path: string;
  size: number;
  sha256: string;
}

/** One entry of a folder listing, as MLflow's list returns it: `path` is relative to the listed folder. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  /** Null for folders. */
  fileSize: number | null;
}

export interface MultipartUpload {
  uploadId: string;
  workspaceId: string;
  path: string;
  numParts: number;
}

export interface ArtifactRepositoryOptions {
  store: MetadataStore;
  blobs: BlobStore;
  /** Clock for `created_at`; defaults to Date.now. */
  now?: () => number;
}

/** S3's bounds, which MLflow's multipart upload follows. */
const MAX_PARTS = 10_000;
const LIST_BATCH = 1000;
const INSERT_BATCH = 500;

/**
 * Artifact files of a workspace: a flat space of '/'-separated paths (`<experiment_id>/<run_id>/artifacts/<path>`,
 * as MLflow lays it out) recorded in `artifact_files`, with their bytes in the content-addressed blob
 * store. A row is written only after its blob is stored, so a crash never leaves a row without bytes.
 * Deleting a file removes its row only: blobs may be shared by other files, and are reclaimed by a
 * separate sweep of unreferenced blobs (not built yet).
 */
export class ArtifactRepository {
  readonly #db: Kysely<Database>;
  readonly #dialect: MetadataStore['dialect'];
  readonly #blobs: BlobStore;
  readonly #now: () => number;

  constructor(options: ArtifactRepositoryOptions) {
    this.#db = options.store.db;
    this.#dialect = options.store.dialect;
    this.#blobs = options.blobs;
    this.#now = options.now ?? Date.now;
  }

  /** Stores a file (replacing any file at `path`). */
  async put(
    workspaceId: string,
    path: string,
    body: Readable | AsyncIterable<Uint8Array>,
  ): Promise<ArtifactFile> {
    const p = validateArtifactPath(path);
    await this.#checkTreeShape(workspaceId, p);
    const { sha256, size } = await this.#blobs.put(body);
    await this.#record(workspaceId, [{ path: p, sha256, size }]);
    return { path: p, size, sha256 };
  }

  /** The file's row, or null. */
  async stat(workspaceId: string, path: string): Promise<ArtifactFile | null> {
    const p = validateArtifactPath(path);
    const row = await this.#db
      .selectFrom('artifact_files')
      .select(['path', 'size', 'sha256'])
      .where('workspace_id', '=', workspaceId)
      .where('path', '=', p)
      .executeTakeFirst();
    return row ? { path: row.path, size: Number(row.size), sha256: row.sha256 } : null;
  }

  /** Streams a file; `range` is inclusive, as HTTP ranges are. `size` is the whole file's size. */
  async open(
    workspaceId: string,
    path: string,
    range?: { start: number; end?: number },
  ): Promise<{ stream: Readable; size: number; sha256: string }> {
    const file = await this.stat(workspaceId, path);
    if (!file) throw notFound(`Artifact '${path}' does not exist`, { field: 'path' });
    if (
      range &&
      (!Number.isSafeInteger(range.start) || range.start < 0 || (range.end ?? range.start) < range.start)
    ) {
      throw invalidArgument(`Invalid byte range ${range.start}-${range.end ?? ''} for artifact '${path}'`, {
        field: 'range',
      });
    }
    return { stream: await this.#blobs.get(file.sha256, range), size: file.size, sha256: file.sha256 };
  }

  /**
   * Immediate children of folder `dir` ('' for the root), sorted by path; folders are derived from deeper
   * paths. A path that is a file, or holds nothing, lists as [].
   */
  async list(workspaceId: string, dir: string): Promise<ArtifactEntry[]> {
    const d = validateArtifactPath(dir, { folder: true, allowRoot: true });
    const range = rangeUnder(d);
    const prefix = range?.prefix ?? '';
    const entries: ArtifactEntry[] = [];
    // A folder with many files is skipped with one jump past its range instead of being read row by row.
    let cursor: { value: string; inclusive: boolean } | null = range
      ? { value: range.lower, inclusive: true }
      : null;
    for (;;) {
      let query = this.#db
        .selectFrom('artifact_files')
        .select(['path', 'size'])
        .where('workspace_id', '=', workspaceId)
        .orderBy(this.#bytes('path'))
        .limit(LIST_BATCH);
      if (cursor) query = query.where(this.#compare('path', cursor.inclusive ? '>=' : '>', cursor.value));
      if (range) query = query.where(this.#compare('path', '<', range.upper));
      const rows = await query.execute();
      for (const row of rows) {
        const rest = row.path.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash < 0) {
          entries.push({ path: rest, isDir: false, fileSize: Number(row.size) });
          continue;
        }
        const name = rest.slice(0, slash);
        const last = entries.at(-1);
        if (!(last?.isDir && last.path === name)) entries.push({ path: name, isDir: true, fileSize: null });
      }
      if (rows.length < LIST_BATCH) break;
      const lastRest = rows.at(-1)!.path.slice(prefix.length);
      const slash = lastRest.indexOf('/');
      cursor =
        slash < 0
          ? { value: rows.at(-1)!.path, inclusive: false }
          : { value: `${prefix}${lastRest.slice(0, slash)}0`, inclusive: true };
    }
    return entries;
  }

  /** Deletes a file, or a folder and everything under it. Returns how many files were removed. */
  async delete(workspaceId: string, pathOrDir: string): Promise<number> {
    const p = validateArtifactPath(pathOrDir, { folder: true });
    const range = rangeUnder(p)!;
    const result = await this.#db
      .deleteFrom('artifact_files')
      .where('workspace_id', '=', workspaceId)
      .where((eb) =>
        eb.or([
          eb('path', '=', p),
          eb.and([this.#compare('path', '>=', range.lower), this.#compare('path', '<', range.upper)]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Copies every file under `fromDir` (or the file `fromDir` itself) to the same relative path under
   * `toDir`, replacing files there. Bytes are shared, not copied. Returns how many files were copied.
   */
  async copyTree(workspaceId: string, fromDir: string, toDir: string): Promise<number> {
    const from = validateArtifactPath(fromDir, { field: 'fromDir', folder: true });
    const to = validateArtifactPath(toDir, { field: 'toDir', folder: true });
    if (to === from || to.startsWith(`${from}/`)) {
      throw invalidArgument(`Cannot copy '${from}' into itself ('${to}')`, { field: 'toDir' });
    }
    const range = rangeUnder(from)!;
    const rows = await this.#db
      .selectFrom('artifact_files')
      .select(['path', 'sha256', 'size'])
      .where('workspace_id', '=', workspaceId)
      .where((eb) =>
        eb.or([
          eb('path', '=', from),
          eb.and([this.#compare('path', '>=', range.lower), this.#compare('path', '<', range.upper)]),
        ]),
      )
      .execute();
    const files = rows.map((r) => ({
      path: r.path === from ? to : `${to}/${r.path.slice(range.prefix.length)}`,
      sha256: r.sha256,
      size: Number(r.size),
    }));
    await this.#record(workspaceId, files);
    return files.length;
  }

  /** Starts a multipart upload of the file `path` in `numParts` parts; returns its upload id. */
  async createMultipart(workspaceId: string, path: string, numParts: number): Promise<string> {
    const p = validateArtifactPath(path);
    if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) {
      throw invalidArgument(`num_parts must be an integer from 1 to ${MAX_PARTS}, got ${numParts}`, {
        field: 'num_parts',
      });
    }
    await this.#checkTreeShape(workspaceId, p);
    const id = randomUUID();
    await this.#db
      .insertInto('multipart_uploads')
      .values({ id, workspace_id: workspaceId, path: p, num_parts: numParts, created_at: this.#now() })
      .execute();
    return id;
  }

  /** The upload's workspace and path (for authorisation); NOT_FOUND for an unknown or finished upload. */
  async getMultipart(uploadId: string): Promise<MultipartUpload> {
    const row = await this.#db
      .selectFrom('multipart_uploads')
      .selectAll()
      .where('id', '=', uploadId)
      .executeTakeFirst();
    if (!row) {
      throw notFound(
        `Multipart upload '${uploadId}' does not exist (it may have been completed or aborted)`,
        {
          field: 'upload_id',
        },
      );
    }
    return {
      uploadId: row.id,
      workspaceId: row.workspace_id,
      path: row.path,
      numParts: Number(row.num_parts),
    };
  }

  /** Stores one part (re-sending a part replaces it); returns its ETag, the sha256 of its bytes. */
  async putPart(
    uploadId: string,
    partNumber: number,
    body: Readable | AsyncIterable<Uint8Array>,
  ): Promise<string> {
    const upload = await this.getMultipart(uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > upload.numParts) {
      throw invalidArgument(
        `part_number must be an integer from 1 to ${upload.numParts} (the upload's num_parts), got ${partNumber}`,
        { field: 'part_number' },
      );
    }
    const { sha256, size } = await this.#blobs.put(body);
    await this.#db
      .insertInto('multipart_upload_parts')
      .values({ upload_id: uploadId, part_number: partNumber, sha256, size, created_at: this.#now() })
      .onConflict((oc) =>
        oc.columns(['upload_id', 'part_number']).doUpdateSet((eb) => ({
          sha256: eb.ref('excluded.sha256'),
          size: eb.ref('excluded.size'),
          created_at: eb.ref('excluded.created_at'),
        })),
      )
      .execute();
    return sha256;
  }

  /** Joins the listed parts, in the order given, into the upload's file and ends the upload. */
  async completeMultipart(
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<ArtifactFile> {
    const upload = await this.getMultipart(uploadId);
    if (parts.length === 0)
      throw invalidArgument('parts is empty: list every uploaded part', { field: 'parts' });
    const stored = new Map(
      (
        await this.#db
          .selectFrom('multipart_upload_parts')
          .select(['part_number', 'sha256'])
          .where('upload_id', '=', uploadId)
          .execute()
      ).map((r) => [Number(r.part_number), r.sha256]),
    );
    const seen = new Set<number>();
    const blobs = parts.map((part, i) => {
      const sha256 = stored.get(part.partNumber);
      if (sha256 === undefined) {
        throw invalidArgument(`Part ${part.partNumber} of upload '${uploadId}' was never uploaded`, {
          field: `parts[${i}].part_number`,
        });
      }
      if (seen.has(part.partNumber)) {
        throw invalidArgument(`Part ${part.partNumber} is listed twice`, {
          field: `parts[${i}].part_number`,
        });
      }
      seen.add(part.partNumber);
      if (normalizeEtag(part.etag) !== sha256) {
        throw invalidArgument(
          `ETag of part ${part.partNumber} does not match the uploaded part; upload it again`,
          {
            field: `parts[${i}].etag`,
          },
        );
      }
      return sha256;
    });
    await this.#checkTreeShape(upload.workspaceId, upload.path);
    const source = this.#blobs;
    const joined = (async function* () {
      for (const sha256 of blobs) yield* (await source.get(sha256)) as AsyncIterable<Uint8Array>;
    })();
    const { sha256, size } = await this.#blobs.put(joined);
    // One transaction: the file appears and the upload disappears together.
    await this.#db.transaction().execute(async (trx) => {
      await this.#record(upload.workspaceId, [{ path: upload.path, sha256, size }], trx);
      await trx.deleteFrom('multipart_upload_parts').where('upload_id', '=', uploadId).execute();
      await trx.deleteFrom('multipart_uploads').where('id', '=', uploadId).execute();
    });
    return { path: upload.path, size, sha256 };
  }

  /** Ends an upload without creating its file. */
  async abortMultipart(uploadId: string): Promise<void> {
    await this.getMultipart(uploadId);
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('multipart_upload_parts').where('upload_id', '=', uploadId).execute();
      await trx.deleteFrom('multipart_uploads').where('id', '=', uploadId).execute();
    });
  }

  /** Upserts file rows (in batches, so a copied tree of any size fits the databases' parameter limits). */
  async #record(
    workspaceId: string,
    files: { path: string; sha256: string; size: number }[],
    db: Kysely<Database> = this.#db,
  ): Promise<void> {
    const now = this.#now();
    for (let i = 0; i < files.length; i += INSERT_BATCH) {
      await db
        .insertInto('artifact_files')
        .values(
          files.slice(i, i + INSERT_BATCH).map((f) => ({
            workspace_id: workspaceId,
            path: f.path,
            sha256: f.sha256,
            size: f.size,
            created_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'path']).doUpdateSet((eb) => ({
            sha256: eb.ref('excluded.sha256'),
            size: eb.ref('excluded.size'),
            created_at: eb.ref('excluded.created_at'),
          })),
        )
        .execute();
    }
  }

  /** Keeps the path space a tree: a file cannot sit where a folder is, nor under another file. */
  async #checkTreeShape(workspaceId: string, path: string): Promise<void> {
    const segments = path.split('/');
    const ancestors = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
    const range = rangeUnder(path)!;
    const clash = await this.#db
      .selectFrom('artifact_files')
      .select('path')
      .where('workspace_id', '=', workspaceId)
      .where((eb) =>
        eb.or([
          ...(ancestors.length > 0 ? [eb('path', 'in', ancestors)] : []),
          eb.and([this.#compare('path', '>=', range.lower), this.#compare('path', '<', range.upper)]),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    if (!clash) return;
    throw clash.path.startsWith(range.prefix)
      ? conflict(`Artifact path '${path}' is a folder (it holds '${clash.path}'); choose another name`, {
          field: 'path',
        })
      : conflict(`Artifact path '${path}' lies under '${clash.path}', which is a file; choose another path`, {
          field: 'path',
        });
  }

  /** `column` compared bytewise: PostgreSQL's default collation may not sort '/' where bytes do. */
  #bytes(column: 'path'): Expression<string> {
    return this.#dialect === 'postgres'
      ? sql<string>`${sql.ref(column)} collate "C"`
      : sql<string>`${sql.ref(column)}`;
  }

  #compare(column: 'path', op: '<' | '>' | '>=', value: string): Expression<SqlBool> {
    return sql<SqlBool>`${this.#bytes(column)} ${sql.raw(op)} ${value}`;
  }
}

/** ETags arrive as sent by S3-style clients, often quoted. */
function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
}

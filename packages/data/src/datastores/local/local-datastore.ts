import { constants, type Dirent, type Stats } from 'node:fs';
import { access, type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { CairnError, ErrorCode, invalidArgument, notFound, permissionDenied } from '@cairn/core';
import {
  type ByteRange,
  checkRange,
  type DatastoreAdapter,
  type SourceObject,
} from '../datastore-adapter.js';
import { joinDatastorePath, normaliseDatastorePath } from '../datastore-path.js';
import type { LocalDatastoreSpec } from '../datastore-spec.js';

/** Files stat'ed at once while walking: enough to keep the thread pool busy on a large folder. */
const STAT_BATCH = 64;

/**
 * A folder on the server's machine. Walks follow symbolic links to files (a data folder may be a farm of
 * links into a cache) but not to folders, which could loop; no ignore files apply.
 */
export class LocalDatastore implements DatastoreAdapter {
  readonly type = 'local';
  readonly name: string;
  readonly location: string;
  readonly #root: string;

  constructor(spec: LocalDatastoreSpec) {
    if (!isAbsolute(spec.path)) {
      throw invalidArgument(`Datastore '${spec.name}': path "${spec.path}" must be absolute`, {
        field: 'path',
      });
    }
    this.name = spec.name;
    this.#root = resolve(spec.path);
    this.location = this.#root;
  }

  /** The absolute local path of `path`; refuses any path that leads outside the datastore's folder. */
  localPath(path: string): string {
    const rel = normaliseDatastorePath(path);
    const abs = rel === '' ? this.#root : join(this.#root, rel);
    const back = relative(this.#root, abs);
    if (back === '..' || back.startsWith(`..${sep}`) || isAbsolute(back)) {
      throw invalidArgument(`"${path}" leads outside datastore '${this.name}'`, { field: 'path' });
    }
    return abs;
  }

  async check(): Promise<void> {
    let info: Stats;
    try {
      info = await stat(this.#root);
    } catch (err) {
      throw this.#fsError(err, '', 'folder');
    }
    if (!info.isDirectory()) {
      throw invalidArgument(
        `Datastore '${this.name}': ${this.#root} is not a folder; a local datastore's path is the folder that holds the data`,
        { field: 'path' },
      );
    }
    try {
      await access(this.#root, constants.R_OK | constants.X_OK);
    } catch (err) {
      throw this.#fsError(err, '', 'folder');
    }
  }

  async stat(path: string): Promise<SourceObject | null> {
    const rel = normaliseDatastorePath(path);
    let info: Stats;
    try {
      info = await stat(this.localPath(rel));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw this.#fsError(err, rel, 'file');
    }
    return info.isFile() ? toSourceObject(rel, info) : null;
  }

  async *list(path = ''): AsyncGenerator<SourceObject> {
    const rel = normaliseDatastorePath(path);
    const abs = this.localPath(rel);
    let info: Stats;
    try {
      info = await stat(abs);
    } catch (err) {
      throw this.#fsError(err, rel, 'file or folder');
    }
    if (info.isFile()) {
      yield toSourceObject(rel, info);
    } else if (info.isDirectory()) {
      yield* this.#walk(abs, rel);
    }
  }

  async *#walk(abs: string, rel: string): AsyncGenerator<SourceObject> {
    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      // A folder removed while walking simply has no files any more.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw this.#fsError(err, rel, 'folder');
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
    for (let i = 0; i < files.length; i += STAT_BATCH) {
      const batch = files.slice(i, i + STAT_BATCH);
      const infos = await Promise.all(
        batch.map((name) =>
          stat(join(abs, name)).catch((err: NodeJS.ErrnoException) => {
            // Gone since readdir, or a dangling link: not a file of the datastore.
            if (err.code === 'ENOENT' || err.code === 'ELOOP') return null;
            throw this.#fsError(err, joinDatastorePath(rel, name), 'file');
          }),
        ),
      );
      for (let j = 0; j < batch.length; j++) {
        const fileInfo = infos[j];
        if (fileInfo?.isFile()) yield toSourceObject(joinDatastorePath(rel, batch[j]!), fileInfo);
      }
    }
    for (const entry of entries) {
      if (entry.isDirectory()) yield* this.#walk(join(abs, entry.name), joinDatastorePath(rel, entry.name));
    }
  }

  async open(path: string, range?: ByteRange): Promise<Readable> {
    const rel = normaliseDatastorePath(path);
    const span = checkRange(range);
    let handle: FileHandle;
    try {
      handle = await open(this.localPath(rel), 'r');
    } catch (err) {
      throw this.#fsError(err, rel, 'file');
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw invalidArgument(`Datastore '${this.name}': "${rel}" is a folder, not a file`, { field: 'path' });
    }
    if (span !== undefined && span.end !== undefined && span.end <= span.offset) {
      await handle.close();
      return Readable.from([]);
    }
    return handle.createReadStream({
      start: span?.offset ?? 0,
      ...(span?.end === undefined ? {} : { end: span.end - 1 }),
      autoClose: true,
    });
  }

  async close(): Promise<void> {}

  #fsError(err: unknown, rel: string, what: string): CairnError {
    const code = (err as NodeJS.ErrnoException).code;
    const where = rel === '' ? `folder ${this.#root}` : `${what} "${rel}" (${join(this.#root, rel)})`;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return rel === ''
        ? notFound(
            `Datastore '${this.name}': folder ${this.#root} does not exist: create it, or fix the path`,
          )
        : notFound(`Datastore '${this.name}' has no ${where}`);
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return permissionDenied(
        `Datastore '${this.name}': the server may not read ${where}: give the user the server runs as read access`,
      );
    }
    if (code === 'EISDIR')
      return invalidArgument(`Datastore '${this.name}': "${rel}" is a folder, not a file`);
    return new CairnError(
      ErrorCode.INTERNAL,
      `Datastore '${this.name}': cannot read ${where} (${code})`,
      {},
      {
        cause: err,
      },
    );
  }
}

const toSourceObject = (path: string, info: Stats): SourceObject => ({
  path,
  size: info.size,
  mtimeMs: info.mtimeMs,
  etag: null,
  inode: info.ino,
});

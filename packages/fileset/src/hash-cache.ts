import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { type StatSignature, sameSignature } from './hash-pool.js';

/** Bumped when the table changes; a cache of another version is dropped and rebuilt (it is only a cache). */
const SCHEMA_VERSION = 2;
/** Rows written per transaction. */
const WRITE_BATCH = 5000;

/** A file's hash and its stat signature when it was read. */
export interface CachedHash extends StatSignature {
  absolutePath: string;
  sha256: string;
}

type Row = [
  path: string,
  size: number,
  mtime: number,
  ctime: number,
  inode: number,
  dev: number,
  sha256: string,
];

/** Cached rows under one folder, by absolute path (see `HashCache.readFolder`). */
export type CachedFolder = Map<string, Row>;

/** What identifies a file's content to the cache: where it is and its stat signature. */
export type CacheKey = StatSignature & { absolutePath: string };

/** Rows read per query when reading a folder. */
const PAGE_ROWS = 5000;

/**
 * Remembers file hashes by absolute path and stat signature (size, mtime, ctime, inode, device) in a
 * SQLite file, so re-hashing an unchanged folder costs a stat per file and one query: any write,
 * replacement or move of a file changes its signature. Safe to share between processes (WAL); losing
 * the file only costs a re-hash.
 */
export class HashCache {
  readonly file: string;
  readonly #db: SqliteDatabase.Database;
  readonly #page: SqliteDatabase.Statement<[string, string, number], Row>;
  readonly #put: SqliteDatabase.Statement<Row>;
  readonly #delete: SqliteDatabase.Statement<[string]>;

  private constructor(file: string, db: SqliteDatabase.Database) {
    this.file = file;
    this.#db = db;
    this.#page = db
      .prepare<[string, string, number], Row>(
        'SELECT path, size, mtime, ctime, inode, dev, sha256 FROM file_hashes WHERE path > ? AND path < ? ORDER BY path LIMIT ?',
      )
      .raw(true);
    this.#put = db.prepare(
      'INSERT OR REPLACE INTO file_hashes (path, size, mtime, ctime, inode, dev, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#delete = db.prepare('DELETE FROM file_hashes WHERE path = ?');
  }

  /** Opens (creating it and its folder if needed) the cache at `file`; `:memory:` for a private one. */
  static open(file: string): HashCache {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) {
      db.exec('DROP TABLE IF EXISTS file_hashes');
      db.exec(
        `CREATE TABLE file_hashes (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL,
           ctime REAL NOT NULL, inode INTEGER NOT NULL, dev INTEGER NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID`,
      );
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
    return new HashCache(file, db);
  }

  /**
   * The cached sha256 of each of `files` (all under `root`) whose stat signature still matches. Rows
   * under `root` for files not in `files` (deleted, renamed, now ignored) are removed, so the cache does
   * not grow with files long gone.
   */
  lookupFolder(root: string, files: readonly CacheKey[]): Array<string | null> {
    const folder: CachedFolder = new Map();
    for (const page of this.#pages(root)) for (const row of page) folder.set(row[0], row);
    return this.match(folder, files);
  }

  /**
   * What the cache holds under `root`, read in pages of a few thousand rows with the event loop let go
   * in between, so a folder listing started beside it goes on (hashFolder reads both at once).
   */
  async readFolder(root: string): Promise<CachedFolder> {
    const folder: CachedFolder = new Map();
    for (const page of this.#pages(root)) {
      for (const row of page) folder.set(row[0], row);
      if (page.length === PAGE_ROWS) await setImmediate();
    }
    return folder;
  }

  /**
   * The sha256 from `folder` (as `readFolder` read it) of each file whose stat signature still matches.
   * Rows of files not among `files` are removed from the cache. Empties `folder`.
   */
  match(folder: CachedFolder, files: readonly CacheKey[]): Array<string | null> {
    const found = files.map((file) => {
      const row = folder.get(file.absolutePath);
      if (row === undefined) return null;
      folder.delete(file.absolutePath);
      const [, size, mtimeMs, ctimeMs, inode, dev, sha256] = row;
      return sameSignature(file, { size, mtimeMs, ctimeMs, inode, dev }) ? sha256 : null;
    });
    this.forget([...folder.keys()]);
    folder.clear();
    return found;
  }

  /** Rows under `root` in path order, a page at a time (keyset pagination: no statement left open). */
  *#pages(root: string): Generator<Row[]> {
    const prefix = root.endsWith('/') ? root : `${root}/`;
    const end = `${prefix.slice(0, -1)}0`; // '0' sorts right after '/': every path under the prefix is below
    let after = prefix;
    for (;;) {
      const page = this.#page.all(after, end, PAGE_ROWS);
      yield page;
      if (page.length < PAGE_ROWS) return;
      after = page.at(-1)![0];
    }
  }

  /**
   * Records hashes, in transactions of a few thousand rows, in path order: SQLite appends to its B-tree
   * several times faster than it inserts at random places.
   */
  store(rows: readonly CachedHash[]): void {
    const sorted = [...rows].sort((a, b) =>
      a.absolutePath < b.absolutePath ? -1 : a.absolutePath > b.absolutePath ? 1 : 0,
    );
    this.#batched(sorted, (r) =>
      this.#put.run(r.absolutePath, r.size, r.mtimeMs, r.ctimeMs, r.inode, r.dev, r.sha256),
    );
  }

  /** Drops what is known about these paths (say, a hash the content turned out not to match). */
  forget(absolutePaths: readonly string[]): void {
    this.#batched(absolutePaths, (path) => this.#delete.run(path));
  }

  /** Rows held (for tests and diagnostics). */
  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM file_hashes').get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }

  #batched<T>(items: readonly T[], write: (item: T) => void): void {
    const writeAll = this.#db.transaction((batch: readonly T[]) => {
      for (const item of batch) write(item);
    });
    for (let i = 0; i < items.length; i += WRITE_BATCH) writeAll(items.slice(i, i + WRITE_BATCH));
  }
}

/** Opens the hash cache at `file` (see `HashCache`). */
export const openHashCache = (file: string): HashCache => HashCache.open(file);

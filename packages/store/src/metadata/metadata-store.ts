import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { invalidArgument } from '@cairn/core';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import { migrationsFor } from './migrations/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * An open metadata store. `db` is the Kysely handle every module queries through; `sqlite` is the raw
 * better-sqlite3 handle (SQLite only), used by the few hot paths where a prepared statement in a
 * synchronous transaction is much faster than a built query.
 */
export interface MetadataStore {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  readonly sqlite: SqliteDatabase.Database | null;
  readonly pgPool: pg.Pool | null;
  /**
   * Runs `fn` with the raw SQLite handle while holding Kysely's connection lock, so no Kysely query or
   * transaction interleaves with it. Every raw SQLite access goes through here. SQLite only.
   */
  withSqlite<T>(fn: (sqlite: SqliteDatabase.Database) => T): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens the store named by `uri` and brings its schema up to date: `sqlite:///abs/path.db`, a plain
 * file path, `:memory:`, or `postgresql://user:pass@host:port/db`.
 */
export async function openMetadataStore(uri: string): Promise<MetadataStore> {
  const store =
    uri.startsWith('postgres://') || uri.startsWith('postgresql://')
      ? await openPostgres(uri)
      : openSqlite(uri);
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function sqlitePath(uri: string): string {
  if (uri === ':memory:') return uri;
  if (uri.startsWith('sqlite://')) return uri.slice('sqlite://'.length);
  if (uri.includes('://')) {
    throw invalidArgument(
      `Unsupported store URI '${uri}': use a file path, sqlite:///path/to/file.db or postgresql://user@host/db`,
      { field: 'store' },
    );
  }
  return uri;
}

function openSqlite(uri: string): MetadataStore {
  const path = sqlitePath(uri);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // WAL + synchronous=NORMAL: a committed transaction survives a process crash (kill -9); only an OS
  // crash or power loss can lose the last transactions, which is the trade-off SQLite documents.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    dialect: 'sqlite',
    db,
    sqlite,
    pgPool: null,
    withSqlite: (fn) => db.connection().execute(async () => fn(sqlite)),
    close: () => db.destroy(),
  };
}

async function openPostgres(uri: string): Promise<MetadataStore> {
  // Loaded only for PostgreSQL, so the embedded default does not pay for it at start-up.
  const { default: pg } = await import('pg');
  // Postgres returns bigint (int8) as strings by default; every bigint here is a millisecond time, a
  // step or a size, which fit a JS number.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.Pool({ connectionString: uri, max: 10 });
  // An idle connection that the server drops (restart, pg_terminate_backend) emits 'error' on the pool;
  // unhandled, that would crash the process. The pool discards the connection and opens a new one on
  // the next query, so there is nothing else to do.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    db,
    sqlite: null,
    pgPool: pool,
    withSqlite: () => Promise.reject(new Error('withSqlite called on a PostgreSQL store')),
    close: () => db.destroy(),
  };
}

async function migrate(store: MetadataStore): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrationsFor({ dialect: store.dialect }) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migrating the metadata store failed${failed ? ` at ${failed.migrationName}` : ''}`, {
      cause: error,
    });
  }
}

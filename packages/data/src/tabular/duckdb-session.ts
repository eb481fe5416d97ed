import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CairnError, ErrorCode, invalidArgument } from '@cairn/core';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import type { SqlParam } from './sql.js';

/** Resources one preview or profile may use. */
export interface DuckDBOptions {
  /** Worker threads. Default 2. */
  threads?: number;
  /** DuckDB's memory limit, e.g. `'1GB'`; beyond it, work spills to `tempDirectory`. Default `'1GB'`. */
  memoryLimit?: string;
  /** Where to spill; a fresh folder under the OS temp folder (removed afterwards) when left out. */
  tempDirectory?: string;
}

const quoteString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * One embedded, in-memory DuckDB for one preview or profile. It can read only the folders it is
 * opened with (`allowed_directories` with external access off, then the configuration is locked), so a
 * query it runs cannot reach other files on the server nor the network, and it never loads extensions.
 */
export class TableSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly ownTempDir: string | undefined,
    /** Local path prefixes replaced by relative names in messages, longest first. */
    private readonly redactions: [string, string][],
  ) {}

  static async open(
    allowedDirectories: readonly string[],
    options: DuckDBOptions = {},
    redactions: Record<string, string> = {},
  ): Promise<TableSession> {
    const ownTempDir =
      options.tempDirectory === undefined ? await mkdtemp(join(tmpdir(), 'cairn-duckdb-')) : undefined;
    const tempDirectory = options.tempDirectory ?? ownTempDir!;
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads ?? 2),
      memory_limit: options.memoryLimit ?? '1GB',
      temp_directory: tempDirectory,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    const dirs = [...new Set(allowedDirectories.map((d) => (d.endsWith('/') ? d : `${d}/`)))];
    try {
      // Paths here are the session's own (resolved by Cairn), quoted as SQL strings: SET takes no parameters.
      await connection.run(
        `SET allowed_directories = [${[...dirs, `${tempDirectory}/`].map(quoteString).join(', ')}]`,
      );
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
    } catch (err) {
      connection.closeSync();
      instance.closeSync();
      throw err;
    }
    const pairs = Object.entries(redactions).sort((a, b) => b[0].length - a[0].length);
    return new TableSession(instance, connection, ownTempDir, pairs);
  }

  /** Runs `sql` with `params` bound to `$1…` and reads the whole result (bound it with LIMIT). */
  async query(sql: string, params: readonly SqlParam[] = []): Promise<DuckDBResultReader> {
    const values: DuckDBValue[] = [];
    const types: (DuckDBType | undefined)[] = [];
    for (const p of params) {
      if (Array.isArray(p)) {
        values.push(listValue(p as string[]));
        types.push(LIST(VARCHAR));
      } else {
        values.push(p as DuckDBValue);
        types.push(undefined);
      }
    }
    try {
      return await this.connection.runAndReadAll(sql, values, types as DuckDBType[]);
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** Stops the running query (for an aborted request). */
  interrupt(): void {
    this.connection.interrupt();
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.ownTempDir !== undefined) await rm(this.ownTempDir, { recursive: true, force: true });
  }

  /**
   * DuckDB's errors about the data (a malformed file, a missing column, a failed cast) become
   * INVALID_ARGUMENT with DuckDB's first paragraph, local paths made relative; anything else is a
   * Cairn bug and is rethrown as it is.
   */
  private translate(err: unknown): unknown {
    if (!(err instanceof Error)) return err;
    const match = /^([A-Za-z ]+) Error: ([\s\S]*)$/.exec(err.message);
    if (match === null) return err;
    const [, kind, rest] = match as unknown as [string, string, string];
    let message = rest.split(/\n\s*\nLINE \d+:|\nLINE \d+:/)[0]!.trim();
    for (const [path, name] of this.redactions) message = message.replaceAll(path, name);
    switch (kind) {
      case 'Invalid Input':
      case 'Conversion':
      case 'Binder':
      case 'IO':
      case 'Invalid Configuration':
        return invalidArgument(`cannot read the table: ${message}`, { duckdb: kind });
      case 'Permission':
        return invalidArgument(`cannot read the table: it refers to a file outside its own folder`, {
          duckdb: kind,
        });
      case 'Out of Memory':
        return new CairnError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `the table is too large to process within the memory limit: ${message}; profile fewer rows`,
          { duckdb: kind },
        );
      case 'INTERRUPT':
      case 'Interrupt':
        return new CairnError(ErrorCode.UNAVAILABLE, 'the table query was cancelled', { duckdb: kind });
      default:
        return err;
    }
  }
}

/** Opens a session, runs `work`, and always closes it; `signal` interrupts a running query. */
export async function withTableSession<T>(
  allowedDirectories: readonly string[],
  options: { duckdb?: DuckDBOptions; signal?: AbortSignal; redactions?: Record<string, string> },
  work: (session: TableSession) => Promise<T>,
): Promise<T> {
  options.signal?.throwIfAborted();
  const session = await TableSession.open(allowedDirectories, options.duckdb, options.redactions);
  const onAbort = () => session.interrupt();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(session);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
}

import type { Kysely, Migration } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-metric-rollups.js';
import * as m0003 from './0003-artifact-multipart-parts.js';
import * as m0004 from './0004-jobs.js';
import * as m0005 from './0005-service-users.js';
import * as m0006 from './0006-data.js';
import * as m0007 from './0007-dashboards.js';
import * as m0008 from './0008-job-counts-index.js';

export interface MigrationContext {
  dialect: 'sqlite' | 'postgres';
}

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

/** Versioned migrations in order. Append only: a released migration is never edited. */
const MODULES: Record<string, MigrationModule> = {
  '0001-initial': m0001,
  '0002-metric-rollups': m0002,
  '0003-artifact-multipart-parts': m0003,
  '0004-jobs': m0004,
  '0005-service-users': m0005,
  '0006-data': m0006,
  '0007-dashboards': m0007,
  '0008-job-counts-index': m0008,
};

export function migrationsFor(ctx: MigrationContext): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(MODULES).map(([name, mod]) => [name, { up: (db: Kysely<unknown>) => mod.up(db, ctx) }]),
  );
}

import type { Kysely } from 'kysely';
import type { Database } from '../metadata/schema.js';

/** SQLite's and PostgreSQL's bound-parameter limits are far above this; it keeps statements small. */
const QUERY_BATCH = 1000;

/**
 * Records that a workspace holds these blobs (it uploaded them, or the server stored them for it).
 * Idempotent. A client-written manifest may name only blobs its workspace holds.
 */
export async function recordWorkspaceBlobs(
  db: Kysely<Database>,
  workspaceId: string,
  blobs: readonly { sha256: string; size: number }[],
): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < blobs.length; i += QUERY_BATCH) {
    const rows = blobs
      .slice(i, i + QUERY_BATCH)
      .map((b) => ({ workspace_id: workspaceId, sha256: b.sha256, size: b.size, created_at: now }));
    await db
      .insertInto('workspace_blobs')
      .values(rows)
      .onConflict((oc) => oc.columns(['workspace_id', 'sha256']).doNothing())
      .execute();
  }
}

/** Of `sha256s`, the ones the workspace does not hold (in the order given, without repeats). */
export async function missingWorkspaceBlobs(
  db: Kysely<Database>,
  workspaceId: string,
  sha256s: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(sha256s)];
  const held = new Set<string>();
  for (let i = 0; i < wanted.length; i += QUERY_BATCH) {
    const rows = await db
      .selectFrom('workspace_blobs')
      .select('sha256')
      .where('workspace_id', '=', workspaceId)
      .where('sha256', 'in', wanted.slice(i, i + QUERY_BATCH))
      .execute();
    for (const row of rows) held.add(row.sha256);
  }
  return wanted.filter((sha256) => !held.has(sha256));
}

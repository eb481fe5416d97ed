import { type Database, insertAuditEvent } from '@cairn/store';
import type { Kysely } from 'kysely';

/** Who performs a tracking operation, in which workspace, and (optionally) why; recorded in the audit log. */
export interface RequestContext {
  workspaceId: string;
  actor: string;
  message?: string | null;
}

/** Records a mutation in the audit log; pass the transaction that carries the mutation. */
export function audit(
  db: Kysely<Database>,
  ctx: RequestContext,
  action: string,
  targetKind: string,
  targetId: string,
  details?: Record<string, unknown> | null,
): Promise<void> {
  return insertAuditEvent(db, {
    workspaceId: ctx.workspaceId,
    actor: ctx.actor,
    action,
    targetKind,
    targetId,
    message: ctx.message ?? null,
    details: details ?? null,
  });
}

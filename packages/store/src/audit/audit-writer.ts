import type { Kysely } from 'kysely';
import type { Database } from '../metadata/schema.js';

export interface AuditEventInput {
  workspaceId: string | null;
  actor: string;
  action: string;
  targetKind: string;
  targetId: string;
  message?: string | null;
  details?: Record<string, unknown> | null;
  at?: number;
}

/**
 * Appends an audit event. Pass the transaction that carries the mutation, so the event and the change
 * it describes commit together or not at all.
 */
export async function insertAuditEvent(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      workspace_id: event.workspaceId,
      actor: event.actor,
      at: event.at ?? Date.now(),
      action: event.action,
      target_kind: event.targetKind,
      target_id: event.targetId,
      message: event.message ?? null,
      details: event.details ? JSON.stringify(event.details) : null,
    })
    .execute();
}

/**
 * The audit log behind an asynchronous interface (cluster mode keeps it in PostgreSQL;
 * audit/audit-log.ts is the SQLite one, unchanged for its synchronous callers and adapted by
 * `asyncAudit`). Entries are listed per workspace in the order they were recorded.
 */
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts'

export type { AuditEntry }

export type NewAuditEntry = Parameters<AuditLog['record']>[0]

export interface AuditRepo {
  record(entry: NewAuditEntry): Promise<void>
  /** A workspace's entries after `afterId`, oldest first. */
  list(workspaceId: string, afterId: number, limit: number): Promise<AuditEntry[]>
}

export function asyncAudit(log: AuditLog): AuditRepo {
  return {
    record: async (entry) => log.record(entry),
    list: async (workspaceId, afterId, limit) => log.list(workspaceId, afterId, limit),
  }
}

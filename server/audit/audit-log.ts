/**
 * The audit log (owners only): sign-ins and failed sign-ins, membership and role changes,
 * invites, board creation, archive and export. Lock grants and releases join it with the lock
 * service.
 */
import type { Actor } from '../../shared/protocol/events.ts'
import type { Db } from '../db/open.ts'

export type AuditAction =
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.setup'
  | 'auth.password_reset'
  | 'member.joined'
  | 'member.role_changed'
  | 'member.removed'
  | 'invite.created'
  | 'invite.accepted'
  | 'link.created'
  | 'link.revoked'
  | 'link.joined'
  | 'board.created'
  | 'board.renamed'
  | 'board.archived'
  | 'board.unarchived'
  | 'board.exported'
  | 'board.imported'
  | 'board.version_named'
  | 'board.restored'
  | 'review.verdict'
  | 'lock.granted'
  | 'lock.refused'
  | 'lock.queued'
  | 'lock.released'
  | 'lock.expired'
  | 'lock.force_released'
  | 'lock.session_ended'
  | 'lock.membership_ended'

export interface AuditEntry {
  id: number
  workspaceId: string | null
  ts: number
  actor: Actor | null
  action: AuditAction
  target: string | null
  data: Record<string, unknown> | null
}

interface Row {
  id: number
  workspace_id: string | null
  ts: number
  actor_id: string | null
  actor_name: string | null
  action: AuditAction
  target: string | null
  data: string | null
}

export class AuditLog {
  private readonly stmts

  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare<
        [string | null, number, string | null, string | null, string, string | null, string | null]
      >(
        'INSERT INTO audit (workspace_id, ts, actor_id, actor_name, action, target, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      list: db.prepare<[string, number, number], Row>(
        'SELECT * FROM audit WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?',
      ),
    }
  }

  record(entry: {
    action: AuditAction
    actor: Actor | null
    workspaceId?: string | null
    target?: string | null
    data?: Record<string, unknown>
  }): void {
    this.stmts.insert.run(
      entry.workspaceId ?? null,
      Date.now(),
      entry.actor?.id ?? null,
      entry.actor?.name ?? null,
      entry.action,
      entry.target ?? null,
      entry.data ? JSON.stringify(entry.data) : null,
    )
  }

  /**
   * A workspace's entries after `afterId`. Sign-ins are recorded once per workspace of the
   * user, so each owner sees those of their own members only.
   */
  list(workspaceId: string, afterId: number, limit: number): AuditEntry[] {
    return this.stmts.list.all(workspaceId, afterId, limit).map((row) => ({
      id: row.id,
      workspaceId: row.workspace_id,
      ts: row.ts,
      actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? '' } : null,
      action: row.action,
      target: row.target,
      data: row.data ? JSON.parse(row.data) : null,
    }))
  }
}

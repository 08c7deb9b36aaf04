/**
 * The audit log in PostgreSQL (storage/audit-repo.ts). `recordIn` joins the caller's
 * transaction, so an entry commits with the change it records (a lock grant's journal row).
 */
import type { AuditEntry, AuditRepo, NewAuditEntry } from '../../storage/audit-repo.ts'
import type { PgPool, Tx } from './pool.ts'

interface Row {
  id: number
  workspace_id: string | null
  ts: number
  actor_id: string | null
  actor_name: string | null
  action: AuditEntry['action']
  target: string | null
  data: string | null
}

export class PgAuditLog implements AuditRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  async recordIn(tx: Tx, entry: NewAuditEntry): Promise<void> {
    await tx.query(
      `INSERT INTO audit (workspace_id, ts, actor_id, actor_name, action, target, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.workspaceId ?? null,
        Date.now(),
        entry.actor?.id ?? null,
        entry.actor?.name ?? null,
        entry.action,
        entry.target ?? null,
        entry.data ? JSON.stringify(entry.data) : null,
      ],
    )
  }

  record(entry: NewAuditEntry): Promise<void> {
    return this.recordIn(this.db, entry)
  }

  /**
   * Ids come from a sequence, so concurrent writers may commit them out of order; a reader
   * paging by id could then skip one that commits late. Audit pages are read by people, not
   * replayed, so this is accepted (events, which are replayed, are numbered in commit order).
   */
  async list(workspaceId: string, afterId: number, limit: number): Promise<AuditEntry[]> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM audit WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [workspaceId, afterId, limit],
    )
    return rows.map((row) => ({
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

/**
 * The lock journal in PostgreSQL (locks/lock-journal.ts; docs/cluster.md, "Lock journal"):
 * what Redis did to locks, recorded before the caller is answered, and the judge of fencing
 * tokens. A grant moves its key's `lock_fence.max_token` with a conditional upsert that only
 * ever raises it, so whatever Redis forgets, no token at or below one already granted is ever
 * recorded, and so never handed to anyone. One row per (key, token, kind): a renewal or a
 * replay of the same change replaces its row only with a later expiry, which is the row
 * `latest()` would pick anyway.
 */
import {
  FenceRegressionError,
  type JournaledState,
  type LockJournal,
  type LockJournalEntry,
  type LockJournalKind,
} from '../../locks/lock-journal.ts'
import type { PgPool, Tx } from './pool.ts'

interface JournalRow {
  lock_key: string
  token: number
  kind: LockJournalKind
  board_id: string
  holder_id: string
  holder_name: string
  session_id: string | null
  request_id: string | null
  acquired_at: number
  expires_at: number
  ttl_ms: number
  reason: string | null
  at: number
}

const toEntry = (row: JournalRow): LockJournalEntry => ({
  kind: row.kind,
  key: row.lock_key,
  boardId: row.board_id,
  token: row.token,
  holder: { id: row.holder_id, name: row.holder_name },
  sessionId: row.session_id,
  requestId: row.request_id,
  acquiredAt: row.acquired_at,
  expiresAt: row.expires_at,
  ttlMs: row.ttl_ms,
  reason: row.reason,
  at: row.at,
})

const COLUMNS = `lock_key, token, kind, board_id, holder_id, holder_name, session_id, request_id,
  acquired_at, expires_at, ttl_ms, reason, at`

export class PgLockJournal implements LockJournal {
  constructor(private readonly db: PgPool) {}

  record(entries: readonly LockJournalEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve()
    return this.db.transaction(async (tx) => {
      for (const entry of entries) {
        if (entry.kind === 'granted' && !(await this.fence(tx, entry))) continue
        await tx.query(
          `INSERT INTO lock_journal (${COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (lock_key, token, kind) DO UPDATE SET
             holder_id = excluded.holder_id, holder_name = excluded.holder_name,
             session_id = excluded.session_id, request_id = excluded.request_id,
             acquired_at = excluded.acquired_at, expires_at = excluded.expires_at,
             ttl_ms = excluded.ttl_ms, reason = excluded.reason, at = excluded.at
           WHERE lock_journal.expires_at < excluded.expires_at`,
          [
            entry.key,
            entry.token,
            entry.kind,
            entry.boardId,
            entry.holder.id,
            entry.holder.name,
            entry.sessionId,
            entry.requestId,
            entry.acquiredAt,
            entry.expiresAt,
            entry.ttlMs,
            entry.reason,
            entry.at,
          ],
        )
      }
    })
  }

  /**
   * Raises the key's fence to the grant's token; false for a replay of a grant already
   * recorded (nothing to do); throws FenceRegressionError for any other token not above it.
   */
  private async fence(tx: Tx, entry: LockJournalEntry): Promise<boolean> {
    const raised = await tx.query(
      `INSERT INTO lock_fence (lock_key, max_token) VALUES ($1, $2)
       ON CONFLICT (lock_key) DO UPDATE SET max_token = excluded.max_token
       WHERE lock_fence.max_token < excluded.max_token`,
      [entry.key, entry.token],
    )
    if (raised.rowCount === 1) return true
    const { rows } = await tx.query<{ max_token: number; same: boolean | null }>(
      `SELECT f.max_token, (SELECT j.holder_id = $3 AND j.session_id IS NOT DISTINCT FROM $4
           AND j.acquired_at = $5 FROM lock_journal j
         WHERE j.lock_key = $1 AND j.token = $2 AND j.kind = 'granted') AS same
       FROM lock_fence f WHERE f.lock_key = $1`,
      [entry.key, entry.token, entry.holder.id, entry.sessionId, entry.acquiredAt],
    )
    if (rows[0]?.same) return false
    throw new FenceRegressionError(entry.key, entry.token, rows[0]?.max_token ?? 0)
  }

  async latest(): Promise<JournaledState> {
    // Per key, the newest lock entry by the data: largest token, then a release over a grant
    // or renewal, then the later expiry (locks/lock-journal.ts, newerLockEntry).
    const held = await this.db.query<JournalRow>(
      `SELECT * FROM (
         SELECT DISTINCT ON (lock_key) ${COLUMNS} FROM lock_journal
         WHERE kind IN ('granted', 'renewed', 'released')
         ORDER BY lock_key, token DESC, (kind = 'released') DESC, expires_at DESC, recorded
       ) newest WHERE kind <> 'released' ORDER BY lock_key`,
    )
    const waiting = await this.db.query<JournalRow>(
      `SELECT ${COLUMNS} FROM lock_journal q WHERE kind = 'queued' AND NOT EXISTS (
         SELECT 1 FROM lock_journal d
         WHERE d.kind = 'dequeued' AND d.lock_key = q.lock_key AND d.token = q.token)
       ORDER BY token, recorded`,
    )
    return { held: held.rows.map(toEntry), waiting: waiting.rows.map(toEntry) }
  }
}

/**
 * The next lock generation (scale-out's generation protocol): a value no earlier call ever
 * returned, whatever Redis remembers, recorded with the Redis run it was taken for.
 */
export async function nextLockGeneration(
  db: PgPool,
  taken: { runId: string; nodeId: string },
): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ gen: number }>("SELECT nextval('lock_generation') AS gen")
    const gen = rows[0]?.gen as number
    await tx.query(
      'INSERT INTO redis_generations (gen, run_id, node_id, started_at) VALUES ($1, $2, $3, $4)',
      [gen, taken.runId, taken.nodeId, Date.now()],
    )
    return gen
  })
}

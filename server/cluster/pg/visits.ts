/**
 * Visits and client ids in PostgreSQL (storage/history-repo.ts). Each node remembers the
 * (board, client) pairs it has written, so a pair costs one write per node; the first user
 * recorded for a client id keeps it whichever node wrote first (ON CONFLICT DO NOTHING).
 */
import * as Y from 'yjs'
import { KnownClients, newClientPairs } from '../../history/visit-store.ts'
import type { DocUpdate } from '../../storage/doc-store.ts'
import type { VisitRepo } from '../../storage/history-repo.ts'
import type { PgPool, Tx } from './pool.ts'

export class PgVisits implements VisitRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(
    private readonly db: PgPool | Tx,
    private readonly known = new KnownClients(),
  ) {}

  async saveVisit(userId: string, boardId: string, snapshot: Uint8Array, endedAt: number) {
    await this.db.query(
      `INSERT INTO board_visits (user_id, board_id, snapshot, ended_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, board_id)
       DO UPDATE SET snapshot = excluded.snapshot, ended_at = excluded.ended_at`,
      [userId, boardId, Buffer.from(snapshot), endedAt],
    )
  }

  async lastVisit(userId: string, boardId: string) {
    const { rows } = await this.db.query<{ snapshot: Buffer; ended_at: number }>(
      'SELECT snapshot, ended_at FROM board_visits WHERE user_id = $1 AND board_id = $2',
      [userId, boardId],
    )
    const row = rows[0]
    return row ? { snapshot: Y.decodeSnapshot(row.snapshot), endedAt: row.ended_at } : null
  }

  async learn(updates: readonly DocUpdate[]): Promise<void> {
    const pairs = newClientPairs(updates, this.known)
    if (pairs.size === 0) return
    const rows = [...pairs.values()]
    await this.db.query(
      `INSERT INTO doc_clients (board_id, client_id, user_id)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[]) ON CONFLICT DO NOTHING`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    )
    this.known.add(pairs.keys(), pairs.size)
  }

  async clientsOf(boardId: string, userId: string): Promise<Set<number>> {
    const { rows } = await this.db.query<{ client_id: number }>(
      'SELECT client_id FROM doc_clients WHERE board_id = $1 AND user_id = $2',
      [boardId, userId],
    )
    return new Set(rows.map((row) => row.client_id))
  }
}

/**
 * Where each user's last visit to each board ended (a Yjs snapshot of the committed board
 * then), and which user wrote through which Yjs client id — learnt from committed updates,
 * whose sender the server knows — so a user's own writing can be told from others'.
 */
import * as Y from 'yjs'
import type { Db } from '../db/open.ts'
import type { DocUpdate } from '../storage/doc-store.ts'

/** Remembered (board, client) pairs, so only new ones cost a write; cleared past this many. */
const KNOWN_CLIENTS_MAX = 100_000

export class VisitStore {
  private readonly stmts
  private readonly knownClients = new Set<string>()
  private readonly learnAll: (pairs: Array<[string, number, string]>) => void

  constructor(db: Db) {
    this.stmts = {
      saveVisit: db.prepare<[string, string, Uint8Array, number]>(
        `INSERT INTO board_visits (user_id, board_id, snapshot, ended_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, board_id) DO UPDATE SET snapshot = excluded.snapshot, ended_at = excluded.ended_at`,
      ),
      visit: db.prepare<[string, string], { snapshot: Buffer; ended_at: number }>(
        'SELECT snapshot, ended_at FROM board_visits WHERE user_id = ? AND board_id = ?',
      ),
      learn: db.prepare<[string, number, string]>(
        'INSERT OR IGNORE INTO doc_clients (board_id, client_id, user_id) VALUES (?, ?, ?)',
      ),
      clientsOf: db.prepare<[string, string], { client_id: number }>(
        'SELECT client_id FROM doc_clients WHERE board_id = ? AND user_id = ?',
      ),
    }
    this.learnAll = db.transaction((pairs: Array<[string, number, string]>) => {
      for (const pair of pairs) this.stmts.learn.run(...pair)
    })
  }

  saveVisit(userId: string, boardId: string, snapshot: Uint8Array, endedAt: number): void {
    this.stmts.saveVisit.run(userId, boardId, snapshot, endedAt)
  }

  lastVisit(userId: string, boardId: string): { snapshot: Y.Snapshot; endedAt: number } | null {
    const row = this.stmts.visit.get(userId, boardId)
    return row ? { snapshot: Y.decodeSnapshot(row.snapshot), endedAt: row.ended_at } : null
  }

  /**
   * Notes the client ids of committed updates sent by users. The first user seen writing
   * through a client id keeps it (a client may relay structs of others it has caught up on).
   */
  learn(updates: readonly DocUpdate[]): void {
    const pairs = new Map<string, [string, number, string]>()
    for (const { boardId, userId, data } of updates) {
      if (!userId) continue
      for (const client of Y.parseUpdateMeta(data).to.keys()) {
        const key = `${boardId}:${client}`
        if (!this.knownClients.has(key) && !pairs.has(key))
          pairs.set(key, [boardId, client, userId])
      }
    }
    if (pairs.size === 0) return
    this.learnAll([...pairs.values()])
    if (this.knownClients.size + pairs.size > KNOWN_CLIENTS_MAX) this.knownClients.clear()
    for (const key of pairs.keys()) this.knownClients.add(key)
  }

  clientsOf(boardId: string, userId: string): Set<number> {
    return new Set(this.stmts.clientsOf.all(boardId, userId).map((r) => r.client_id))
  }
}

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

/**
 * The (board, client id, user) pairs of committed updates sent by users that `known` does not
 * hold yet. The first user seen writing through a client id keeps it (a client may relay
 * structs of others it has caught up on), so stores insert these and ignore conflicts.
 */
export function newClientPairs(
  updates: readonly DocUpdate[],
  known: KnownClients,
): Map<string, [boardId: string, clientId: number, userId: string]> {
  const pairs = new Map<string, [string, number, string]>()
  for (const { boardId, userId, data } of updates) {
    if (!userId) continue
    for (const client of Y.parseUpdateMeta(data).to.keys()) {
      const key = `${boardId}:${client}`
      if (!known.has(key) && !pairs.has(key)) pairs.set(key, [boardId, client, userId])
    }
  }
  return pairs
}

/** The pairs a process has written, so each costs one write per process (bounded). */
export class KnownClients {
  private readonly keys = new Set<string>()

  has(key: string): boolean {
    return this.keys.has(key)
  }

  add(keys: Iterable<string>, count: number): void {
    if (this.keys.size + count > KNOWN_CLIENTS_MAX) this.keys.clear()
    for (const key of keys) this.keys.add(key)
  }
}

export class VisitStore {
  private readonly stmts
  private readonly knownClients = new KnownClients()
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
    const pairs = newClientPairs(updates, this.knownClients)
    if (pairs.size === 0) return
    this.learnAll([...pairs.values()])
    this.knownClients.add(pairs.keys(), pairs.size)
  }

  clientsOf(boardId: string, userId: string): Set<number> {
    return new Set(this.stmts.clientsOf.all(boardId, userId).map((r) => r.client_id))
  }
}

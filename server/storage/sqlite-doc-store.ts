import * as Y from 'yjs'
import type { Db } from '../db/open.ts'
import {
  provesMerged,
  type CompactResult,
  type DocStore,
  type DocUpdate,
  type StoredDoc,
} from './doc-store.ts'

interface SnapshotRow {
  state: Buffer
  state_vector: Buffer
  upto_seq: number
}

export class SqliteDocStore implements DocStore {
  private readonly stmts
  /** Last sequence number per board, so appends need no lookup. */
  private readonly lastSeq = new Map<string, number>()
  private readonly appendAll: (updates: readonly DocUpdate[]) => void
  private readonly probeAll: () => void

  constructor(private readonly db: Db) {
    this.stmts = {
      snapshot: db.prepare<[string], SnapshotRow>(
        'SELECT state, state_vector, upto_seq FROM doc_snapshots WHERE board_id = ?',
      ),
      snapshotVector: db.prepare<[string], { state_vector: Buffer }>(
        'SELECT state_vector FROM doc_snapshots WHERE board_id = ?',
      ),
      updates: db.prepare<[string], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM doc_updates WHERE board_id = ? ORDER BY seq',
      ),
      maxSeq: db.prepare<[string], { seq: number | null }>(
        'SELECT MAX(seq) AS seq FROM doc_updates WHERE board_id = ?',
      ),
      count: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?',
      ),
      insert: db.prepare<[string, number, Uint8Array, string | null, number]>(
        'INSERT INTO doc_updates (board_id, seq, data, user_id, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      upsertSnapshot: db.prepare<[string, Uint8Array, Uint8Array, number, number]>(
        `INSERT INTO doc_snapshots (board_id, state, state_vector, upto_seq, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (board_id) DO UPDATE SET state = excluded.state, state_vector = excluded.state_vector,
           upto_seq = excluded.upto_seq, updated_at = excluded.updated_at`,
      ),
      deleteUpTo: db.prepare<[string, number]>(
        'DELETE FROM doc_updates WHERE board_id = ? AND seq <= ?',
      ),
      probeWrite: db.prepare('INSERT INTO store_probe (data) VALUES (zeroblob(8192))'),
      probeClear: db.prepare('DELETE FROM store_probe'),
    }
    this.probeAll = db.transaction(() => {
      this.stmts.probeWrite.run()
      this.stmts.probeClear.run()
    })
    this.appendAll = db.transaction((updates: readonly DocUpdate[]) => {
      const now = Date.now()
      for (const update of updates) {
        const seq = this.nextSeq(update.boardId)
        this.stmts.insert.run(update.boardId, seq, update.data, update.userId, now)
        this.lastSeq.set(update.boardId, seq)
      }
    })
  }

  private nextSeq(boardId: string): number {
    let last = this.lastSeq.get(boardId)
    if (last === undefined) last = this.readMaxSeq(boardId)
    return last + 1
  }

  private readMaxSeq(boardId: string): number {
    const fromLog = this.stmts.maxSeq.get(boardId)?.seq
    return fromLog ?? this.stmts.snapshot.get(boardId)?.upto_seq ?? 0
  }

  private read(boardId: string): StoredDoc & { lastSeq: number } {
    const snapshot = this.stmts.snapshot.get(boardId)
    const rows = this.stmts.updates.all(boardId)
    let bytes = snapshot?.state.byteLength ?? 0
    const updates = rows.map((row) => {
      bytes += row.data.byteLength
      return bytesOf(row.data)
    })
    const lastSeq = rows.at(-1)?.seq ?? snapshot?.upto_seq ?? 0
    const state = snapshot ? bytesOf(snapshot.state) : null
    const stateVector = snapshot ? bytesOf(snapshot.state_vector) : null
    return { state, stateVector, updates, bytes, lastSeq }
  }

  async load(boardId: string): Promise<StoredDoc> {
    const stored = this.db.transaction(() => this.read(boardId))()
    this.lastSeq.set(boardId, stored.lastSeq)
    return stored
  }

  async append(updates: readonly DocUpdate[]): Promise<void> {
    if (updates.length === 0) return
    try {
      this.appendAll(updates)
    } catch (error) {
      // The transaction rolled back; sequence numbers taken inside it were not stored.
      this.lastSeq.clear()
      throw error
    }
  }

  async probe(): Promise<void> {
    this.probeAll()
  }

  async compact(boardId: string, fold: (stored: StoredDoc) => Uint8Array): Promise<CompactResult> {
    // IMMEDIATE takes the write lock first, so no other process (the admin tool and the
    // server share the file) can append between the read and the delete.
    return this.db
      .transaction((): CompactResult => {
        const stored = this.read(boardId)
        if (stored.updates.length === 0) {
          return {
            compacted: false,
            folded: 0,
            bytesBefore: stored.bytes,
            bytesAfter: stored.bytes,
            reason: 'nothing to fold',
          }
        }
        const state = fold(stored)
        if (!provesMerged(state, stored.updates)) {
          return {
            compacted: false,
            folded: 0,
            bytesBefore: stored.bytes,
            bytesAfter: stored.bytes,
            reason: 'a row was not contained in the folded state',
          }
        }
        const stateVector = Y.encodeStateVectorFromUpdate(state)
        this.stmts.upsertSnapshot.run(boardId, state, stateVector, stored.lastSeq, Date.now())
        this.stmts.deleteUpTo.run(boardId, stored.lastSeq)
        this.lastSeq.set(boardId, stored.lastSeq)
        return {
          compacted: true,
          folded: stored.updates.length,
          bytesBefore: stored.bytes,
          bytesAfter: state.byteLength,
        }
      })
      .immediate()
  }

  async pendingUpdates(boardId: string): Promise<number> {
    return this.stmts.count.get(boardId)?.n ?? 0
  }

  async foldedStateVector(boardId: string): Promise<Uint8Array | null> {
    return this.db.transaction(() => {
      if ((this.stmts.count.get(boardId)?.n ?? 0) > 0) return null
      const vector = this.stmts.snapshotVector.get(boardId)?.state_vector
      return vector ? bytesOf(vector) : null
    })()
  }
}

/** A Uint8Array view of a Buffer from SQLite (Yjs compares types, so not a Buffer). */
function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

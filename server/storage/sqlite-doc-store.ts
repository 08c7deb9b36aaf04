import * as Y from 'yjs'
import type { Db } from '../db/open.ts'
import {
  foldStored,
  provesMerged,
  type CompactResult,
  type DocStore,
  type DocUpdate,
  type StoredDoc,
} from './doc-store.ts'

/** Folds and proves a stored board off the event loop (realtime/update-worker-pool.ts). */
export interface OffThreadFold {
  foldAndProve(stored: StoredDoc): Promise<{ state: Uint8Array; stateVector: Uint8Array } | null>
}

/**
 * Rows one off-thread compaction folds, the oldest first; the rest wait for the next one.
 * Merging rows costs more than linearly (about 40 ms for 500 small ones, 1.3 s for 5000), and
 * while a fold runs off the loop nothing slows the writers down as a fold on the loop did: a
 * bound keeps each fold short however fast a board is written.
 */
export const MAX_FOLD_ROWS = 1000

/** What a compaction read: the board, and where its snapshot and log stood. */
interface Read extends StoredDoc {
  lastSeq: number
  /** The snapshot's upto_seq when read (null: no snapshot). */
  snapshotSeq: number | null
}

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

  constructor(
    private readonly db: Db,
    /** Where `compact(id, foldStored)` folds and proves: on the update worker, if given. */
    private readonly offThread?: OffThreadFold,
  ) {
    this.stmts = {
      snapshot: db.prepare<[string], SnapshotRow>(
        'SELECT state, state_vector, upto_seq FROM doc_snapshots WHERE board_id = ?',
      ),
      snapshotSeq: db.prepare<[string], { upto_seq: number }>(
        'SELECT upto_seq FROM doc_snapshots WHERE board_id = ?',
      ),
      snapshotVector: db.prepare<[string], { state_vector: Buffer }>(
        'SELECT state_vector FROM doc_snapshots WHERE board_id = ?',
      ),
      updates: db.prepare<[string], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM doc_updates WHERE board_id = ? ORDER BY seq',
      ),
      firstUpdates: db.prepare<[string, number], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM doc_updates WHERE board_id = ? ORDER BY seq LIMIT ?',
      ),
      maxSeq: db.prepare<[string], { seq: number | null }>(
        'SELECT MAX(seq) AS seq FROM doc_updates WHERE board_id = ?',
      ),
      count: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?',
      ),
      countUpTo: db.prepare<[string, number], { n: number }>(
        'SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ? AND seq <= ?',
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

  /** The board: its snapshot and its log, or only the first `maxRows` rows of the log. */
  private read(boardId: string, maxRows?: number): Read {
    const snapshot = this.stmts.snapshot.get(boardId)
    const rows =
      maxRows === undefined
        ? this.stmts.updates.all(boardId)
        : this.stmts.firstUpdates.all(boardId, maxRows)
    let bytes = snapshot?.state.byteLength ?? 0
    const updates = rows.map((row) => {
      bytes += row.data.byteLength
      return bytesOf(row.data)
    })
    const lastSeq = rows.at(-1)?.seq ?? snapshot?.upto_seq ?? 0
    const state = snapshot ? bytesOf(snapshot.state) : null
    const stateVector = snapshot ? bytesOf(snapshot.state_vector) : null
    const snapshotSeq = snapshot?.upto_seq ?? null
    return { state, stateVector, updates, bytes, lastSeq, snapshotSeq }
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

  /**
   * Reads the board, folds and proves it — on the update worker when the fold is `foldStored`
   * and there is one, since that takes about a second for a 4 MB board, and then only the
   * oldest MAX_FOLD_ROWS rows — then stores the snapshot and deletes the folded rows in one
   * IMMEDIATE transaction (the write lock first, as the admin tool shares the file). That
   * transaction checks that nothing it folded changed meanwhile — the same snapshot, the same
   * rows up to the last one read; rows appended since come after and stay — and otherwise
   * stores nothing: the next compaction folds again.
   */
  async compact(boardId: string, fold: (stored: StoredDoc) => Uint8Array): Promise<CompactResult> {
    const offThread = fold === foldStored && this.offThread ? this.offThread : null
    const read = this.db.transaction(() =>
      this.read(boardId, offThread ? MAX_FOLD_ROWS : undefined),
    )()
    const unchanged = {
      compacted: false,
      folded: 0,
      bytesBefore: read.bytes,
      bytesAfter: read.bytes,
    }
    if (read.updates.length === 0) return { ...unchanged, reason: 'nothing to fold' }
    const folded = offThread ? await offThread.foldAndProve(read) : this.foldAndProve(read, fold)
    if (!folded) return { ...unchanged, reason: 'a row was not contained in the folded state' }
    return this.db
      .transaction((): CompactResult => {
        const snapshotSeq = this.stmts.snapshotSeq.get(boardId)?.upto_seq ?? null
        const rows = this.stmts.countUpTo.get(boardId, read.lastSeq)?.n ?? 0
        if (snapshotSeq !== read.snapshotSeq || rows !== read.updates.length)
          return { ...unchanged, reason: 'the board was compacted while it was being folded' }
        this.stmts.upsertSnapshot.run(
          boardId,
          folded.state,
          folded.stateVector,
          read.lastSeq,
          Date.now(),
        )
        this.stmts.deleteUpTo.run(boardId, read.lastSeq)
        return {
          compacted: true,
          folded: read.updates.length,
          bytesBefore: read.bytes,
          bytesAfter: folded.state.byteLength,
        }
      })
      .immediate()
  }

  private foldAndProve(
    read: Read,
    fold: (stored: StoredDoc) => Uint8Array,
  ): { state: Uint8Array; stateVector: Uint8Array } | null {
    const state = fold(read)
    if (!provesMerged(state, read.updates)) return null
    return { state, stateVector: Y.encodeStateVectorFromUpdate(state) }
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

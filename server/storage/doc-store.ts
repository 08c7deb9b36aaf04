/**
 * Storage of board documents: a snapshot plus the log of updates accepted since. The
 * interface is asynchronous so another store (PostgreSQL for scale-out) can sit behind it;
 * the SQLite one does its work synchronously and returns settled promises.
 */
import * as Y from 'yjs'

export interface StoredDoc {
  /** The folded state, or null for a board that was never compacted. */
  state: Uint8Array | null
  /** The snapshot's state vector (null without a snapshot). */
  stateVector: Uint8Array | null
  /** Updates accepted after the snapshot, in commit order. */
  updates: Uint8Array[]
  /** Bytes of snapshot plus updates: what the board costs on disk. */
  bytes: number
}

export interface DocUpdate {
  boardId: string
  data: Uint8Array
  /** Who sent it (null for changes the server made itself). */
  userId: string | null
}

export interface CompactResult {
  compacted: boolean
  /** Update rows folded into the new snapshot and deleted. */
  folded: number
  bytesBefore: number
  bytesAfter: number
  /** Why a compaction was skipped, if it was. */
  reason?: string
}

export interface DocStore {
  load(boardId: string): Promise<StoredDoc>
  /** Commits every update in one transaction: all are durable when this resolves. */
  append(updates: readonly DocUpdate[]): Promise<void>
  /**
   * Folds the log into a new snapshot. `fold` receives what is stored and returns the new
   * state; rows are deleted only after each is proven to add nothing to that state.
   */
  compact(boardId: string, fold: (stored: StoredDoc) => Uint8Array): Promise<CompactResult>
  /** Updates stored since the last snapshot. */
  pendingUpdates(boardId: string): Promise<number>
  /**
   * The board's state vector when it is known without reading the board: its snapshot's, if
   * no update follows it. Null otherwise (read the board to know).
   */
  foldedStateVector?(boardId: string): Promise<Uint8Array | null>
  /**
   * Proves the store can commit now: a small write that needs fresh space, undone in the same
   * transaction. Throws as a failed commit would (a full disk, a failing database).
   */
  probe(): Promise<void>
}

/** The state a stored board decodes to: snapshot and log merged (no document needed). */
export function mergeStored(stored: StoredDoc): Uint8Array {
  const parts = stored.state ? [stored.state, ...stored.updates] : stored.updates
  if (parts.length === 0) return Y.encodeStateAsUpdate(new Y.Doc())
  return parts.length === 1 ? (parts[0] as Uint8Array) : Y.mergeUpdates(parts)
}

/** Folds a stored board through a scratch document, which also garbage-collects deletions. */
export function foldStored(stored: StoredDoc): Uint8Array {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, mergeStored(stored))
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/**
 * True when the rows add nothing to `state`: their merge applied to the state changes
 * nothing, so deleting the rows loses nothing, even if a row was never applied. Merging first
 * keeps this one integration instead of one per row.
 */
export function provesMerged(state: Uint8Array, rows: readonly Uint8Array[]): boolean {
  if (rows.length === 0) return true
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    let changed = false
    doc.on('update', () => {
      changed = true
    })
    Y.applyUpdate(
      doc,
      rows.length === 1 ? (rows[0] as Uint8Array) : Y.mergeUpdates(rows as Uint8Array[]),
    )
    return !changed
  } finally {
    doc.destroy()
  }
}

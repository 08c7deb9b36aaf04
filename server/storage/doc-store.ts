/**
 * Storage of board documents: a snapshot plus the log of updates accepted since. The
 * interface is asynchronous so another store (PostgreSQL for scale-out) can sit behind it;
 * the SQLite one does its work synchronously and returns settled promises.
 */

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
   * state; rows are deleted only after each is proven to add nothing to that state. Given
   * `foldStored` (fold exactly what is stored), a store may fold and prove off the event loop.
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
  /**
   * Cluster mode: makes this node the board's one writer before its room loads (a lease and
   * a fencing epoch, docs/cluster.md), or throws when another node serves it. Absent on one
   * machine, where this process is the only writer.
   */
  claim?(boardId: string): Promise<void>
  /** The board's room was unloaded: another node may take the board at once. */
  unloaded?(boardId: string): void
}

/**
 * Merging, folding and the containment proof live in plain JavaScript (fold.mjs) so the update
 * worker runs the same code off the event loop.
 */
export { applyStored, foldAndProve, foldStored, mergeStored, provesMerged } from './fold.mjs'

/**
 * Board documents in PostgreSQL (cluster mode), behind the same DocStore interface as SQLite,
 * with epoch fencing (docs/cluster.md). A node writes a board only after `takeOwnership`,
 * which bumps the board's `owner_epoch`; every commit checks that epoch on the board row in
 * its own transaction, so a node that was taken over (paused past its lease, cut off from
 * Redis) can never write again: its append fails with FencedError and stores nothing.
 *
 * Row locks give the ordering: an append locks the board rows it writes until COMMIT, so a
 * takeover waits for an in-flight commit of the old owner and then sees it; and each board's
 * `update_seq` is taken under that lock, so the log's seq order is its commit order.
 */
import type { CompactResult, DocStore, DocUpdate, StoredDoc } from '../../storage/doc-store.ts'
import { FencedError } from '../../storage/fenced.ts'
import { compactBoard } from './doc-compaction.ts'
import { bytesOf, readBoard, toStored } from './doc-rows.ts'
import type { PgPool, Tx } from './pool.ts'

export class PgDocStore implements DocStore {
  /** The epoch this node holds per board it owns. */
  private readonly epochs = new Map<string, number>()

  /** Where commits run: connections of their own, not queued behind reads, visits or search. */
  private readonly commits: PgPool

  constructor(
    private readonly db: PgPool,
    readonly nodeId: string,
    commits?: PgPool,
  ) {
    this.commits = commits ?? db
  }

  /**
   * Makes this node the board's writer: bumps `owner_epoch` (waiting for any commit of the
   * previous owner in flight) and returns the new epoch. Load the board after this, not
   * before, so the state includes everything the previous owner committed.
   */
  async takeOwnership(boardId: string): Promise<number> {
    const { rows } = await this.db.query<{ owner_epoch: number }>(
      `UPDATE boards SET owner_epoch = owner_epoch + 1, owner_node = $2 WHERE id = $1
       RETURNING owner_epoch`,
      [boardId, this.nodeId],
    )
    const epoch = rows[0]?.owner_epoch
    if (epoch === undefined) throw new Error(`no board ${boardId} to take ownership of`)
    this.epochs.set(boardId, epoch)
    return epoch
  }

  /** The epoch this node writes the board with, if it owns it. */
  epochOf(boardId: string): number | undefined {
    return this.epochs.get(boardId)
  }

  /** Stops writing the board (unloaded or handed off); the epoch stays for the next owner to bump. */
  release(boardId: string): void {
    this.epochs.delete(boardId)
  }

  async load(boardId: string): Promise<StoredDoc> {
    return toStored(await readBoard(this.db, boardId))
  }

  append(updates: readonly DocUpdate[]): Promise<void> {
    return this.commit(updates)
  }

  /**
   * Appends `updates` and runs `also` in the same transaction (the events and notifications
   * derived from them), so all of it commits or none does. Throws FencedError, having stored
   * nothing, when any board of the batch is no longer this node's.
   */
  async commit(updates: readonly DocUpdate[], also?: (tx: Tx) => Promise<void>): Promise<void> {
    if (updates.length === 0 && !also) return
    const perBoard = new Map<string, number>()
    for (const update of updates)
      perBoard.set(update.boardId, (perBoard.get(update.boardId) ?? 0) + 1)
    const ids = [...perBoard.keys()].sort()
    const notOwned = ids.filter((id) => !this.epochs.has(id))
    if (notOwned.length > 0) throw new FencedError(notOwned)
    // Read once, before the first await: a lease lost meanwhile releases a board's epoch here,
    // and the rows must still carry the epoch the board row is checked against.
    const epochOf = new Map(ids.map((id) => [id, this.epochs.get(id) as number]))
    const epochs = ids.map((id) => epochOf.get(id) as number)
    await this.commits.transaction(async (tx) => {
      if (ids.length > 0) {
        // Locking in id order first: two batches sharing boards (around a takeover) then
        // queue instead of deadlocking.
        await tx.query('SELECT 1 FROM boards WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [
          ids,
        ])
        const bumped = await tx.query<{ id: string; update_seq: number }>(
          `UPDATE boards b SET update_seq = b.update_seq + v.n
           FROM unnest($1::text[], $2::bigint[], $3::int[]) AS v(id, epoch, n)
           WHERE b.id = v.id AND b.owner_epoch = v.epoch RETURNING b.id, b.update_seq`,
          [ids, epochs, ids.map((id) => perBoard.get(id))],
        )
        const next = new Map(
          bumped.rows.map((row) => [row.id, row.update_seq - (perBoard.get(row.id) as number)]),
        )
        const fenced = ids.filter((id) => !next.has(id))
        if (fenced.length > 0) {
          // Unless the board was claimed again meanwhile, under a newer epoch.
          for (const id of fenced)
            if (this.epochs.get(id) === epochOf.get(id)) this.epochs.delete(id)
          throw new FencedError(fenced)
        }
        const now = Date.now()
        const seqs = updates.map((update) => {
          const seq = (next.get(update.boardId) as number) + 1
          next.set(update.boardId, seq)
          return seq
        })
        await tx.query(
          `INSERT INTO doc_updates (board_id, seq, data, user_id, epoch, created_at)
           SELECT v.board_id, v.seq, v.data, v.user_id, v.epoch, $6
           FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::text[], $5::bigint[])
             AS v(board_id, seq, data, user_id, epoch)`,
          [
            updates.map((u) => u.boardId),
            seqs,
            updates.map((u) => Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength)),
            updates.map((u) => u.userId),
            updates.map((u) => epochOf.get(u.boardId)),
            now,
          ],
        )
      }
      await also?.(tx)
    })
  }

  async compact(boardId: string, fold: (stored: StoredDoc) => Uint8Array): Promise<CompactResult> {
    const epoch = this.epochs.get(boardId)
    if (epoch === undefined) throw new FencedError([boardId])
    const result = await compactBoard(this.db, boardId, epoch, fold)
    if (result !== 'fenced') return result
    this.epochs.delete(boardId)
    throw new FencedError([boardId])
  }

  async pendingUpdates(boardId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM doc_updates WHERE board_id = $1',
      [boardId],
    )
    return rows[0]?.n ?? 0
  }

  async foldedStateVector(boardId: string): Promise<Uint8Array | null> {
    const { rows } = await this.db.query<{ state_vector: Buffer | null }>(
      `SELECT s.state_vector FROM doc_snapshots s WHERE s.board_id = $1
       AND NOT EXISTS (SELECT 1 FROM doc_updates u WHERE u.board_id = $1)`,
      [boardId],
    )
    const vector = rows[0]?.state_vector
    return vector ? bytesOf(vector) : null
  }

  /** Closes the commit connections, when they are the store's own. */
  async close(): Promise<void> {
    if (this.commits !== this.db) await this.commits.close()
  }

  /** A committed write and delete: fails exactly when an append would (down, full, read-only). */
  async probe(): Promise<void> {
    await this.commits.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>(
        'INSERT INTO store_probe (data) VALUES ($1) RETURNING id',
        [Buffer.alloc(8192)],
      )
      await tx.query('DELETE FROM store_probe WHERE id = $1', [rows[0]?.id])
    })
  }
}

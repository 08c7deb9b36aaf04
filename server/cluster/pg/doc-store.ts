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

/**
 * A batch's append as one statement. `locked` takes the batch's board rows in id order (two
 * batches sharing boards, around a takeover, queue instead of deadlocking) and reads each one's
 * epoch as it is now (a takeover that committed meanwhile is seen). Only when every board is
 * still at the batch's epoch are the boards' update_seq bumped and the rows inserted; otherwise
 * nothing is written and the fenced boards come back. Parameters: $1 board ids, $2 their epochs,
 * $3 their update counts; $4–$7 per update: board id, place in its board's batch, data, user;
 * $8 the time.
 */
const APPEND = `WITH locked AS MATERIALIZED (
    SELECT b.id, b.owner_epoch FROM boards b WHERE b.id = ANY($1::text[]) ORDER BY b.id FOR UPDATE
  ),
  batch AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[]) AS v(id, epoch, n)),
  fenced AS (
    SELECT batch.id FROM batch LEFT JOIN locked ON locked.id = batch.id
    WHERE locked.owner_epoch IS DISTINCT FROM batch.epoch
  ),
  bumped AS (
    UPDATE boards b SET update_seq = b.update_seq + batch.n FROM batch
    WHERE b.id = batch.id AND NOT EXISTS (SELECT 1 FROM fenced)
    RETURNING b.id, b.update_seq - batch.n AS base, batch.epoch
  ),
  inserted AS (
    INSERT INTO doc_updates (board_id, seq, data, user_id, epoch, created_at)
    SELECT u.board_id, bumped.base + u.place, u.data, u.user_id, bumped.epoch, $8
    FROM unnest($4::text[], $5::int[], $6::bytea[], $7::text[]) AS u(board_id, place, data, user_id)
    JOIN bumped ON bumped.id = u.board_id
    RETURNING 1
  )
  SELECT ARRAY(SELECT id FROM fenced ORDER BY id) AS fenced, (SELECT count(*) FROM inserted) AS n`

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
   *
   * The append is one statement (APPEND below), and without `also` it is its own transaction:
   * one round trip to PostgreSQL per batch, not five (BEGIN, lock, bump, insert, COMMIT). On a
   * busy machine every round trip waits for both processes to be scheduled, and the batch's
   * relays wait for all of them.
   */
  async commit(updates: readonly DocUpdate[], also?: (tx: Tx) => Promise<void>): Promise<void> {
    if (updates.length === 0 && !also) return
    const perBoard = new Map<string, number>()
    // Each update's place among its board's updates in this batch (1, 2, …): its seq is the
    // board's update_seq before the batch plus this.
    const place = updates.map((update) => {
      const n = (perBoard.get(update.boardId) ?? 0) + 1
      perBoard.set(update.boardId, n)
      return n
    })
    const ids = [...perBoard.keys()].sort()
    const notOwned = ids.filter((id) => !this.epochs.has(id))
    if (notOwned.length > 0) throw new FencedError(notOwned)
    // Read once, before the first await: a lease lost meanwhile releases a board's epoch here,
    // and the rows must still carry the epoch the board row is checked against.
    const epochOf = new Map(ids.map((id) => [id, this.epochs.get(id) as number]))
    const values = [
      ids,
      ids.map((id) => epochOf.get(id)),
      ids.map((id) => perBoard.get(id)),
      updates.map((u) => u.boardId),
      place,
      updates.map((u) => Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength)),
      updates.map((u) => u.userId),
      Date.now(),
    ]
    const append = async (tx: Tx): Promise<void> => {
      if (ids.length === 0) return
      const { rows } = await tx.query<{ fenced: string[] }>(APPEND, values)
      const fenced = rows[0]?.fenced ?? []
      if (fenced.length === 0) return
      // Unless the board was claimed again meanwhile, under a newer epoch.
      for (const id of fenced) if (this.epochs.get(id) === epochOf.get(id)) this.epochs.delete(id)
      throw new FencedError(fenced)
    }
    if (!also) return append(this.commits)
    await this.commits.transaction(async (tx) => {
      await append(tx)
      await also(tx)
    })
  }

  async compact(boardId: string, fold: (stored: StoredDoc) => Uint8Array): Promise<CompactResult> {
    const epoch = this.epochs.get(boardId)
    if (epoch === undefined) throw new FencedError([boardId])
    const result = await compactBoard(this.db, boardId, epoch, fold)
    if (result !== 'fenced') return result
    // Only the epoch this compaction ran under: a claim since may hold a newer one.
    if (this.epochs.get(boardId) === epoch) this.epochs.delete(boardId)
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

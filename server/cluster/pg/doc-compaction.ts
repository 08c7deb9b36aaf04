/**
 * Compaction of a board in PostgreSQL, by its owner only (docs/cluster.md, "Fencing"). The
 * board is read and folded outside the write transaction: folding a large board takes a
 * while, and holding the board row meanwhile would stall every commit of this node. Rows up
 * to the seq read cannot change (the log is append-only and seqs are taken in commit order),
 * so the proof made on them still holds when the write transaction, which checks the owner
 * epoch, stores the snapshot at that seq and deletes exactly those rows.
 */
import * as Y from 'yjs'
import { provesMerged, type CompactResult, type StoredDoc } from '../../storage/doc-store.ts'
import { readBoard, toStored } from './doc-rows.ts'
import type { PgPool } from './pool.ts'

/** Compacts as DocStore.compact does; 'fenced' when `epoch` is no longer the board's. */
export async function compactBoard(
  db: PgPool,
  boardId: string,
  epoch: number,
  fold: (stored: StoredDoc) => Uint8Array,
): Promise<CompactResult | 'fenced'> {
  const row = await readBoard(db, boardId)
  const stored = toStored(row)
  const unchanged = {
    compacted: false,
    folded: 0,
    bytesBefore: stored.bytes,
    bytesAfter: stored.bytes,
  }
  if (stored.updates.length === 0) return { ...unchanged, reason: 'nothing to fold' }
  const state = fold(stored)
  if (!provesMerged(state, stored.updates))
    return { ...unchanged, reason: 'a row was not contained in the folded state' }
  const upto = row.last_seq as number
  const written = await db.transaction(async (tx) => {
    const owner = await tx.query<{ owner_epoch: number }>(
      'SELECT owner_epoch FROM boards WHERE id = $1 FOR UPDATE',
      [boardId],
    )
    if (owner.rows[0]?.owner_epoch !== epoch) return 'fenced'
    // Only over the snapshot this fold started from: another compaction in between wins.
    const snapshot = await tx.query(
      `INSERT INTO doc_snapshots (board_id, state, state_vector, upto_seq, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (board_id) DO UPDATE SET state = excluded.state,
         state_vector = excluded.state_vector, upto_seq = excluded.upto_seq,
         updated_at = excluded.updated_at
       WHERE doc_snapshots.upto_seq IS NOT DISTINCT FROM $6`,
      [boardId, state, Y.encodeStateVectorFromUpdate(state), upto, Date.now(), row.upto_seq],
    )
    if (snapshot.rowCount !== 1) return 'moved'
    const deleted = await tx.query('DELETE FROM doc_updates WHERE board_id = $1 AND seq <= $2', [
      boardId,
      upto,
    ])
    // Exactly the rows proven; anything else means the log changed under us: keep it all.
    if (deleted.rowCount !== stored.updates.length)
      throw new Error(
        `board ${boardId}: compaction found ${deleted.rowCount} rows, proved ${stored.updates.length}`,
      )
    return 'written'
  })
  if (written === 'fenced') return 'fenced'
  if (written === 'moved') return { ...unchanged, reason: 'compacted meanwhile by another run' }
  return {
    compacted: true,
    folded: stored.updates.length,
    bytesBefore: stored.bytes,
    bytesAfter: state.byteLength,
  }
}

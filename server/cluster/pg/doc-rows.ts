/** Reading a stored board from PostgreSQL: shared by loading and compaction. */
import type { StoredDoc } from '../../storage/doc-store.ts'
import type { Tx } from './pool.ts'

export interface StoredRow {
  state: Buffer | null
  state_vector: Buffer | null
  upto_seq: number | null
  updates: Buffer[]
  last_seq: number | null
}

/** Snapshot and log in one statement, so both come from one snapshot of the database. */
const READ_BOARD = `SELECT s.state, s.state_vector, s.upto_seq,
    ARRAY(SELECT u.data FROM doc_updates u WHERE u.board_id = $1 ORDER BY u.seq) AS updates,
    (SELECT max(u.seq) FROM doc_updates u WHERE u.board_id = $1) AS last_seq
  FROM (SELECT $1::text AS id) b LEFT JOIN doc_snapshots s ON s.board_id = b.id`

/** Snapshot and log of one board, as one consistent read. */
export async function readBoard(db: Tx, boardId: string): Promise<StoredRow> {
  const { rows } = await db.query<StoredRow>(READ_BOARD, [boardId])
  return rows[0] as StoredRow
}

export function toStored(row: StoredRow): StoredDoc {
  let bytes = row.state?.byteLength ?? 0
  const updates = row.updates.map((data) => {
    bytes += data.byteLength
    return bytesOf(data)
  })
  return {
    state: row.state ? bytesOf(row.state) : null,
    stateVector: row.state_vector ? bytesOf(row.state_vector) : null,
    updates,
    bytes,
  }
}

/** A Uint8Array view of a Buffer (Yjs compares types, so not a Buffer). */
export function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

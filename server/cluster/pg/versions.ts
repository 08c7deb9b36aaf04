/**
 * Versions of boards in PostgreSQL (storage/history-repo.ts). Ties of `created_at` list in
 * insertion order, as SQLite's rowid does, through the `position` sequence.
 */
import type { BoardVersion } from '../../../shared/api.ts'
import { ENCODING, packState, toVersion, unpackState } from '../../history/version-store.ts'
import type { NewVersion, VersionRepo } from '../../storage/history-repo.ts'
import type { PgPool, Tx } from './pool.ts'

interface VersionRow {
  id: string
  board_id: string
  name: string | null
  auto: boolean
  created_at: number
  created_by: string | null
}

const COLUMNS = 'id, board_id, name, auto, created_at, created_by'

export class PgVersions implements VersionRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  async add(version: NewVersion): Promise<BoardVersion> {
    const packed = await packState(version.state)
    const { rows } = await this.db.query<VersionRow>(
      `INSERT INTO doc_versions (id, board_id, name, auto, created_at, created_by, encoding, state,
         state_vector) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        version.id,
        version.boardId,
        version.name,
        version.auto,
        version.createdAt,
        version.createdBy,
        ENCODING,
        packed,
        Buffer.from(version.stateVector),
      ],
    )
    return toVersion(rows[0] as VersionRow)
  }

  async list(boardId: string): Promise<BoardVersion[]> {
    const { rows } = await this.db.query<VersionRow>(
      `SELECT ${COLUMNS} FROM doc_versions WHERE board_id = $1
       ORDER BY created_at DESC, position DESC`,
      [boardId],
    )
    return rows.map(toVersion)
  }

  async get(boardId: string, id: string): Promise<BoardVersion | undefined> {
    const { rows } = await this.db.query<VersionRow>(
      `SELECT ${COLUMNS} FROM doc_versions WHERE board_id = $1 AND id = $2`,
      [boardId, id],
    )
    return rows[0] && toVersion(rows[0])
  }

  async state(boardId: string, id: string): Promise<Uint8Array | undefined> {
    const { rows } = await this.db.query<{ encoding: string; state: Buffer }>(
      'SELECT encoding, state FROM doc_versions WHERE board_id = $1 AND id = $2',
      [boardId, id],
    )
    return rows[0] && unpackState(id, rows[0])
  }

  async automatic(boardId: string): Promise<Array<{ id: string; createdAt: number }>> {
    const { rows } = await this.db.query<{ id: string; created_at: number }>(
      'SELECT id, created_at FROM doc_versions WHERE board_id = $1 AND auto',
      [boardId],
    )
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at }))
  }

  async boardsWithAutomaticBefore(at: number): Promise<string[]> {
    const { rows } = await this.db.query<{ board_id: string }>(
      'SELECT DISTINCT board_id FROM doc_versions WHERE auto AND created_at < $1',
      [at],
    )
    return rows.map((row) => row.board_id)
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.db.query('DELETE FROM doc_versions WHERE id = ANY($1::text[])', [[...ids]])
  }
}

/**
 * Stored versions of boards (docs/operations.md, "History"): each row holds a whole committed
 * state, so a version outlives the update rows that compaction deletes. States are deflated on
 * libuv's thread pool (Yjs updates of text compress several times), not on the event loop.
 */
import { promisify } from 'node:util'
import { deflateRaw, inflateRaw } from 'node:zlib'
import type { BoardVersion } from '../../shared/api.ts'
import type { Db } from '../db/open.ts'

const deflate = promisify(deflateRaw)
const inflate = promisify(inflateRaw)

/** How a row's state is stored: a Yjs update (v1), deflated. */
export const ENCODING = 'yjs-v1+deflate'

/** A state as rows keep it (every store alike). */
export const packState = (state: Uint8Array): Promise<Buffer> => deflate(state)

/** A row's state back as one Yjs update (v1). */
export async function unpackState(
  id: string,
  row: { encoding: string; state: Uint8Array },
): Promise<Uint8Array> {
  if (row.encoding !== ENCODING) throw new Error(`version ${id}: unknown encoding ${row.encoding}`)
  return new Uint8Array(await inflate(row.state))
}

interface VersionRow {
  id: string
  board_id: string
  name: string | null
  auto: 0 | 1
  created_at: number
  created_by: string | null
}

export interface NewVersion {
  id: string
  boardId: string
  name: string | null
  auto: boolean
  createdAt: number
  createdBy: string | null
  state: Uint8Array
  stateVector: Uint8Array
}

/** A row as the API answers it (`auto` may come as SQLite's 0/1 or PostgreSQL's boolean). */
export const toVersion = (row: Omit<VersionRow, 'auto'> & { auto: 0 | 1 | boolean }) => {
  const version: BoardVersion = {
    id: row.id,
    ...(row.name !== null ? { name: row.name } : {}),
    createdAt: row.created_at,
    ...(row.created_by !== null ? { createdBy: row.created_by } : {}),
    auto: row.auto === 1 || row.auto === true,
  }
  return version
}

const COLUMNS = 'id, board_id, name, auto, created_at, created_by'

export class VersionStore {
  private readonly stmts

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare<
        [
          id: string,
          boardId: string,
          name: string | null,
          auto: number,
          createdAt: number,
          createdBy: string | null,
          encoding: string,
          state: Uint8Array,
          stateVector: Uint8Array,
        ]
      >(
        `INSERT INTO doc_versions (id, board_id, name, auto, created_at, created_by, encoding, state, state_vector)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      list: db.prepare<[string], VersionRow>(
        `SELECT ${COLUMNS} FROM doc_versions WHERE board_id = ? ORDER BY created_at DESC, rowid DESC`,
      ),
      get: db.prepare<[string, string], VersionRow>(
        `SELECT ${COLUMNS} FROM doc_versions WHERE board_id = ? AND id = ?`,
      ),
      state: db.prepare<[string, string], { encoding: string; state: Buffer }>(
        'SELECT encoding, state FROM doc_versions WHERE board_id = ? AND id = ?',
      ),
      autoOf: db.prepare<[string], { id: string; created_at: number }>(
        'SELECT id, created_at FROM doc_versions WHERE board_id = ? AND auto = 1',
      ),
      boardsWithAutoBefore: db.prepare<[number], { board_id: string }>(
        'SELECT DISTINCT board_id FROM doc_versions WHERE auto = 1 AND created_at < ?',
      ),
      remove: db.prepare<[string]>('DELETE FROM doc_versions WHERE id = ?'),
    }
  }

  async add(version: NewVersion): Promise<BoardVersion> {
    const packed = await packState(version.state)
    this.stmts.insert.run(
      version.id,
      version.boardId,
      version.name,
      version.auto ? 1 : 0,
      version.createdAt,
      version.createdBy,
      ENCODING,
      packed,
      version.stateVector,
    )
    return toVersion(this.stmts.get.get(version.boardId, version.id) as VersionRow)
  }

  /** Newest first. */
  list(boardId: string): BoardVersion[] {
    return this.stmts.list.all(boardId).map(toVersion)
  }

  get(boardId: string, id: string): BoardVersion | undefined {
    const row = this.stmts.get.get(boardId, id)
    return row && toVersion(row)
  }

  /** The version's state as one Yjs update (v1), or undefined if there is no such version. */
  async state(boardId: string, id: string): Promise<Uint8Array | undefined> {
    const row = this.stmts.state.get(boardId, id)
    return row && unpackState(id, row)
  }

  automatic(boardId: string): Array<{ id: string; createdAt: number }> {
    return this.stmts.autoOf.all(boardId).map((r) => ({ id: r.id, createdAt: r.created_at }))
  }

  boardsWithAutomaticBefore(at: number): string[] {
    return this.stmts.boardsWithAutoBefore.all(at).map((r) => r.board_id)
  }

  remove(ids: readonly string[]): void {
    if (ids.length === 0) return
    this.db.transaction(() => {
      for (const id of ids) this.stmts.remove.run(id)
    })()
  }
}

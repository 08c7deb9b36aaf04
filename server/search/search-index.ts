/**
 * The search index (docs/operations.md, "Search"): one row per entity field in `search_rows`,
 * full-text indexed by FTS5 (`search_text`, kept in step by triggers), and the state vector
 * each board's rows were extracted from. Re-indexing a board writes only the rows whose text
 * changed, so FTS5 does work in proportion to the edit, not to the board.
 */
import type { SearchResult } from '../../shared/api.ts'
import type { Db } from '../db/open.ts'
import type { SearchEntry } from './extract.ts'
import { ftsQuery, MATCH_END, MATCH_START, unmark, type SearchQuery } from './query.ts'

interface StoredRow {
  id: number
  entity_type: string
  entity_id: string
  field: string
  text: string
}

interface MatchRow {
  board_id: string
  entity_type: SearchResult['entityType']
  entity_id: string
  field: string
  snippet: string
}

const keyOf = (r: { entityType: string; entityId: string; field: string }) =>
  `${r.entityType}\u0000${r.entityId}\u0000${r.field}`

export class SearchIndex {
  private readonly stmts
  private readonly replaceAll: (boardId: string, entries: SearchEntry[], vector: Uint8Array) => void
  private readonly moveVectors: (vectors: ReadonlyMap<string, Uint8Array>) => void

  constructor(db: Db) {
    this.stmts = {
      rowsOf: db.prepare<[string], StoredRow>(
        'SELECT id, entity_type, entity_id, field, text FROM search_rows WHERE board_id = ?',
      ),
      insert: db.prepare<[string, string, string, string, string]>(
        'INSERT INTO search_rows (board_id, entity_type, entity_id, field, text) VALUES (?, ?, ?, ?, ?)',
      ),
      update: db.prepare<[string, number]>('UPDATE search_rows SET text = ? WHERE id = ?'),
      remove: db.prepare<[number]>('DELETE FROM search_rows WHERE id = ?'),
      setVector: db.prepare<[string, Uint8Array, number]>(
        `INSERT INTO search_boards (board_id, state_vector, indexed_at) VALUES (?, ?, ?)
         ON CONFLICT (board_id) DO UPDATE SET state_vector = excluded.state_vector, indexed_at = excluded.indexed_at`,
      ),
      moveVector: db.prepare<[Uint8Array, number, string]>(
        'UPDATE search_boards SET state_vector = ?, indexed_at = ? WHERE board_id = ?',
      ),
      vector: db.prepare<[string], { state_vector: Buffer }>(
        'SELECT state_vector FROM search_boards WHERE board_id = ?',
      ),
      // Matches, best first, among the given boards (a JSON array of ids). The snippet marks
      // matched tokens with private-use characters, turned into offsets by `unmark`.
      search: db.prepare<[string, string, string, string, number], MatchRow>(
        `SELECT r.board_id, r.entity_type, r.entity_id, r.field,
                snippet(search_text, 0, ?, ?, '…', 16) AS snippet
         FROM search_text JOIN search_rows r ON r.id = search_text.rowid
         WHERE search_text MATCH ? AND r.board_id IN (SELECT value FROM json_each(?))
         ORDER BY rank LIMIT ?`,
      ),
    }
    this.replaceAll = db.transaction(
      (boardId: string, entries: SearchEntry[], vector: Uint8Array) => {
        const stored = new Map(
          this.stmts.rowsOf
            .all(boardId)
            .map((row) => [
              keyOf({ entityType: row.entity_type, entityId: row.entity_id, field: row.field }),
              row,
            ]),
        )
        for (const entry of entries) {
          const key = keyOf(entry)
          const row = stored.get(key)
          stored.delete(key)
          if (!row)
            this.stmts.insert.run(
              boardId,
              entry.entityType,
              entry.entityId,
              entry.field,
              entry.text,
            )
          else if (row.text !== entry.text) this.stmts.update.run(entry.text, row.id)
        }
        for (const gone of stored.values()) this.stmts.remove.run(gone.id)
        this.stmts.setVector.run(boardId, vector, Date.now())
      },
    )
    this.moveVectors = db.transaction((vectors: ReadonlyMap<string, Uint8Array>) => {
      const now = Date.now()
      for (const [boardId, vector] of vectors) this.stmts.moveVector.run(vector, now, boardId)
    })
  }

  /**
   * Records that each board's rows, unchanged, were extracted again from the state with its
   * vector. A board with no stored vector (never indexed, or removed) is left alone.
   */
  saveVectors(vectors: ReadonlyMap<string, Uint8Array>): void {
    this.moveVectors(vectors)
  }

  /** Makes the board's rows exactly `entries`, extracted from the state with `vector`. */
  replaceBoard(boardId: string, entries: SearchEntry[], vector: Uint8Array): void {
    // One entry per key: a client could write two comments with one id.
    const unique = new Map(entries.map((entry) => [keyOf(entry), entry]))
    this.replaceAll(boardId, [...unique.values()], vector)
  }

  /** The state vector the board's rows were extracted from, if it was ever indexed. */
  indexedVector(boardId: string): Uint8Array | null {
    const row = this.stmts.vector.get(boardId)
    return row ? new Uint8Array(row.state_vector) : null
  }

  /** The best `limit` matches of `query` among the given boards, best first. */
  search(query: SearchQuery, boardIds: readonly string[], limit: number): SearchResult[] {
    if (boardIds.length === 0) return []
    const rows = this.stmts.search.all(
      MATCH_START,
      MATCH_END,
      ftsQuery(query),
      JSON.stringify(boardIds),
      limit,
    )
    return rows.map((row) => ({
      boardId: row.board_id,
      entityType: row.entity_type,
      entityId: row.entity_id,
      field: row.field,
      ...unmark(row.snippet),
    }))
  }
}

/**
 * The search index in PostgreSQL (storage/search-repo.ts): a row per entity field whose
 * generated `tsv` (the `simple` configuration: lower-cased words, no stemming, no accent
 * folding) has a GIN index, in place of FTS5.
 *
 * A query's terms become a tsquery built from lexemes PostgreSQL's own parser gives for each
 * term (ts_debug), never from the typed text, so nothing typed is an operator: a term's tokens
 * in order (`a <-> b`), the last one a prefix (`:*`) when the term is; all terms ANDed.
 * Compound tokens ("or-gate", a URL) are left out of queries and their parts kept, as FTS5
 * splits them. A lexeme may hold a quote (a URL's path), so each is quoted for tsquery input. Snippets come from ts_headline with the same marks as FTS5's, and "…" where the text
 * was cut.
 */
import type { SearchResult } from '../../../shared/api.ts'
import { MATCH_END, MATCH_START, unmark } from '../../search/query.ts'
import type { SearchEntry, SearchQuery, SearchRepo, SearchTerm } from '../../storage/search-repo.ts'
import type { PgPool, Tx } from './pool.ts'

const keyOf = (r: { entityType: string; entityId: string; field: string }) =>
  `${r.entityType}\u0000${r.entityId}\u0000${r.field}`

/** ts_headline's options: one fragment of up to 16 words, marked as FTS5's snippet is. */
const HEADLINE = `StartSel="${MATCH_START}", StopSel="${MATCH_END}", MaxWords=16, MinWords=8, ShortWord=0, MaxFragments=1, FragmentDelimiter=" … "`

/**
 * Tokens that are a compound of others the parser also gives ("or-gate" → "or", "gate"; a
 * URL → its host and path).
 */
const COMPOUND = new Set(['asciihword', 'hword', 'numhword', 'url'])

/** A lexeme quoted for tsquery input: quotes and backslashes doubled. */
const quoteLexeme = (lexeme: string) => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`

interface MatchRow {
  board_id: string
  entity_type: SearchResult['entityType']
  entity_id: string
  field: string
  text: string
  headline: string
}

/**
 * A board's index rows made exactly the entries ($2–$5: type, id, field, text, one per key),
 * and its state vector ($6) stored, in one statement: rows not among the entries are deleted,
 * entries whose text differs from their row (or have none) are upserted, the others left as
 * they are (their tsv and GIN entries are not rewritten). The CTEs see one snapshot and touch
 * disjoint rows (a deleted row is not an entry).
 */
const REPLACE_BOARD = `WITH incoming AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
      AS i(entity_type, entity_id, field, text)
  ),
  gone AS (
    DELETE FROM search_rows r WHERE r.board_id = $1 AND NOT EXISTS (
      SELECT 1 FROM incoming i
      WHERE i.entity_type = r.entity_type AND i.entity_id = r.entity_id AND i.field = r.field
    )
  ),
  written AS (
    INSERT INTO search_rows (board_id, entity_type, entity_id, field, text)
    SELECT $1, i.entity_type, i.entity_id, i.field, i.text FROM incoming i
    WHERE NOT EXISTS (
      SELECT 1 FROM search_rows r
      WHERE r.board_id = $1 AND r.entity_type = i.entity_type AND r.entity_id = i.entity_id
        AND r.field = i.field AND r.text = i.text
    )
    ON CONFLICT (board_id, entity_type, entity_id, field) DO UPDATE SET text = excluded.text
  )
  INSERT INTO search_boards (board_id, state_vector, indexed_at) VALUES ($1, $6, $7)
  ON CONFLICT (board_id)
  DO UPDATE SET state_vector = excluded.state_vector, indexed_at = excluded.indexed_at`

export class PgSearch implements SearchRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  /**
   * Makes the board's rows exactly `entries`; rows whose text is unchanged are not written.
   * One statement (REPLACE_BOARD), so one round trip: a node indexing tens of boards a second
   * under edits did five each (BEGIN, read the rows, delete, upsert, the vector, COMMIT).
   */
  async replaceBoard(boardId: string, entries: SearchEntry[], vector: Uint8Array): Promise<void> {
    // One entry per key: a client could write two comments with one id.
    const unique = [...new Map(entries.map((entry) => [keyOf(entry), entry])).values()]
    await this.db.query(REPLACE_BOARD, [
      boardId,
      unique.map((e) => e.entityType),
      unique.map((e) => e.entityId),
      unique.map((e) => e.field),
      unique.map((e) => e.text),
      Buffer.from(vector),
      Date.now(),
    ])
  }

  /** As SearchIndex.saveVectors: one statement for all the boards. */
  async saveVectors(vectors: ReadonlyMap<string, Uint8Array>): Promise<void> {
    if (vectors.size === 0) return
    await this.db.query(
      `UPDATE search_boards s SET state_vector = v.vector, indexed_at = $3
       FROM unnest($1::text[], $2::bytea[]) AS v(board_id, vector) WHERE s.board_id = v.board_id`,
      [[...vectors.keys()], [...vectors.values()].map((vector) => Buffer.from(vector)), Date.now()],
    )
  }

  async indexedVector(boardId: string): Promise<Uint8Array | null> {
    const { rows } = await this.db.query<{ state_vector: Buffer }>(
      'SELECT state_vector FROM search_boards WHERE board_id = $1',
      [boardId],
    )
    const vector = rows[0]?.state_vector
    return vector ? new Uint8Array(vector) : null
  }

  async search(
    query: SearchQuery,
    boardIds: readonly string[],
    limit: number,
  ): Promise<SearchResult[]> {
    if (boardIds.length === 0) return []
    const tsquery = await this.tsquery(query.terms)
    if (!tsquery) return []
    const { rows } = await this.db.query<MatchRow>(
      `SELECT r.board_id, r.entity_type, r.entity_id, r.field, r.text,
         ts_headline('simple', r.text, q, $4) AS headline
       FROM search_rows r, CAST($1 AS tsquery) AS q
       WHERE r.tsv @@ q AND r.board_id = ANY($2::text[])
       ORDER BY ts_rank(r.tsv, q) DESC, r.id LIMIT $3`,
      [tsquery, [...boardIds], limit, HEADLINE],
    )
    return rows.map((row) => ({
      boardId: row.board_id,
      entityType: row.entity_type,
      entityId: row.entity_id,
      field: row.field,
      ...unmark(cutMarks(row.headline, row.text)),
    }))
  }

  /** The terms as tsquery text, from the lexemes PostgreSQL's parser finds in each. */
  private async tsquery(terms: readonly SearchTerm[]): Promise<string | null> {
    const { rows } = await this.db.query<{ term: number; alias: string; lexemes: string[] }>(
      `SELECT t.n AS term, d.alias, d.lexemes
       FROM unnest($1::text[]) WITH ORDINALITY AS t(text, n),
         LATERAL ts_debug('simple', regexp_replace(t.text, '[^[:alnum:]]+', ' ', 'g'))
           WITH ORDINALITY AS d(alias, description, token, dictionaries, dictionary, lexemes, k)
       ORDER BY t.n, d.k`,
      [terms.map((term) => term.text)],
    )
    const lexemes = terms.map(() => [] as string[])
    for (const row of rows)
      if (!COMPOUND.has(row.alias)) lexemes[row.term - 1]?.push(...(row.lexemes ?? []))
    const parts = terms.flatMap((term, i) => {
      const words = (lexemes[i] ?? []).filter((lexeme) => lexeme !== '').map(quoteLexeme)
      if (words.length === 0) return []
      if (term.prefix) words[words.length - 1] += ':*'
      return [`(${words.join(' <-> ')})`]
    })
    return parts.length > 0 ? parts.join(' & ') : null
  }
}

/** The headline with "…" where it starts after, or ends before, the text does (as FTS5's). */
function cutMarks(headline: string, text: string): string {
  const plain = unmark(headline).snippet
  const at = text.indexOf(plain)
  if (at < 0) return headline
  return `${at > 0 ? '…' : ''}${headline}${at + plain.length < text.length ? '…' : ''}`
}

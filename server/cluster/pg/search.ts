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
import { atomically, type PgPool, type Tx } from './pool.ts'

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

export class PgSearch implements SearchRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  /** Makes the board's rows exactly `entries`; rows whose text is unchanged are not written. */
  async replaceBoard(boardId: string, entries: SearchEntry[], vector: Uint8Array): Promise<void> {
    // One entry per key: a client could write two comments with one id.
    const unique = [...new Map(entries.map((entry) => [keyOf(entry), entry])).values()]
    await atomically(this.db, async (tx) => {
      const { rows } = await tx.query<{
        id: number
        entity_type: string
        entity_id: string
        field: string
        text: string
      }>(
        'SELECT id, entity_type, entity_id, field, text FROM search_rows WHERE board_id = $1 FOR UPDATE',
        [boardId],
      )
      const stored = new Map(
        rows.map((row) => [
          keyOf({ entityType: row.entity_type, entityId: row.entity_id, field: row.field }),
          row,
        ]),
      )
      const changed = unique.filter((entry) => stored.get(keyOf(entry))?.text !== entry.text)
      const kept = new Set(unique.map(keyOf))
      const gone = rows.filter(
        (row) =>
          !kept.has(
            keyOf({ entityType: row.entity_type, entityId: row.entity_id, field: row.field }),
          ),
      )
      if (gone.length > 0)
        await tx.query('DELETE FROM search_rows WHERE id = ANY($1::bigint[])', [
          gone.map((row) => row.id),
        ])
      if (changed.length > 0)
        await tx.query(
          `INSERT INTO search_rows (board_id, entity_type, entity_id, field, text)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
           ON CONFLICT (board_id, entity_type, entity_id, field) DO UPDATE SET text = excluded.text`,
          [
            boardId,
            changed.map((e) => e.entityType),
            changed.map((e) => e.entityId),
            changed.map((e) => e.field),
            changed.map((e) => e.text),
          ],
        )
      await tx.query(
        `INSERT INTO search_boards (board_id, state_vector, indexed_at) VALUES ($1, $2, $3)
         ON CONFLICT (board_id)
         DO UPDATE SET state_vector = excluded.state_vector, indexed_at = excluded.indexed_at`,
        [boardId, Buffer.from(vector), Date.now()],
      )
    })
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

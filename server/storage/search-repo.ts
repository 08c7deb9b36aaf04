/**
 * The search index behind an asynchronous interface (search/search-index.ts's methods, each
 * returning a promise). `search` takes the parsed query (search/query.ts), so each store runs
 * it in its own syntax: FTS5 on SQLite, a tsquery on PostgreSQL. Both mark matches in the
 * snippet with the same private-use characters (`unmark` turns them into offsets).
 */
import type { SearchIndex } from '../search/search-index.ts'
import type { Asynchronous } from './asynchronous.ts'

export type { SearchQuery, SearchTerm } from '../search/query.ts'
export type { SearchEntry } from '../search/extract.ts'

export type SearchRepo = Asynchronous<SearchIndex>

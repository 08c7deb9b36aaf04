/**
 * What a person types, as a query every store can run without a syntax error. Every word is
 * one term matched as a prefix, so results come while typing; text in double quotes stays one
 * phrase (a prefix too while its closing quote is not typed yet). All terms must match.
 * Operators (AND, OR, NEAR, column filters, `*`, `^`, `&`, `:`) are never interpreted: they are
 * searched for as words. Each store renders the terms in its own syntax — FTS5 here
 * (`ftsQuery`), PostgreSQL's tsquery in cluster/pg/search.ts — and tokenizes their text itself.
 */

export interface SearchTerm {
  /** A word or a phrase, as typed (the store splits it into tokens). */
  text: string
  /** Whether its last token may be the start of a longer one. */
  prefix: boolean
}

export interface SearchQuery {
  /** Every one must match (never empty). */
  terms: readonly SearchTerm[]
}

/** Words with no letter or digit tokenize to nothing; they are left out. */
const SEARCHABLE = /[\p{L}\p{N}]/u

/** The query in what a person typed, or null when nothing in it can be searched for. */
export function parseSearch(text: string): SearchQuery | null {
  const terms: SearchTerm[] = []
  for (const match of text.matchAll(/"([^"]*)("?)|(\S+)/g)) {
    const [, phrase, closed, word] = match
    if (phrase !== undefined && SEARCHABLE.test(phrase))
      terms.push({ text: phrase, prefix: !closed })
    else if (word !== undefined && SEARCHABLE.test(word)) terms.push({ text: word, prefix: true })
  }
  return terms.length > 0 ? { terms } : null
}

/**
 * The query in FTS5's syntax (https://sqlite.org/fts5.html#full_text_query_syntax): each term
 * a quoted string (quotes doubled), so nothing in it is an operator.
 */
export function ftsQuery(query: SearchQuery): string {
  return query.terms
    .map(({ text, prefix }) => `"${text.replace(/"/g, '""')}"${prefix ? '*' : ''}`)
    .join(' ')
}

export const MATCH_START = '\uE000'
export const MATCH_END = '\uE001'

/**
 * Splits a snippet marked with MATCH_START/MATCH_END (private-use characters that extraction
 * strips from user text) into plain text and the spans that matched.
 */
export function unmark(marked: string): { snippet: string; highlights: Array<[number, number]> } {
  let snippet = ''
  const highlights: Array<[number, number]> = []
  let start = -1
  for (const char of marked) {
    if (char === MATCH_START) start = snippet.length
    else if (char === MATCH_END && start >= 0) {
      highlights.push([start, snippet.length])
      start = -1
    } else snippet += char
  }
  return { snippet, highlights }
}

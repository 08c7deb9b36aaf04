/**
 * What a person types, made into an FTS5 query that cannot be a syntax error
 * (https://sqlite.org/fts5.html#full_text_query_syntax). Every word becomes a quoted string
 * (quotes doubled), matched as a prefix so results come while typing; text in double quotes
 * stays one phrase. Words are ANDed. Operators (AND, OR, NEAR, column filters, `*`, `^`) are
 * therefore never interpreted: they are searched for as words.
 */

/** Words with no letter or digit tokenize to nothing; they are left out. */
const SEARCHABLE = /[\p{L}\p{N}]/u

export function ftsQuery(text: string): string | null {
  const parts: string[] = []
  for (const match of text.matchAll(/"([^"]*)("?)|(\S+)/g)) {
    const [, phrase, closed, word] = match
    // A phrase still being typed (no closing quote yet) matches as a prefix, like a word.
    if (phrase !== undefined && SEARCHABLE.test(phrase))
      parts.push(closed ? quote(phrase) : `${quote(phrase)}*`)
    else if (word !== undefined && SEARCHABLE.test(word)) parts.push(`${quote(word)}*`)
  }
  return parts.length > 0 ? parts.join(' ') : null
}

const quote = (text: string) => `"${text.replace(/"/g, '""')}"`

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

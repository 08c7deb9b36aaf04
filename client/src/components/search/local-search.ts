/**
 * Search on this device, over the open board's own content, for when the server cannot be
 * asked (offline): the same kinds of text as the server's index, every word matching as a
 * prefix of a word, best first by how early the match is. Answers what GET /api/search would.
 */
import type { SearchResult } from '../../../../shared/api.ts'
import type { BoardContent } from '../../lib/board-store.ts'

const SNIPPET = 80

export function searchHere(
  content: BoardContent,
  boardId: string,
  q: string,
  limit = 50,
): SearchResult[] {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  if (words.length === 0) return []
  const results: Array<SearchResult & { rank: number }> = []
  const consider = (
    entityType: SearchResult['entityType'],
    entityId: string,
    field: string,
    text: unknown,
  ) => {
    if (typeof text !== 'string' || !text) return
    const lower = text.toLowerCase()
    const spans: Array<[number, number]> = []
    for (const word of words) {
      const at = new RegExp(`(^|[^\\p{L}\\p{N}])${escape(word)}`, 'u').exec(lower)
      if (!at) return
      const start = at.index + (at[1]?.length ?? 0)
      spans.push([start, start + word.length])
    }
    const first = Math.min(...spans.map(([s]) => s))
    const from = Math.max(0, first - 20)
    const snippet = text.slice(from, from + SNIPPET)
    results.push({
      boardId,
      entityType,
      entityId,
      field,
      snippet,
      highlights: spans
        .map(([s, e]) => [s - from, e - from] as [number, number])
        .filter(([s, e]) => s >= 0 && e <= snippet.length)
        .sort((a, b) => a[0] - b[0]),
      rank: first,
    })
  }
  consider('board', boardId, 'title', content.meta.title)
  for (const task of Object.values(content.tasks)) {
    if (!task) continue
    consider('task', task.id, 'title', task.title)
    consider('task', task.id, 'description', task.description)
  }
  for (const thread of Object.values(content.threads)) {
    for (const comment of thread?.comments ?? [])
      if (!comment.deleted) consider('thread', thread.id, `comment:${comment.id}`, comment.body)
  }
  for (const media of Object.values(content.media))
    if (media) consider('media', media.id, 'name', media.name)
  return results
    .sort((a, b) => a.rank - b.rank)
    .slice(0, limit)
    .map(({ rank: _rank, ...result }) => result)
}

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

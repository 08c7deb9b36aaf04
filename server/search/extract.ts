/**
 * The searchable text of a board (docs/product.md, "Search"): its title, task titles and
 * descriptions, comment bodies (not soft-deleted ones), annotation labels if any, and media
 * names. Every value is read defensively: other clients write these documents too.
 */
import * as Y from 'yjs'
import { BoardKey, type EntityType } from '../../shared/schema/board.ts'

export interface SearchEntry {
  entityType: EntityType | 'board'
  entityId: string
  /** Which text of the entity: `title`, `description`, `name`, `comment:<id>`, ... */
  field: string
  text: string
}

/** Longest text indexed per field: enough for any description, bounded for the index. */
const MAX_TEXT = 20_000
/** Text fields an annotation may carry (none in the schema yet; clients may add one). */
const ANNOTATION_FIELDS = ['label', 'text', 'note', 'title'] as const
/** The search answer marks matches with these (search-index.ts); user text must not hold them. */
const MARKERS = /[\uE000\uE001]/g

export function extractText(doc: Y.Doc, boardId: string): SearchEntry[] {
  const entries: SearchEntry[] = []
  const add = (
    entityType: SearchEntry['entityType'],
    entityId: string,
    field: string,
    value: unknown,
  ) => {
    const text = textOf(value)
    if (text) entries.push({ entityType, entityId, field, text })
  }
  add('board', boardId, 'title', doc.getMap(BoardKey.meta).get('title'))
  for (const [id, task] of entitiesOf(doc, BoardKey.tasks)) {
    add('task', id, 'title', task.get('title'))
    add('task', id, 'description', task.get('description'))
  }
  for (const [id, thread] of entitiesOf(doc, BoardKey.threads)) {
    const comments: unknown = thread.get('comments')
    if (!(comments instanceof Y.Array)) continue
    for (const comment of comments.toArray() as unknown[]) {
      if (!(comment instanceof Y.Map) || comment.get('deleted') === true) continue
      const commentId: unknown = comment.get('id')
      if (typeof commentId === 'string')
        add('thread', id, `comment:${commentId}`, comment.get('body'))
    }
  }
  for (const [id, annotation] of entitiesOf(doc, BoardKey.annotations))
    for (const field of ANNOTATION_FIELDS) add('annotation', id, field, annotation.get(field))
  for (const [id, media] of entitiesOf(doc, BoardKey.media)) {
    const name: unknown = media.get('name')
    add('media', id, 'name', name)
    // Earlier versions' file names find the item too.
    const versions: unknown = media.get('versions')
    if (versions instanceof Y.Array) {
      for (const version of versions.toArray() as unknown[]) {
        const { n, name: versionName } = (version ?? {}) as { n?: unknown; name?: unknown }
        if (typeof n === 'number' && versionName !== name)
          add('media', id, `version:${n}`, versionName)
      }
    }
  }
  return entries
}

function* entitiesOf(doc: Y.Doc, name: string): Iterable<[string, Y.Map<unknown>]> {
  for (const [id, value] of doc.getMap(name).entries())
    if (value instanceof Y.Map) yield [id, value as Y.Map<unknown>]
}

function textOf(value: unknown): string {
  const raw = typeof value === 'string' ? value : value instanceof Y.Text ? value.toString() : ''
  return raw.slice(0, MAX_TEXT).replace(MARKERS, '').trim()
}

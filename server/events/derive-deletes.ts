/**
 * Deletes leave a trace (docs/product.md, "Notifications and activity"): a task, annotation,
 * thread (with its comments) or media item removed from the board becomes an event naming what
 * went, so the feed can say it. Read in `afterTransaction`, before Yjs garbage-collects the
 * deleted content, from the items themselves (a deleted Y.Map answers `get` with nothing).
 */
import * as Y from 'yjs'
import type { EventData, EventType } from '../../shared/protocol/events.ts'

type Type = Y.AbstractType<unknown>

export interface DeletedEvent<T extends EventType = EventType> {
  type: T
  data: EventData<T>
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

/** True when the item was created by this transaction (its clock is past the state before). */
const isNew = (transaction: Y.Transaction, item: Y.Item): boolean =>
  item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0)

const deletedNow = (transaction: Y.Transaction, item: Y.Item): boolean =>
  item.deleted && Y.isDeleted(transaction.deleteSet, item.id)

/** A field of a map as it was when the transaction deleted it. */
function field(map: Type, key: string): unknown {
  return map._map.get(key)?.content.getContent().at(-1)
}

/**
 * The entity a key of a collection held before the transaction, if the transaction removed it
 * (not replaced: a key that holds a new entity now is a creation, not a delete).
 */
export function removedEntity(
  transaction: Y.Transaction,
  collection: Y.Map<unknown>,
  key: string,
): Type | null {
  if (collection.has(key)) return null
  let item = collection._map.get(key) ?? null
  while (item && isNew(transaction, item)) item = item.left
  if (!item || !deletedNow(transaction, item)) return null
  const type = (item.content as { type?: unknown }).type
  return type instanceof Y.Map ? (type as Type) : null
}

export function taskDeleted(taskId: string, task: Type): DeletedEvent {
  return { type: 'task.deleted', data: { taskId, title: str(field(task, 'title')) } }
}

export function annotationDeleted(annotationId: string, annotation: Type): DeletedEvent {
  const shape = field(annotation, 'shape') as { type?: unknown } | undefined
  return {
    type: 'annotation.deleted',
    data: { annotationId, mediaId: str(field(annotation, 'mediaId')), shape: str(shape?.type) },
  }
}

export function mediaDeleted(mediaId: string, media: Type): DeletedEvent {
  return { type: 'media.deleted', data: { mediaId, name: str(field(media, 'name')) } }
}

/** A thread goes with its comments: the event counts them and quotes the first. */
export function threadDeleted(
  transaction: Y.Transaction,
  threadId: string,
  thread: Type,
): DeletedEvent {
  const comments = field(thread, 'comments')
  const bodies: string[] = []
  if (comments instanceof Y.AbstractType) {
    for (let item = comments._start; item !== null; item = item.right) {
      // Comments removed before this transaction are gone already; these went with the thread.
      if (item.deleted && !deletedNow(transaction, item)) continue
      const comment = (item.content as { type?: unknown }).type
      if (comment instanceof Y.Map) bodies.push(str(field(comment as Type, 'body')))
    }
  }
  return {
    type: 'thread.deleted',
    data: { threadId, comments: bodies.length, excerpt: (bodies[0] ?? '').slice(0, 140) },
  }
}

/**
 * Events derived from a board's document (docs/product.md, "Notifications and activity"). A Yjs
 * update carries no author; the connection that sent it does, so the room runs this on the
 * transactions a connection caused and attributes what changed to that connection's user.
 *
 * Yjs fires no events inside types created in the same transaction, so a new task, thread or
 * annotation is read whole from the map that gained it.
 */
import * as Y from 'yjs'
import type { EventData, EventType } from '../../shared/protocol/events.ts'
import {
  BoardKey,
  EntityCollection,
  isReviewEntry,
  mediaVersions,
  type EntityType,
  type MediaMap,
  type TaskStatus,
} from '../../shared/schema/board.ts'
import {
  annotationDeleted,
  mediaDeleted,
  removedEntity,
  taskDeleted,
  threadDeleted,
} from './derive-deletes.ts'

export interface DerivedEvent<T extends EventType = EventType> {
  type: T
  data: EventData<T>
}

/** Who should hear about a change, besides the event stream. */
export interface NotificationIntent {
  userId: string
  type: 'mention' | 'reply' | 'assigned' | 'review'
  threadId?: string
  commentId?: string
  taskId?: string
  /** What the notification says beyond the ids (a verdict: which item, version and verdict). */
  data?: Record<string, unknown>
}

export interface Derived {
  events: DerivedEvent[]
  notify: NotificationIntent[]
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '')
const strOrNull = (value: unknown): string | null =>
  typeof value === 'string' && value ? value : null
const statuses = new Set(['todo', 'doing', 'review', 'done'])
const status = (value: unknown): TaskStatus | null =>
  statuses.has(value as string) ? (value as TaskStatus) : null

function event<T extends EventType>(type: T, data: EventData<T>): DerivedEvent {
  return { type, data } as DerivedEvent
}

/** What a finished transaction changed, as events and notification intents. */
export function deriveFromTransaction(doc: Y.Doc, transaction: Y.Transaction): Derived {
  const derived: Derived = { events: [], notify: [] }
  const tasks: unknown = doc.getMap(BoardKey.tasks)
  const annotations: unknown = doc.getMap(BoardKey.annotations)
  const threads: unknown = doc.getMap(BoardKey.threads)
  const media: unknown = doc.getMap(BoardKey.media)
  for (const [changed, keys] of transaction.changed) {
    const type: unknown = changed
    const parent: unknown = changed._item?.parent
    const added = (map: unknown, fn: (id: string, entity: Y.Map<unknown>) => void) =>
      newEntries(transaction, keys, map as Y.Map<unknown>, fn)
    // Deletes leave a trace: what went, named, on the board's stream.
    const removed = (fn: (id: string, entity: Y.AbstractType<unknown>) => DerivedEvent) => {
      for (const key of keys) {
        const entity =
          key === null
            ? null
            : removedEntity(transaction, changed as unknown as Y.Map<unknown>, key)
        if (entity) derived.events.push(fn(key as string, entity))
      }
    }
    if (type === tasks) {
      added(type, (id, map) => taskCreated(derived, id, map))
      removed(taskDeleted)
    } else if (type === annotations) {
      added(type, (id, map) => annotationCreated(derived, id, map))
      removed(annotationDeleted)
    } else if (type === threads) {
      added(type, (id, map) => threadCreated(derived, id, map))
      removed((id, thread) => threadDeleted(transaction, id, thread))
    } else if (type === media) removed(mediaDeleted)
    else if (parent === tasks && type instanceof Y.Map)
      taskChanged(derived, transaction, type, keys)
    else if (parent === threads && type instanceof Y.Map)
      threadChanged(derived, transaction, type, keys)
    else if (parent === media && type instanceof Y.Map && keys.has('reviews')) {
      // `reviews` made by this transaction (an item from before reviews existed): its entries.
      const reviews = type.get('reviews')
      if (reviews instanceof Y.Map && isNew(transaction, reviews._item))
        verdictsGiven(derived, transaction, type, reviews, new Set(reviews.keys()))
    } else if (
      type instanceof Y.Map &&
      changed._item?.parentSub === 'reviews' &&
      parent instanceof Y.Map &&
      (parent._item?.parent as unknown) === media
    ) {
      verdictsGiven(derived, transaction, parent, type, keys)
    } else if (
      type instanceof Y.Array &&
      parent instanceof Y.Map &&
      (parent._item?.parent as unknown) === threads
    ) {
      commentsAdded(derived, transaction, parent, type)
    }
  }
  return derived
}

/** Calls `fn` for each key of `map` that the transaction added (a new entity). */
function newEntries(
  transaction: Y.Transaction,
  keys: Set<string | null>,
  map: Y.Map<unknown>,
  fn: (id: string, entity: Y.Map<unknown>) => void,
) {
  for (const key of keys) {
    if (key === null) continue
    const value: unknown = map.get(key)
    if (value instanceof Y.Map && isNew(transaction, value._item)) fn(key, value as Y.Map<unknown>)
  }
}

/** True when the item was created by this transaction (its clock is past the state before). */
function isNew(transaction: Y.Transaction, item: Y.Item | null): boolean {
  return !!item && item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0)
}

function taskCreated(derived: Derived, taskId: string, task: Y.Map<unknown>) {
  const title = str(task.get('title'))
  derived.events.push(
    event('task.created', { taskId, title, status: str(task.get('status')) || 'todo' }),
  )
  const assigneeId = strOrNull(task.get('assigneeId'))
  if (assigneeId) {
    derived.events.push(
      event('task.assigned', { taskId, title, assigneeId, previousAssigneeId: null }),
    )
    derived.notify.push({ userId: assigneeId, type: 'assigned', taskId })
  }
}

function taskChanged(
  derived: Derived,
  transaction: Y.Transaction,
  task: Y.Map<unknown>,
  keys: Set<string | null>,
) {
  const taskId = str(task._item?.parentSub)
  const title = str(task.get('title'))
  const before = (key: string) => oldValue(transaction, task, key)
  if (keys.has('assigneeId')) {
    const assigneeId = strOrNull(task.get('assigneeId'))
    const previousAssigneeId = strOrNull(before('assigneeId'))
    if (assigneeId !== previousAssigneeId) {
      derived.events.push(event('task.assigned', { taskId, title, assigneeId, previousAssigneeId }))
      if (assigneeId) derived.notify.push({ userId: assigneeId, type: 'assigned', taskId })
    }
  }
  if (keys.has('status')) {
    const to = status(task.get('status'))
    const from = status(before('status'))
    if (to && to !== from)
      derived.events.push(event('task.status_changed', { taskId, title, from, to }))
  }
}

function annotationCreated(derived: Derived, annotationId: string, annotation: Y.Map<unknown>) {
  const shape = annotation.get('shape') as { type?: unknown } | undefined
  const timeMs = annotation.get('timeMs')
  derived.events.push(
    event('annotation.created', {
      annotationId,
      mediaId: str(annotation.get('mediaId')),
      shape: str(shape?.type),
      timeMs: typeof timeMs === 'number' ? timeMs : null,
    }),
  )
}

function threadCreated(derived: Derived, threadId: string, thread: Y.Map<unknown>) {
  const comments = thread.get('comments')
  if (!(comments instanceof Y.Array)) return
  const seen: string[] = []
  for (const comment of comments.toArray()) {
    if (comment instanceof Y.Map)
      commentCreated(derived, threadId, comment, seen, str(thread.get('createdBy')))
  }
}

function threadChanged(
  derived: Derived,
  transaction: Y.Transaction,
  thread: Y.Map<unknown>,
  keys: Set<string | null>,
) {
  if (
    keys.has('resolved') &&
    thread.get('resolved') === true &&
    oldValue(transaction, thread, 'resolved') !== true
  ) {
    derived.events.push(event('thread.resolved', { threadId: str(thread._item?.parentSub) }))
  }
}

function commentsAdded(
  derived: Derived,
  transaction: Y.Transaction,
  thread: Y.Map<unknown>,
  comments: Y.Array<unknown>,
) {
  const threadId = str(thread._item?.parentSub)
  const earlier: string[] = []
  for (const comment of comments.toArray()) {
    if (!(comment instanceof Y.Map)) continue
    if (isNew(transaction, comment._item))
      commentCreated(derived, threadId, comment, earlier, str(thread.get('createdBy')))
    else earlier.push(str(comment.get('authorId')))
  }
}

/**
 * One comment.created event, a mention for each user it names, and a reply for everyone who
 * took part in the thread before it (its creator and earlier authors).
 */
function commentCreated(
  derived: Derived,
  threadId: string,
  comment: Y.Map<unknown>,
  earlier: string[],
  creator: string,
) {
  const commentId = str(comment.get('id'))
  const authorId = str(comment.get('authorId'))
  const rawMentions = comment.get('mentions')
  const mentions = Array.isArray(rawMentions)
    ? [...new Set(rawMentions.filter((m): m is string => typeof m === 'string'))]
    : []
  const body = str(comment.get('body'))
  derived.events.push(
    event('comment.created', {
      threadId,
      commentId,
      authorId,
      mentions,
      excerpt: body.slice(0, 140),
    }),
  )
  for (const userId of mentions)
    derived.notify.push({ userId, type: 'mention', threadId, commentId })
  const participants = new Set([creator, ...earlier].filter((id) => id && !mentions.includes(id)))
  for (const userId of participants)
    derived.notify.push({ userId, type: 'reply', threadId, commentId })
  earlier.push(authorId)
}

/**
 * Where on the board (`tasks/<id>`, `threads/<id>/comments/<id>`, …: the paths the guards
 * refuse) the change an event or notification tells of happened.
 */
function subjectOf(type: string, data: Record<string, unknown>): string | null {
  const at = (...parts: unknown[]) =>
    parts.every((p) => typeof p === 'string') ? parts.join('/') : null
  switch (type) {
    case 'task.created':
    case 'task.deleted':
      return at(BoardKey.tasks, data.taskId)
    case 'task.assigned':
    case 'assigned':
      return at(BoardKey.tasks, data.taskId, 'assigneeId')
    case 'task.status_changed':
      return at(BoardKey.tasks, data.taskId, 'status')
    case 'annotation.created':
    case 'annotation.deleted':
      return at(BoardKey.annotations, data.annotationId)
    case 'comment.created':
    case 'mention':
    case 'reply':
      return at(BoardKey.threads, data.threadId, 'comments', data.commentId)
    case 'thread.resolved':
      return at(BoardKey.threads, data.threadId, 'resolved')
    case 'thread.deleted':
      return at(BoardKey.threads, data.threadId)
    case 'media.deleted':
      return at(BoardKey.media, data.mediaId)
    case 'review.verdict':
    case 'review':
      return at(BoardKey.media, data.mediaId, 'reviews', data.userId)
    default:
      return null
  }
}

/**
 * Drops what happened at or under the given paths (their changes were reverted): no events and
 * no notifications from a reverted part (docs/locks.md, L11; the reviewer role). What happened
 * beside a reverted field (a comment kept, one reaction in it refused) stays.
 */
export function withoutPaths(derived: Derived, paths: Iterable<string>): Derived {
  const refused = [...paths]
  if (refused.length === 0) return derived
  const concerns = (subject: string | null) =>
    subject !== null && refused.some((p) => subject === p || subject.startsWith(`${p}/`))
  return {
    events: derived.events.filter(
      (e) => !concerns(subjectOf(e.type, e.data as Record<string, unknown>)),
    ),
    notify: derived.notify.filter(
      (n) => !concerns(subjectOf(n.type, { ...n, ...n.data } as Record<string, unknown>)),
    ),
  }
}

/** Drops what concerns the given locked entities (`<entityType>/<id>`; their changes were reverted). */
export function withoutEntities(derived: Derived, entities: ReadonlyMap<string, unknown>): Derived {
  const paths = [...entities.keys()].map((ref) => {
    const [entityType, id] = ref.split('/') as [EntityType, string]
    return `${EntityCollection[entityType]}/${id}`
  })
  return withoutPaths(derived, paths)
}

/**
 * Verdicts written into a media item's `reviews`: a `review.verdict` event each, and a
 * `review` notification to whoever added the version reviewed (the notifier skips them when the
 * verdict is their own). A withdrawn verdict (the entry removed) says nothing.
 */
function verdictsGiven(
  derived: Derived,
  transaction: Y.Transaction,
  item: Y.Map<unknown>,
  reviews: Y.Map<unknown>,
  keys: Set<string | null>,
) {
  const mediaId = str(item._item?.parentSub)
  const name = str(item.get('name'))
  for (const userId of keys) {
    if (userId === null) continue
    const entry = reviews.get(userId)
    if (!isReviewEntry(entry)) continue
    const before = oldValue(transaction, reviews, userId)
    const previous = isReviewEntry(before) ? before.verdict : null
    const { version, verdict } = entry
    derived.events.push(
      event('review.verdict', { mediaId, name, userId, version, verdict, previous }),
    )
    const uploader = mediaVersions(item as unknown as MediaMap).find((v) => v.n === version)
    const to = str(uploader?.addedBy ?? item.get('addedBy'))
    if (to)
      derived.notify.push({
        userId: to,
        type: 'review',
        data: { mediaId, name, userId, version, verdict },
      })
  }
}

/** A map key's value before the transaction (Yjs keeps it on the replaced item). */
function oldValue(transaction: Y.Transaction, map: Y.Map<unknown>, key: string): unknown {
  let item = map._map.get(key) ?? null
  // The previous value is the newest item for the key that existed before the transaction.
  while (item && isNew(transaction, item)) item = item.left
  if (!item || item.content.constructor.name === 'ContentDeleted') return undefined
  const content = item.content.getContent()
  return content[content.length - 1]
}

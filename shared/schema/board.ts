/**
 * The board document: one Y.Doc per board (docs/product.md, "The data"). The top-level names and
 * field keys here are part of the public contract — other clients and tools read them — so
 * they are declared once and every side uses these accessors. Add keys freely; rename none.
 *
 * Every entity is a Y.Map of separate fields, so concurrent edits to different fields of one
 * entity both survive, and concurrent edits to the same field resolve identically everywhere.
 */
import * as Y from 'yjs'

export const BoardKey = {
  meta: 'meta',
  media: 'media',
  annotations: 'annotations',
  threads: 'threads',
  tasks: 'tasks',
} as const

/** Entity types addressed by presence and locks, with the top-level map that holds each. */
export const EntityCollection = {
  task: BoardKey.tasks,
  annotation: BoardKey.annotations,
  media: BoardKey.media,
  thread: BoardKey.threads,
} as const

export type EntityType = keyof typeof EntityCollection

export function isEntityType(value: unknown): value is EntityType {
  return typeof value === 'string' && Object.hasOwn(EntityCollection, value)
}

export type TaskStatus = 'todo' | 'doing' | 'review' | 'done'
export const taskStatuses: readonly TaskStatus[] = ['todo', 'doing', 'review', 'done']
export type TaskPriority = 'low' | 'normal' | 'high' | 'urgent'
export const taskPriorities: readonly TaskPriority[] = ['low', 'normal', 'high', 'urgent']
export type MediaKind = 'image' | 'video'

/** Shapes are plain JSON values with coordinates normalised to 0..1 of the media. */
export type Point = { x: number; y: number }
export type Shape =
  | { type: 'pin'; x: number; y: number }
  | { type: 'rect'; x: number; y: number; w: number; h: number }
  | { type: 'ellipse'; cx: number; cy: number; rx: number; ry: number }
  | { type: 'arrow'; from: Point; to: Point }
  | { type: 'path'; points: Point[] }

export type ThreadAnchor = {
  type: 'annotation' | 'task' | 'media' | 'board'
  id: string
  timeMs?: number
}

export interface BoardMeta {
  title: string
  createdAt: number
  createdBy: string
}

export interface MediaFields {
  id: string
  kind: MediaKind
  hash: string
  name: string
  bytes: number
  width?: number
  height?: number
  durationMs?: number
  addedBy: string
  addedAt: number
}

export interface AnnotationFields {
  id: string
  mediaId: string
  shape: Shape
  timeMs?: number
  color: string
  authorId: string
  createdAt: number
  threadId?: string
}

export interface CommentFields {
  id: string
  authorId: string
  body: string
  mentions: string[]
  reactions: Y.Map<Y.Map<true>>
  createdAt: number
  editedAt?: number
  deleted?: boolean
}

export interface ThreadFields {
  id: string
  anchor: ThreadAnchor
  resolved: boolean
  createdBy: string
  createdAt: number
  comments: Y.Array<TypedMap<CommentFields>>
}

export interface TaskFields {
  id: string
  title: string
  description: Y.Text
  status: TaskStatus
  assigneeId?: string | null
  dueAt?: number | null
  priority: TaskPriority
  order: string
  createdBy: string
  createdAt: number
  updatedAt: number
}

/** Entities as plain JSON (what `toJSON()` gives): how the web client renders them. */
export type CommentJson = Omit<CommentFields, 'reactions'> & {
  reactions?: Record<string, Record<string, true>>
}
export type ThreadJson = Omit<ThreadFields, 'comments'> & { comments?: CommentJson[] }
export type TaskJson = Omit<TaskFields, 'description'> & { description?: string }

/**
 * A Y.Map whose keys and value types are known. Yjs types a map by one value type only;
 * this view gives each field its own type without changing what is stored.
 */
export type TypedMap<T extends object> = Omit<Y.Map<unknown>, 'get' | 'set'> & {
  get<K extends keyof T & string>(key: K): T[K] | undefined
  set<K extends keyof T & string>(key: K, value: T[K]): T[K]
}

/** A new, empty Y.Map typed as an entity. */
function typedMap<T extends object>(): TypedMap<T> {
  return new Y.Map() as unknown as TypedMap<T>
}

export type MetaMap = TypedMap<BoardMeta>
export type MediaMap = TypedMap<MediaFields>
export type AnnotationMap = TypedMap<AnnotationFields>
export type ThreadMap = TypedMap<ThreadFields>
export type CommentMap = TypedMap<CommentFields>
export type TaskMap = TypedMap<TaskFields>

/** Typed access to a board document's top-level types. */
export function board(doc: Y.Doc) {
  return {
    meta: doc.getMap(BoardKey.meta) as unknown as MetaMap,
    media: doc.getMap(BoardKey.media) as unknown as Y.Map<MediaMap>,
    annotations: doc.getMap(BoardKey.annotations) as unknown as Y.Map<AnnotationMap>,
    threads: doc.getMap(BoardKey.threads) as unknown as Y.Map<ThreadMap>,
    tasks: doc.getMap(BoardKey.tasks) as unknown as Y.Map<TaskMap>,
  }
}

export type Board = ReturnType<typeof board>

function fill<T extends object>(map: TypedMap<T>, fields: Partial<T>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) map.set(key as keyof T & string, value as T[keyof T & string])
  }
}

/** Sets the board's title and creation stamp (done once, by the server, when it is created). */
export function initMeta(doc: Y.Doc, meta: BoardMeta): void {
  const { meta: map } = board(doc)
  doc.transact(() => fill(map, meta))
}

export type NewTask = Omit<
  TaskFields,
  'description' | 'createdAt' | 'updatedAt' | 'status' | 'priority'
> &
  Partial<Pick<TaskFields, 'status' | 'priority' | 'createdAt'>> & { description?: string }

export function createTask(doc: Y.Doc, task: NewTask): TaskMap {
  const map = typedMap<TaskFields>()
  const now = task.createdAt ?? Date.now()
  const { description, ...fields } = task
  doc.transact(() => {
    board(doc).tasks.set(task.id, map)
    fill(map, { status: 'todo', priority: 'normal', ...fields, createdAt: now, updatedAt: now })
    map.set('description', new Y.Text(description ?? ''))
  })
  return map
}

/** Sets task fields one key at a time (so concurrent edits of other fields survive). */
export function updateTask(
  doc: Y.Doc,
  id: string,
  fields: Partial<Omit<TaskFields, 'id' | 'description' | 'createdAt' | 'createdBy'>>,
): void {
  const map = board(doc).tasks.get(id)
  if (!map) throw new Error(`no task ${id}`)
  doc.transact(() => fill(map, { ...fields, updatedAt: Date.now() }))
}

export type NewMedia = Omit<MediaFields, 'addedAt'> & Partial<Pick<MediaFields, 'addedAt'>>

export function addMedia(doc: Y.Doc, media: NewMedia): MediaMap {
  const map = typedMap<MediaFields>()
  doc.transact(() => {
    board(doc).media.set(media.id, map)
    fill(map, { addedAt: Date.now(), ...media })
  })
  return map
}

export type NewAnnotation = Omit<AnnotationFields, 'createdAt'> &
  Partial<Pick<AnnotationFields, 'createdAt'>>

export function createAnnotation(doc: Y.Doc, annotation: NewAnnotation): AnnotationMap {
  const map = typedMap<AnnotationFields>()
  doc.transact(() => {
    board(doc).annotations.set(annotation.id, map)
    fill(map, { createdAt: Date.now(), ...annotation })
  })
  return map
}

export type NewThread = Pick<ThreadFields, 'id' | 'anchor' | 'createdBy'> &
  Partial<Pick<ThreadFields, 'createdAt'>>

export function createThread(doc: Y.Doc, thread: NewThread): ThreadMap {
  const map = typedMap<ThreadFields>()
  doc.transact(() => {
    board(doc).threads.set(thread.id, map)
    fill(map, { resolved: false, createdAt: Date.now(), ...thread })
    map.set('comments', new Y.Array())
  })
  return map
}

export type NewComment = Pick<CommentFields, 'id' | 'authorId' | 'body'> &
  Partial<Pick<CommentFields, 'mentions' | 'createdAt'>>

export function addComment(doc: Y.Doc, threadId: string, comment: NewComment): CommentMap {
  const thread = board(doc).threads.get(threadId)
  const comments = thread?.get('comments')
  if (!comments) throw new Error(`no thread ${threadId}`)
  const map = typedMap<CommentFields>()
  doc.transact(() => {
    comments.push([map])
    fill(map, { mentions: [], createdAt: Date.now(), ...comment })
    map.set('reactions', new Y.Map())
  })
  return map
}

/** Comments are deleted softly: the entry stays so replies and undo keep their place. */
export function deleteComment(doc: Y.Doc, threadId: string, commentId: string): void {
  const comment = findComment(doc, threadId, commentId)
  doc.transact(() => {
    comment.set('deleted', true)
    comment.set('body', '')
  })
}

export function findComment(doc: Y.Doc, threadId: string, commentId: string): CommentMap {
  const comments = board(doc).threads.get(threadId)?.get('comments')
  const found = comments?.toArray().find((c) => c.get('id') === commentId)
  if (!found) throw new Error(`no comment ${commentId} in thread ${threadId}`)
  return found
}

export function toggleReaction(
  doc: Y.Doc,
  threadId: string,
  commentId: string,
  emoji: string,
  userId: string,
): void {
  const reactions = findComment(doc, threadId, commentId).get('reactions')
  if (!reactions) return
  doc.transact(() => {
    let users = reactions.get(emoji)
    if (!users) {
      users = new Y.Map<true>()
      reactions.set(emoji, users)
    }
    if (users.has(userId)) users.delete(userId)
    else users.set(userId, true)
  })
}

export function setThreadResolved(doc: Y.Doc, threadId: string, resolved: boolean): void {
  const thread = board(doc).threads.get(threadId)
  if (!thread) throw new Error(`no thread ${threadId}`)
  thread.set('resolved', resolved)
}

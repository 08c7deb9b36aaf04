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

/**
 * Where a thread hangs. On media: the `version` it was made on and, for video, `timeMs` plus
 * an optional `endMs` (a range).
 */
export type ThreadAnchor = {
  type: 'annotation' | 'task' | 'media' | 'board'
  id: string
  timeMs?: number
  endMs?: number
  version?: number
  /** On an annotation: the media item it is drawn on (so the thread stays there without it). */
  mediaId?: string
}

export interface BoardMeta {
  title: string
  createdAt: number
  createdBy: string
}

/**
 * The fields a media version carries; the item's own fields of the same names mirror its
 * newest version. An item without `versions` (made before versions existed) is version 1.
 */
export interface MediaVersion {
  n: number
  hash: string
  name: string
  bytes: number
  width?: number
  height?: number
  durationMs?: number
  fps?: number
  addedBy: string
  addedAt: number
}

/**
 * The usual frame rates of a version's `fps`, exact (NTSC rates are rational: 30000/1001). A rate within 1.5 % of one of them is that one: a recorder's jitter or
 * timestamps in whole milliseconds give 30.3 for 30.
 */
export const STANDARD_FPS = [
  24000 / 1001,
  24,
  25,
  30000 / 1001,
  30,
  48,
  50,
  60000 / 1001,
  60,
  120,
] as const

export function snapFps(fps: number): number | undefined {
  if (!Number.isFinite(fps) || fps <= 0 || fps > 1000) return undefined
  let nearest: number = STANDARD_FPS[0]
  for (const standard of STANDARD_FPS)
    if (Math.abs(standard - fps) < Math.abs(nearest - fps)) nearest = standard
  return Math.abs(nearest - fps) / nearest < 0.015 ? nearest : Math.round(fps * 1000) / 1000
}

export type Verdict = 'approved' | 'changes_requested'
export const verdicts: readonly Verdict[] = ['approved', 'changes_requested']

/** One reviewer's verdict on a media item, keyed by their user id in `reviews`. */
export interface ReviewEntry {
  version: number
  verdict: Verdict
  at: number
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
  fps?: number
  addedBy: string
  addedAt: number
  /** Plain objects, oldest first. */
  versions?: Y.Array<MediaVersion>
  /** userId -> their verdict (each reviewer writes only their own). */
  reviews?: Y.Map<ReviewEntry>
}

export interface AnnotationFields {
  id: string
  mediaId: string
  shape: Shape
  /** The media version it was drawn on (absent: 1). */
  version?: number
  timeMs?: number
  /** Video: the end of the range it covers, when it is one. */
  endMs?: number
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
export type MediaJson = Omit<MediaFields, 'versions' | 'reviews'> & {
  versions?: MediaVersion[]
  reviews?: Record<string, ReviewEntry>
}

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

export type NewMedia = Omit<MediaFields, 'addedAt' | 'versions' | 'reviews'> &
  Partial<Pick<MediaFields, 'addedAt'>>

/** A new media item: its fields, version 1 of them in `versions`, and an empty `reviews`. */
export function addMedia(doc: Y.Doc, media: NewMedia): MediaMap {
  const map = typedMap<MediaFields>()
  doc.transact(() => {
    board(doc).media.set(media.id, map)
    fill(map, { addedAt: Date.now(), ...media })
    map.set('versions', Y.Array.from([versionOf(map, 1)]))
    map.set('reviews', new Y.Map<ReviewEntry>())
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

// Media versions and verdicts (docs/product.md, "The data").

const mirrored = [
  'hash',
  'name',
  'bytes',
  'width',
  'height',
  'durationMs',
  'fps',
  'addedBy',
  'addedAt',
] as const satisfies ReadonlyArray<keyof MediaVersion & keyof MediaFields>

/** The item's own fields as a version (what an item made before versions existed is). */
function versionOf(item: MediaMap, n: number): MediaVersion {
  const version: Partial<MediaVersion> = { n }
  for (const key of mirrored) {
    const value = item.get(key)
    if (value !== undefined) (version as Record<string, unknown>)[key] = value
  }
  return version as MediaVersion
}

/** Every version of an item, oldest first; an item without `versions` is its own version 1. */
export function mediaVersions(item: MediaMap): MediaVersion[] {
  const versions = item.get('versions')?.toArray() ?? []
  return versions.length > 0 ? versions : [versionOf(item, 1)]
}

export function currentVersion(item: MediaMap): number {
  return mediaVersions(item).at(-1)?.n ?? 1
}

export type NewMediaVersion = Omit<MediaVersion, 'n' | 'addedAt'> &
  Partial<Pick<MediaVersion, 'addedAt'>>

/**
 * Adds the next version of a media item (a new upload of the same thing) and makes the item's
 * fields mirror it. Verdicts stay keyed to the version they were given on.
 */
export function addMediaVersion(doc: Y.Doc, mediaId: string, added: NewMediaVersion): MediaVersion {
  const item = board(doc).media.get(mediaId)
  if (!item) throw new Error(`no media ${mediaId}`)
  let version: MediaVersion = { ...added, n: 0, addedAt: added.addedAt ?? Date.now() }
  doc.transact(() => {
    let versions = item.get('versions')
    if (!versions) {
      versions = Y.Array.from([versionOf(item, 1)])
      item.set('versions', versions)
    }
    version = { ...version, n: Math.max(0, ...versions.toArray().map((v) => v.n)) + 1 }
    versions.push([version])
    for (const key of mirrored) {
      const value = version[key]
      if (value === undefined) item.delete(key)
      else item.set(key, value as never)
    }
  })
  return version
}

/** Keys an early client set on an approved item, read as an approval of version 1. */
export const LegacyApproval = { by: 'approvedBy', at: 'approvedAt' } as const

/** The verdicts on an item by user id (a legacy approval counts as one). */
export function mediaReviews(item: MediaMap): Record<string, ReviewEntry> {
  const reviews: Record<string, ReviewEntry> = {}
  const raw = item as unknown as Y.Map<unknown>
  const legacyBy = raw.get(LegacyApproval.by)
  if (typeof legacyBy === 'string' && legacyBy) {
    const at = raw.get(LegacyApproval.at)
    reviews[legacyBy] = { version: 1, verdict: 'approved', at: typeof at === 'number' ? at : 0 }
  }
  for (const [userId, entry] of item.get('reviews')?.entries() ?? [])
    if (isReviewEntry(entry)) reviews[userId] = entry
  return reviews
}

export function isReviewEntry(value: unknown): value is ReviewEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const { version, verdict, at } = value as Record<string, unknown>
  return (
    Number.isInteger(version) &&
    (version as number) >= 1 &&
    verdicts.includes(verdict as Verdict) &&
    typeof at === 'number' &&
    Number.isFinite(at)
  )
}

/** Records `userId`'s verdict on a media item (on its newest version unless one is named). */
export function setVerdict(
  doc: Y.Doc,
  mediaId: string,
  userId: string,
  verdict: Verdict,
  options: { version?: number; at?: number } = {},
): ReviewEntry {
  const item = board(doc).media.get(mediaId)
  if (!item) throw new Error(`no media ${mediaId}`)
  const entry = {
    version: options.version ?? currentVersion(item),
    verdict,
    at: options.at ?? Date.now(),
  }
  doc.transact(() => {
    let reviews = item.get('reviews')
    if (!reviews) {
      reviews = new Y.Map<ReviewEntry>()
      item.set('reviews', reviews)
    }
    reviews.set(userId, entry)
  })
  return entry
}

/** Withdraws `userId`'s verdict (and a legacy approval of theirs). */
export function clearVerdict(doc: Y.Doc, mediaId: string, userId: string): void {
  const item = board(doc).media.get(mediaId)
  if (!item) throw new Error(`no media ${mediaId}`)
  const raw = item as unknown as Y.Map<unknown>
  doc.transact(() => {
    item.get('reviews')?.delete(userId)
    if (raw.get(LegacyApproval.by) === userId) {
      raw.delete(LegacyApproval.by)
      raw.delete(LegacyApproval.at)
    }
  })
}

/**
 * Changes one version's own fields (its name, its frame rate) by replacing its entry (versions
 * are plain objects); the item mirrors them when it is the newest. Answers false if there is
 * no such version.
 */
export function updateMediaVersion(
  doc: Y.Doc,
  mediaId: string,
  n: number,
  fields: Partial<Pick<MediaVersion, 'name' | 'fps'>>,
): boolean {
  const item = board(doc).media.get(mediaId)
  if (!item) throw new Error(`no media ${mediaId}`)
  let found = false
  doc.transact(() => {
    let versions = item.get('versions')
    if (!versions) {
      versions = Y.Array.from([versionOf(item, 1)])
      item.set('versions', versions)
    }
    const list = versions.toArray()
    const index = list.findIndex((v) => v.n === n)
    if (index < 0) return
    found = true
    versions.delete(index, 1)
    versions.insert(index, [{ ...(list[index] as MediaVersion), ...fields }])
    if (n !== Math.max(...list.map((v) => v.n))) return
    for (const [key, value] of Object.entries(fields) as Array<[keyof typeof fields, unknown]>)
      if (value !== undefined) item.set(key, value as never)
  })
  return found
}

/** Renames a media item: its name and its newest version's (which the name mirrors). */
export function renameMedia(doc: Y.Doc, mediaId: string, name: string): void {
  const item = board(doc).media.get(mediaId)
  if (!item) throw new Error(`no media ${mediaId}`)
  updateMediaVersion(doc, mediaId, currentVersion(item), { name })
}

export function deleteAnnotation(doc: Y.Doc, annotationId: string): void {
  board(doc).annotations.delete(annotationId)
}

/**
 * Deletes a media item with everything on it: its annotations, and the threads anchored on it
 * or on its annotations (with their comments). Answers what went, for an undo toast's words.
 */
export function deleteMedia(doc: Y.Doc, mediaId: string): { annotations: number; threads: number } {
  const { media, annotations, threads } = board(doc)
  const marks = [...annotations.entries()]
    .filter(([, a]) => a.get('mediaId') === mediaId)
    .map(([id]) => id)
  const onIt = new Set([mediaId, ...marks])
  const talk = [...threads.entries()]
    .filter(([, t]) => {
      const anchor = t.get('anchor')
      return (
        !!anchor &&
        (anchor.type === 'media' || anchor.type === 'annotation') &&
        (onIt.has(anchor.id) || anchor.mediaId === mediaId)
      )
    })
    .map(([id]) => id)
  doc.transact(() => {
    for (const id of talk) threads.delete(id)
    for (const id of marks) annotations.delete(id)
    media.delete(mediaId)
  })
  return { annotations: marks.length, threads: talk.length }
}

/** Every file hash a board shows (each item's and each of its versions'). */
export function mediaHashes(doc: Y.Doc): Set<string> {
  const hashes = new Set<string>()
  for (const item of board(doc).media.values())
    for (const version of mediaVersions(item)) if (version.hash) hashes.add(version.hash)
  return hashes
}

/**
 * Everything one open board needs, composed in one place and handed down by context: the
 * connection (Yjs, IndexedDB, socket), the entity stores, presence, locks, members (cached
 * on this device for offline), the names used in human sentences, what changed since this
 * user's last visit, and the selection, which lives in the URL so every view has a deep link.
 */
import {
  createContext,
  createEffect,
  createMemo,
  createResource,
  createSignal,
  on,
  onCleanup,
  getOwner,
  runWithOwner,
  useContext,
} from 'solid-js'
import type {
  AnnotationFields,
  EntityType,
  MediaFields,
  TaskJson,
  ThreadJson,
} from '../../../shared/schema/board.ts'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import type { BoardVersion } from '../../../shared/api.ts'
import { api, type BoardPerson } from './api.ts'
import type { AppContext } from './app-context.ts'
import { makeBoardConnection } from './board.ts'
import { remember, remembered, withMemory } from './cache.ts'
import { createLocks } from './locks.ts'
import { createPresence, type Presence } from './presence.ts'
import { createSinceLastVisit } from './since-last-visit.ts'
import { current, href, replace, type BoardView } from './router.ts'
import type { Names } from './words.ts'
import type * as Y from 'yjs'
import { createYMapStore } from './yjs-store.ts'

interface BoardInfo {
  id: string
  title: string
  workspaceId: string
  role: string
}

export function createBoardStore(ctx: AppContext, boardId: string) {
  // Offline, the board row cannot be fetched: the one this device saw last stands in.
  const [info] = createResource(
    () => boardId,
    (id) =>
      withMemory<BoardInfo>(`loupe-board-info-${id}`, () =>
        api.board(id).then((r) => r.board as BoardInfo),
      ),
  )
  const readOnly = () => info()?.role === 'viewer'
  const conn = makeBoardConnection(boardId, ctx.live, readOnly)
  onCleanup(() => conn.close())
  const presence = createPresence(conn.provider, ctx.me)
  const locks = createLocks(boardId, ctx.live)
  onCleanup(() => locks.dispose())
  // Members and the board's guests: names for comments and assignees, kept for offline.
  const [people, { refetch: refetchPeople }] = createResource(
    () => boardId,
    (id) =>
      withMemory<BoardPerson[]>(`loupe-people-${id}`, () =>
        api.boardPeople(id).then((r) => r.people),
      ),
  )
  const asked = new Set<string>()
  const memberList = () => people() ?? remembered<BoardPerson[]>(`loupe-people-${boardId}`) ?? []
  const role = () => info()?.role
  /** Editors and owners change everything; reviewers (members or guests) comment and mark. */
  const canEdit = () => role() === 'editor' || role() === 'owner' || (!info() && !readOnly())
  const person = (id: string) =>
    memberList().find((m) => m.id === id)?.name ?? (id === ctx.me.id ? ctx.me.name : null)
  const content = createBoardContent(conn.doc, person)
  const title = () => String(content.meta.title ?? info()?.title ?? 'Board')
  // Keep the remembered title fresh for the inbox and the offline sidebar.
  createEffect(
    on(title, (t) => {
      const known = info()
      if (known && t !== known.title)
        remember(`loupe-board-info-${boardId}`, { ...known, title: t })
    }),
  )
  const selection = createSelection(boardId, content, presence, null)
  const sinceLastVisit = createSinceLastVisit(boardId)

  return {
    boardId,
    ctx,
    me: ctx.me,
    info,
    readOnly,
    canEdit,
    conn,
    ...content,
    title,
    presence,
    locks,
    members: memberList,
    ...selection,
    sinceLastVisit,
    /** The past version shown instead of the live board (lib/version-store.ts), if any. */
    version: null as ShownVersion | null,
    /**
     * A person's name, or "someone" only when no device ever knew them. Someone new (a guest
     * who just joined by link) makes the list be fetched again, once per unknown id.
     */
    nameOf: (id: string) => {
      const name = person(id)
      if (name === null && !asked.has(id) && !people.loading) {
        asked.add(id)
        queueMicrotask(() => void refetchPeople())
      }
      return name ?? 'someone'
    },
  }
}

/**
 * A board's content as Solid stores over a Y.Doc — the live one, or a past version's copy —
 * with the lists and names derived from it.
 */
export function createBoardContent(doc: Y.Doc, person: (id: string) => string | null) {
  const types = boardTypes(doc)
  const tasks = createYMapStore<TaskJson>(types.tasks as never)
  // Threads and annotations are the bulk of a big board and only the review view shows them:
  // their stores are built on first use, so the task view opens without reading them.
  const threads = lazyStore<ThreadJson>(types.threads as never)
  const media = createYMapStore<MediaFields>(types.media as never)
  const annotations = lazyStore<AnnotationFields>(types.annotations as never)
  const meta = createYMapStore<never>(types.meta as never) as unknown as Record<string, unknown>

  const mediaList = createMemo(() =>
    Object.values(media)
      .filter(Boolean)
      .sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1)),
  )
  const threadList = lazyMemo(() =>
    Object.values(threads)
      .filter(Boolean)
      .sort((a, b) => a.createdAt - b.createdAt),
  )

  const names: Names = {
    entity(entityType: EntityType, id: string) {
      switch (entityType) {
        case 'task':
          return tasks[id]?.title ?? null
        case 'media':
          return media[id]?.name ?? null
        case 'thread': {
          const first = threads[id]?.comments?.[0]
          return first && !first.deleted ? first.body : null
        }
        case 'annotation': {
          const a = annotations[id]
          return a
            ? `${a.shape.type === 'rect' ? 'rectangle' : a.shape.type} on ${media[a.mediaId]?.name ?? 'the media'}`
            : null
        }
        default:
          return null
      }
    },
    person,
  }
  return { tasks, threads, media, annotations, meta, mediaList, threadList, names }
}

export type BoardContent = ReturnType<typeof createBoardContent>

/** A past version shown read-only with the normal components (lib/version-store.ts). */
export interface ShownVersion extends BoardVersion {
  /** The live board's content, to compare with and restore into. */
  now: BoardContent
  /** Whether this person may restore (an editor or owner of the live board). */
  canRestore: () => boolean
}

/**
 * The selection (media, thread, panel), mirrored from and into the URL so every view has a
 * deep link. A version's selection keeps `?version=` in the URL it writes.
 */
export function createSelection(
  boardId: string,
  content: BoardContent,
  presence: Pick<Presence, 'set'>,
  versionId: string | null,
) {
  const { threads, annotations, media, mediaList } = content
  const [selectedMedia, setSelectedMedia] = createSignal<string | null>(null)
  const [selectedThread, setSelectedThread] = createSignal<string | null>(null)
  const [panel, setPanel] = createSignal<string>('threads')
  const route = () => {
    const r = current()
    return r.page === 'board' && r.boardId === boardId ? r : null
  }
  const view = (): BoardView => route()?.view ?? 'review'
  createEffect(() => {
    const r = route()
    if (!r) return
    if (r.mediaId) setSelectedMedia(r.mediaId)
    if (r.threadId) {
      setSelectedThread(r.threadId)
      const anchor = threads[r.threadId]?.anchor
      const annotation = anchor?.type === 'annotation' ? annotations[anchor.id] : undefined
      if (annotation) setSelectedMedia(annotation.mediaId)
      if (anchor?.type === 'media') setSelectedMedia(anchor.id)
    }
    // A link to a thread shows it: the Threads panel unless the link names another.
    if (r.panel) setPanel(r.panel)
    else if (r.threadId) setPanel('threads')
  })
  createEffect(() => {
    const first = mediaList()[0]
    if ((!selectedMedia() || !media[selectedMedia() as string]) && first) setSelectedMedia(first.id)
  })
  const syncUrl = () => {
    if (!route() || view() !== 'review') return
    const thread = selectedThread()
    const m = selectedMedia()
    const parts = ['b', boardId, ...(thread ? ['thread', thread] : m ? ['media', m] : [])]
    replace(href(parts, { panel: panel() === 'threads' ? null : panel(), version: versionId }))
  }
  return {
    view,
    selectedMedia,
    selectedThread,
    panel,
    selectMedia(id: string | null) {
      setSelectedMedia(id)
      setSelectedThread(null)
      if (id) presence.set({ view: { entityType: 'media', entityId: id } })
      syncUrl()
    },
    selectThread(id: string | null) {
      setSelectedThread(id)
      if (id) presence.set({ view: { entityType: 'thread', entityId: id } })
      syncUrl()
    },
    selectPanel(id: string) {
      setPanel(id)
      syncUrl()
    },
  }
}

/**
 * A Yjs-backed store made on first read, in the board's owner (so it is cleaned up with the
 * board). The proxy forwards reads, keys and descriptors, so Solid tracks them as usual.
 */
function lazyStore<T extends object>(map: Y.Map<unknown>): Record<string, T> {
  const owner = getOwner()
  let store: Record<string, T> | undefined
  const real = () =>
    (store ??= runWithOwner(owner, () => createYMapStore<T>(map)) as Record<string, T>)
  return new Proxy({} as Record<string, T>, {
    get: (_, key) => Reflect.get(real(), key),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const found = Reflect.getOwnPropertyDescriptor(real(), key)
      return found && { ...found, configurable: true }
    },
  })
}

/** A memo made on first read, in the caller's owner. */
function lazyMemo<T>(compute: () => T): () => T {
  const owner = getOwner()
  let memo: (() => T) | undefined
  return () => (memo ??= runWithOwner(owner, () => createMemo(compute)) as () => T)()
}

export type BoardStore = ReturnType<typeof createBoardStore>

export const BoardContext = createContext<BoardStore>()

export function useBoard(): BoardStore {
  const store = useContext(BoardContext)
  if (!store) throw new Error('useBoard outside a board')
  return store
}

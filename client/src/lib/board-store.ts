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
  onMount,
  getOwner,
  runWithOwner,
  useContext,
} from 'solid-js'
import { unwrap } from 'solid-js/store'
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
import { makeBoardConnection, type BoardConnection } from './board.ts'
import { remember, remembered, withMemory } from './cache.ts'
import { readLastKey, saveFirstScreen, type FirstScreen } from './first-screen.ts'
import { whenIdle } from './idb-load.ts'
import { createLocks } from './locks.ts'
import { createPresence, type Presence } from './presence.ts'
import { createSinceLastVisit } from './since-last-visit.ts'
import { current, href, replace, type BoardView } from './router.ts'
import type { Names } from './words.ts'
import type * as Y from 'yjs'
import { createYMapStore, makeYMapStore } from './yjs-store.ts'

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
  // The task view of the live board opens from the first screen saved on this device, if any.
  const opening = current()
  const taskView = opening.page === 'board' && opening.view === 'tasks' && !opening.version
  const conn = makeBoardConnection(boardId, ctx.live, readOnly, taskView ? ctx.me.id : null)
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
  const firstScreen = createFirstScreen(conn, content, ctx.me.id)
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
    /** Whether the tasks shown are the saved first screen (read-only) rather than the live board. */
    showingFirstScreen: firstScreen.showing,
    /** Whether the first screen is still being read (nothing to show yet, not even empty). */
    readingFirstScreen: firstScreen.reading,
    /** Runs `edit` now, or once the live board has loaded if the first screen is shown or read. */
    whenLive: firstScreen.whenLive,
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
  const taskStore = makeYMapStore<TaskJson>(types.tasks as never)
  onCleanup(taskStore.dispose)
  const tasks = taskStore.store
  // Threads and annotations are the bulk of a big board and only the review view shows them:
  // their stores are built on first use, so the task view opens without reading them.
  const threads = lazyStore<ThreadJson>(types.threads as never)
  const media = createYMapStore<MediaFields>(types.media as never)
  const annotations = lazyStore<AnnotationFields>(types.annotations as never)
  const metaStore = makeYMapStore<never>(types.meta as never)
  onCleanup(metaStore.dispose)
  const meta = metaStore.store as unknown as Record<string, unknown>

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
  /** The task view's first screen (lib/first-screen.ts): shown before the doc loads, saved from it. */
  const firstScreen = {
    seed(screen: FirstScreen) {
      taskStore.seed(screen.tasks)
      metaStore.seed(screen.meta as Record<string, never>)
    },
    settle() {
      taskStore.settle()
      metaStore.settle()
    },
    read: (): FirstScreen => ({ tasks: unwrap(tasks), meta: unwrap(meta) }),
  }
  return { tasks, threads, media, annotations, meta, mediaList, threadList, names, firstScreen }
}

/** After a change, the first screen is saved again once the page is idle, at most this often. */
const SAVE_AFTER_MS = 2000

/** Runs `run` after the next frame has been painted. */
function afterPaint(run: () => void): void {
  requestAnimationFrame(() => setTimeout(run, 0))
}

/**
 * The task view's first screen (lib/first-screen.ts). Shown: the tasks saved on this device
 * for this user, read-only, until IndexedDB has loaded the live document; loading waits until
 * they are on screen (the decode would otherwise hold them back). The live document then
 * takes over entry by entry (the same tasks: nothing on screen changes) and edits asked for
 * meanwhile run on it. Saved: once loaded if none was current, after changes when the page is
 * idle, and when the page is hidden or the board closed.
 */
function createFirstScreen(conn: BoardConnection, content: BoardContent, userId: string) {
  const [showing, setShowing] = createSignal(false)
  // Whether the first screen is still being read (a board chosen inside the app may get here
  // before its read is done): the columns wait for it rather than show empty first.
  const [reading, setReading] = createSignal(conn.load.firstScreen() === undefined)
  let mounted = false
  let loaded = false
  let wasShown = false
  const releaseWhenShown = () => {
    if (mounted && conn.load.firstScreen() !== undefined) afterPaint(conn.load.release)
  }
  const show = (screen: ReturnType<BoardConnection['load']['firstScreen']>) => {
    if (screen && screen.userId === userId && !loaded && !conn.load.released()) {
      content.firstScreen.seed(screen)
      setShowing(true)
      wasShown = true
      performance.mark('loupe:first-screen')
    }
    if (!showing()) conn.load.release()
    else releaseWhenShown()
    setReading(false)
  }
  const now = conn.load.firstScreen()
  if (now !== undefined) show(now)
  else void conn.load.firstScreenRead.then(show)
  onMount(() => {
    mounted = true
    if (showing()) releaseWhenShown()
  })

  // Saving: the `updates` store's last key as last read, plus the updates stored since
  // (y-indexeddb stores each change of the document: one row each), is where the next
  // save's mark goes (lib/first-screen.ts); unknown (null) until read.
  let lastKey: number | null = null
  let storedSince = 0
  const readKey = (db: IDBDatabase) => {
    storedSince = 0
    readLastKey(db).then(
      (key) => (lastKey = key),
      () => {},
    )
  }
  let dirty = false
  let closed = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const save = () => {
    clearTimeout(timer)
    timer = undefined
    const db = conn.db()
    if (!db || !loaded || !dirty || lastKey === null) return
    dirty = false
    const above = lastKey + storedSince
    lastKey = above + 1
    storedSince = 0
    saveFirstScreen(db, userId, content.firstScreen.read(), above).catch(() => {
      // Not saved (storage full, the key taken by another tab): read where things are.
      if (!closed) readKey(db)
    })
  }
  const changed = () => {
    dirty = true
    timer ??= setTimeout(() => whenIdle(save), SAVE_AFTER_MS)
  }
  const onUpdate = (_update: Uint8Array, origin: unknown) => {
    // What IndexedDB loaded, handed over later (lib/idb-load.ts), is neither stored nor new.
    if (origin === conn.persistence()) return
    storedSince++
    changed()
  }
  const onHide = () => {
    if (document.visibilityState === 'hidden') save()
  }
  void conn.loaded.then(() => {
    const db = conn.db()
    setReading(false)
    if (closed || !db) return
    loaded = true
    if (showing()) {
      content.firstScreen.settle()
      setShowing(false)
      performance.mark('loupe:first-screen-live')
    }
    readKey(db)
    conn.doc.on('update', onUpdate)
    document.addEventListener('visibilitychange', onHide)
    window.addEventListener('pagehide', save)
    // None was current: save one (a current one stays current: see lib/first-screen.ts).
    if (!wasShown) changed()
  })
  onCleanup(() => {
    save()
    closed = true
    clearTimeout(timer)
    conn.doc.off('update', onUpdate)
    document.removeEventListener('visibilitychange', onHide)
    window.removeEventListener('pagehide', save)
  })
  return {
    showing,
    reading,
    whenLive(edit: () => void) {
      if (!showing() && !reading()) return edit()
      void conn.loaded.then(() => !closed && edit())
    },
  }
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

/**
 * Opening a board's document from IndexedDB. A page opened on a board starts this at once,
 * while the shell is still signing in; the board's connection then takes the document already
 * loading instead of starting over (lib/board.ts). One preloaded entry at most, taken once.
 *
 * On the task view it first reads the board's first screen saved on this device
 * (lib/first-screen.ts). If there is a current one, loading the document waits until the
 * board page has shown it (`release()`): Yjs decoding a big board takes the main thread for
 * a few hundred milliseconds, and the saved tasks are shown before that instead of after.
 * A board chosen inside the app may have had its first screen read already, from the moment
 * it was chosen (lib/first-screen-early.ts): that read is taken instead of starting another.
 */
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import { remembered } from './cache.ts'
import { boardDbName, openBoardDb, readFirstScreen, type ShownFirstScreen } from './first-screen.ts'
import { takeFirstScreenEarly } from './first-screen-early.ts'
import { deferLoadUpdate } from './idb-load.ts'

/** If the board page never takes the first screen (signed out, a page error), load anyway. */
const RELEASE_AFTER_MS = 3000

export interface BoardLoad {
  boardId: string
  doc: Y.Doc
  /** The persistence, once made: at once, or once the first screen was shown (`release`). */
  persistence: Promise<IndexeddbPersistence>
  /** Whether the persistence is made (the document loading or loaded). */
  released(): boolean
  /** Makes the persistence now, if it waits. */
  release(): void
  /**
   * The first screen saved on this device, if one was asked for and is current: undefined
   * while being read, then the screen or null. `firstScreenRead` resolves once it is known.
   */
  firstScreen(): ShownFirstScreen | null | undefined
  firstScreenRead: Promise<ShownFirstScreen | null>
  /** Tells whether the document socket is open (lib/idb-load.ts). */
  socketOpen(open: () => boolean): void
  destroy(): void
}

export interface LoadOptions {
  /** Read the first screen for this user (the task view's own); none: load at once. */
  firstScreenFor?: string | null
}

export function openBoardLoad(boardId: string, options: LoadOptions = {}): BoardLoad {
  const name = boardDbName(boardId)
  const doc = new Y.Doc()
  boardTypes(doc)
  let socketOpen = () => false
  let made: IndexeddbPersistence | null = null
  let destroyed = false
  let make!: (idb: IndexeddbPersistence) => void
  const persistence = new Promise<IndexeddbPersistence>((resolve) => (make = resolve))
  const release = () => {
    if (made || destroyed) return
    made = new IndexeddbPersistence(name, doc)
    deferLoadUpdate(doc, made).socketOpen(() => socketOpen())
    make(made)
  }
  const userId = options.firstScreenFor
  // Chosen inside the app, the board's first screen may be read already (or being read).
  const early = userId ? takeFirstScreenEarly(boardId, userId) : null
  let screen: ShownFirstScreen | null | undefined = early?.screen
  const firstScreenRead: Promise<ShownFirstScreen | null> = early
    ? early.read
    : userId
      ? openBoardDb(name)
          .then((db) => readFirstScreen(db, userId).finally(() => db.close()))
          .catch(() => null)
      : Promise.resolve(null)
  if (userId) {
    const settle = (found: ShownFirstScreen | null) => {
      screen = found
      if (!found) release()
    }
    // Read already: known at once, so the board page shows it in its first render.
    if (screen !== undefined) settle(screen)
    else void firstScreenRead.then(settle)
    setTimeout(release, RELEASE_AFTER_MS)
  } else {
    screen = null
    release()
  }
  return {
    boardId,
    doc,
    persistence,
    released: () => made !== null,
    release,
    firstScreen: () => screen,
    firstScreenRead,
    socketOpen: (open) => (socketOpen = open),
    destroy() {
      destroyed = true
      void made?.destroy()
    },
  }
}

let early: BoardLoad | null = null

/**
 * Starts opening `boardId` for the page about to show it; `tasks`: the page opens on the task
 * view (its first screen is read for the user this device last knew, checked again later).
 */
export function preloadBoard(boardId: string, tasks = false): void {
  if (early) return
  const me = remembered<{ user?: { id?: string } }>('loupe-me')?.user?.id
  early = openBoardLoad(boardId, { firstScreenFor: tasks ? me : null })
}

/** The preloaded board `boardId`, if any (taken only once). */
export function takePreloaded(boardId: string): BoardLoad | null {
  if (early?.boardId !== boardId) return null
  const taken = early
  early = null
  return taken
}

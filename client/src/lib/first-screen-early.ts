/**
 * A board opened from inside the app reads its first screen (lib/first-screen.ts) as soon as
 * the board is chosen (lib/board-chosen.ts: a link to its task view pointed at, pressed or
 * focused, or the route naming it, before the board's page is made). The board page then
 * takes the read (lib/board-preload.ts), usually done by then, and shows the saved tasks in
 * its first render, as a page loaded on the board's URL does (main.tsx starts that read).
 *
 * A read is for one board and one user, and is taken only by a board page opened for both.
 * It is kept only a few seconds; a board page that closes forgets any read of its board made
 * while it was open (its own edits since would make it out of date), so a read taken was
 * current when made: the same known limit as lib/first-screen.ts (another tab's update
 * stored since; the live board corrects the screen as it loads).
 *
 * Loaded by the shell only once a board is chosen (lib/board-chosen.ts), and by the board's code.
 */
import { boardDbName, readFirstScreen, type ShownFirstScreen } from './first-screen.ts'

/** A read started this recently is reused (pointed at, then pressed: one read). */
const REUSE_MS = 500
/** A read is given to a board page only this long after it started, then forgotten. */
const KEEP_MS = 3000

export interface EarlyRead {
  boardId: string
  userId: string
  startedAt: number
  /** Undefined while being read, then the screen or null. */
  screen: ShownFirstScreen | null | undefined
  read: Promise<ShownFirstScreen | null>
}

let early: EarlyRead | null = null
let forget: ReturnType<typeof setTimeout> | undefined

/**
 * The board's database if this device has one; null otherwise, without making one (a board
 * pointed at but never opened leaves nothing behind).
 */
function openExisting(name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    const request = indexedDB.open(name)
    request.onupgradeneeded = () => request.transaction?.abort()
    request.onerror = () => resolve(null)
    request.onblocked = () => resolve(null)
    request.onsuccess = () => {
      const db = request.result
      db.onversionchange = () => db.close()
      resolve(db)
    }
  })
}

/** Starts reading `userId`'s first screen of `boardId` now, unless just started. */
export function readFirstScreenEarly(boardId: string, userId: string): void {
  const now = performance.now()
  if (early?.boardId === boardId && early.userId === userId && now - early.startedAt < REUSE_MS)
    return
  const entry: EarlyRead = {
    boardId,
    userId,
    startedAt: now,
    screen: undefined,
    read: openExisting(boardDbName(boardId))
      .then((db) => {
        if (!db) return null
        // Not a board database (no y-indexeddb stores): nothing saved.
        if (!db.objectStoreNames.contains('custom') || !db.objectStoreNames.contains('updates')) {
          db.close()
          return null
        }
        return readFirstScreen(db, userId).finally(() => db.close())
      })
      .catch(() => null),
  }
  void entry.read.then((screen) => (entry.screen = screen))
  early = entry
  clearTimeout(forget)
  forget = setTimeout(() => {
    if (early === entry) early = null
  }, KEEP_MS)
}

/** The read of `userId`'s first screen of `boardId`, if one was started lately (taken once). */
export function takeFirstScreenEarly(boardId: string, userId: string): EarlyRead | null {
  const entry = early
  if (
    !entry ||
    entry.boardId !== boardId ||
    entry.userId !== userId ||
    performance.now() - entry.startedAt > KEEP_MS
  )
    return null
  early = null
  return entry
}

/** Forgets any read of `boardId` (its board page closes: what it changed may be newer). */
export function forgetFirstScreenEarly(boardId: string): void {
  if (early?.boardId === boardId) early = null
}

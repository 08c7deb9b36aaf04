/**
 * The shell's side of reading a board's first screen early (lib/first-screen-early.ts): a
 * link to a board's live task view pointed at, pressed or focused, or a route naming it,
 * starts the read. Tiny, for the shell's first screen of JavaScript: the reading code (and
 * IndexedDB's) is fetched when a board is first chosen.
 */
import { parseRoute } from './router.ts'

/** Whether `hash` opens the live task view of a board, and which. */
export function taskViewBoard(hash: string): string | null {
  const route = parseRoute(hash)
  return route.page === 'board' && route.view === 'tasks' && !route.version ? route.boardId : null
}

/** Starts reading `userId`'s first screen of `boardId`, chosen in the app. */
export function boardChosen(boardId: string, userId: string): void {
  void import('./first-screen-early.ts').then((m) => m.readFirstScreenEarly(boardId, userId))
}

/**
 * Starts the read for links to a board's task view that `userId` points at, presses or
 * focuses anywhere in the page. Returns what stops it.
 */
export function readFirstScreenOnLinks(userId: string): () => void {
  const onLink = (event: Event) => {
    const link = (event.target as Element | null)?.closest?.('a[href^="#/b/"]')
    const boardId = link ? taskViewBoard(link.getAttribute('href') ?? '') : null
    if (boardId) boardChosen(boardId, userId)
  }
  const events = ['pointerover', 'pointerdown', 'focusin'] as const
  for (const type of events)
    document.addEventListener(type, onLink, { capture: true, passive: true })
  return () => {
    for (const type of events) document.removeEventListener(type, onLink, { capture: true })
  }
}

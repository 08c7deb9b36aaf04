/**
 * A tiny hash router, so every path of the app shell works offline and every view has a deep
 * link: `#/`, `#/w/<ws>`, `#/b/<board>[/media/<id>|/thread/<id>|/tasks|/task/<id>][?panel=]`,
 * `&version=<id>` (a past version, read-only), `#/inbox`, `#/system`, `#/invite/<code>`,
 * `#/link/<token>`. `parseRoute` is pure (tested); `route()` is the
 * raw segments, `current()` the parsed route.
 */
import { createSignal } from 'solid-js'

export type BoardView = 'review' | 'tasks'

export type Route =
  | { page: 'home' }
  | { page: 'workspace'; workspaceId: string }
  | {
      page: 'board'
      boardId: string
      view: BoardView
      mediaId: string | null
      threadId: string | null
      taskId: string | null
      panel: string | null
      /** A past version shown read-only (components/history), or null for the live board. */
      version: string | null
    }
  | { page: 'inbox' }
  | { page: 'system' }
  | { page: 'invite'; code: string }
  | { page: 'link'; token: string }

export function splitHash(hash: string): { segments: string[]; query: URLSearchParams } {
  const raw = hash.replace(/^#\/?/, '')
  const [path = '', search = ''] = raw.split('?', 2)
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent)
  return { segments, query: new URLSearchParams(search) }
}

export function parseRoute(hash: string): Route {
  const { segments, query } = splitHash(hash)
  const [head, id, kind, sub] = segments
  if (head === 'w' && id) return { page: 'workspace', workspaceId: id }
  if (head === 'b' && id)
    return {
      page: 'board',
      boardId: id,
      view: kind === 'tasks' || kind === 'task' ? 'tasks' : 'review',
      mediaId: kind === 'media' && sub ? sub : null,
      threadId: kind === 'thread' && sub ? sub : null,
      taskId: kind === 'task' && sub ? sub : null,
      panel: query.get('panel'),
      version: query.get('version'),
    }
  if (head === 'inbox') return { page: 'inbox' }
  if (head === 'system') return { page: 'system' }
  if (head === 'invite' && id) return { page: 'invite', code: id }
  if (head === 'link' && id) return { page: 'link', token: id }
  return { page: 'home' }
}

/** The hash for a path and optional query (`href('b', id, 'tasks')`). */
export function href(parts: string[], query: Record<string, string | null> = {}): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value) search.set(key, value)
  const q = search.toString()
  return `#/${parts.map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`
}

const [hash, setHash] = createSignal(location.hash)
window.addEventListener('hashchange', () => setHash(location.hash))

/** The raw path segments (kept for pages that read positions). */
export const route = () => splitHash(hash()).segments
/** The parsed route. */
export const current = () => parseRoute(hash())
/** The current hash's query (a task view's filters, a search). */
export const currentQuery = () => splitHash(hash()).query

/** The current hash with some query keys set, or cleared (null), keeping its path and the rest. */
export function withQuery(changes: Record<string, string | null>): string {
  const { segments, query } = splitHash(hash())
  return href(segments, { ...Object.fromEntries(query), ...changes })
}

/** `withQuery`, without a new history entry (a filter is a view change, like a selection). */
export function replaceQuery(changes: Record<string, string | null>): void {
  replace(withQuery(changes))
}

export function navigate(...parts: string[]): void {
  location.hash = href(parts)
}

/**
 * Changes the hash without a new history entry: selecting a media item, thread or panel is a
 * view change, and Back should leave the board rather than step through every selection.
 */
export function replace(nextHash: string): void {
  if (nextHash === location.hash) return
  history.replaceState(null, '', nextHash)
  setHash(nextHash)
}

/** Links from outside (/invite/<code>, a board's share link /link/<token>) become hash routes. */
export function adoptPath(): void {
  const match = /^\/(invite|link)\/([A-Za-z0-9_-]+)$/.exec(location.pathname)
  if (match) history.replaceState(null, '', `/#/${match[1]}/${match[2]}`)
  setHash(location.hash)
}

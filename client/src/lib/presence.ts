/**
 * This client's presence in a board's awareness (docs/product.md, "Awareness"): user, status
 * (active, idle after 60 s without input, away when the tab is hidden or after 5 min), what
 * it views and edits, its cursor (unless sharing is off) and typing. The server overwrites
 * `user` with the real identity anyway.
 */
import { createSignal, onCleanup } from 'solid-js'
import type { WebsocketProvider } from 'y-websocket'
import type {
  EntityPointer,
  PresenceState,
  PublicUser as User,
} from '../../../shared/protocol/presence.ts'

export type { EntityPointer, PresenceState }

export interface Peer extends PresenceState {
  clientId: number
}

export function createPresence(provider: WebsocketProvider, me: User) {
  const awareness = provider.awareness
  const [peers, setPeers] = createSignal<Peer[]>([])
  const [shareCursor, setShareCursor] = createSignal(
    localStorage.getItem('loupe-share-cursor') !== 'off',
  )
  const [showCursors, setShowCursors] = createSignal(
    localStorage.getItem('loupe-show-cursors') !== 'off',
  )
  awareness.setLocalState({
    user: me,
    status: 'active',
    view: null,
    editing: null,
    cursor: null,
    typing: null,
  })
  const set = (fields: Partial<PresenceState>) => {
    const current = (awareness.getLocalState() ?? {}) as Partial<PresenceState>
    awareness.setLocalState({ ...current, ...fields })
  }
  const refresh = () =>
    setPeers(
      [...awareness.getStates()]
        .filter(([clientId, state]) => clientId !== awareness.clientID && state?.user)
        .map(([clientId, state]) => ({ clientId, ...(state as PresenceState) })),
    )
  awareness.on('change', refresh)

  let lastInput = Date.now()
  const onInput = () => {
    lastInput = Date.now()
    if (
      (awareness.getLocalState() as PresenceState | null)?.status !== 'active' &&
      !document.hidden
    )
      set({ status: 'active' })
  }
  const statusTimer = setInterval(() => {
    const idleFor = Date.now() - lastInput
    const status =
      document.hidden || idleFor > 5 * 60_000 ? 'away' : idleFor > 60_000 ? 'idle' : 'active'
    if ((awareness.getLocalState() as PresenceState | null)?.status !== status) set({ status })
  }, 5000)
  const onVisibility = () => set({ status: document.hidden ? 'away' : 'active' })
  // y-websocket does not clear awareness when a tab goes away; do it so others see us leave.
  const onPageHide = () => awareness.setLocalState(null)
  window.addEventListener('pointermove', onInput)
  window.addEventListener('keydown', onInput)
  document.addEventListener('visibilitychange', onVisibility)
  window.addEventListener('pagehide', onPageHide)
  onCleanup(() => {
    clearInterval(statusTimer)
    awareness.off('change', refresh)
    window.removeEventListener('pointermove', onInput)
    window.removeEventListener('keydown', onInput)
    document.removeEventListener('visibilitychange', onVisibility)
    window.removeEventListener('pagehide', onPageHide)
  })
  refresh()
  return {
    peers,
    set,
    shareCursor,
    showCursors,
    setShareCursor(on: boolean) {
      localStorage.setItem('loupe-share-cursor', on ? 'on' : 'off')
      setShareCursor(on)
      if (!on) set({ cursor: null })
    },
    setShowCursors(on: boolean) {
      localStorage.setItem('loupe-show-cursors', on ? 'on' : 'off')
      setShowCursors(on)
    },
    moveCursor(cursor: PresenceState['cursor']) {
      if (shareCursor()) set({ cursor })
    },
  }
}

export type Presence = ReturnType<typeof createPresence>

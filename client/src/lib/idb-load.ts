/**
 * Opening a board from IndexedDB applies what this device stored as one large transaction.
 * For a doc with `update` listeners, Yjs then encodes that whole transaction again as an
 * update before the page can paint (60–140 ms on a board of 1000 tasks, 2000 comments), yet
 * none of the listeners needs it at once while the document socket is not open:
 * y-indexeddb skips its own updates, the unsaved-changes record (lib/board.ts) looks only at
 * this user's edits, and the provider would only forward it to this board's other tabs — the
 * server gets everything from the provider's own sync when the socket opens. So, while the
 * socket is closed, the `update` listeners are set aside for that one transaction only and
 * are handed what it loaded (encoded against the state before it) once the page is idle.
 * With the socket open they run as always.
 */
import * as Y from 'yjs'
import type { IndexeddbPersistence } from 'y-indexeddb'
import type { WebsocketProvider } from 'y-websocket'

type Listener = (update: Uint8Array, origin: unknown, doc: Y.Doc, tr: Y.Transaction) => void

/** Runs `run` once the page is idle (after the first render has painted), within a second. */
export function whenIdle(run: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 })
  else setTimeout(run, 100)
}

export interface DeferredLoad {
  /** Tells whether the document socket is open (until set: it is not, there is none yet). */
  socketOpen(open: () => boolean): void
}

export function deferLoadUpdate(doc: Y.Doc, idb: IndexeddbPersistence): DeferredLoad {
  let socketOpen = () => false
  let destroyed = false
  const observers = (doc as unknown as { _observers: Map<string, Set<Listener>> })._observers
  const onBefore = (tr: Y.Transaction) => {
    if (tr.origin !== idb) return
    doc.off('beforeTransaction', onBefore)
    const listeners = observers.get('update')
    if (!listeners || socketOpen()) return
    const before = Y.encodeStateVector(doc)
    observers.delete('update')
    const onAll = () => {
      doc.off('afterAllTransactions', onAll)
      // Put back, keeping any listener added meanwhile.
      const added = observers.get('update')
      for (const f of added ?? []) listeners.add(f)
      observers.set('update', listeners)
      // Nothing stored on this device (Yjs would not have called them either).
      const changed =
        tr.deleteSet.clients.size > 0 ||
        [...tr.afterState].some(([client, clock]) => tr.beforeState.get(client) !== clock)
      if (!changed) return
      whenIdle(() => {
        if (destroyed) return
        const update = Y.encodeStateAsUpdate(doc, before)
        // Only those still listening (one removed since, e.g. on close, is not called).
        const now = observers.get('update')
        for (const f of [...listeners]) if (now?.has(f)) f(update, idb, doc, tr)
      })
    }
    doc.on('afterAllTransactions', onAll)
  }
  doc.on('beforeTransaction', onBefore)
  doc.on('destroy', () => (destroyed = true))
  return { socketOpen: (open) => (socketOpen = open) }
}

/**
 * Connects `provider` (made with `connect: false`): the document socket at once, the
 * BroadcastChannel to this board's other tabs on this device once the page is idle.
 * y-websocket's connectBc sends those tabs the whole document as an update (its sync step 2):
 * with a board of 1000 tasks already loaded from IndexedDB, an encode of 150–300 ms before the
 * first render could paint. Later reconnects (provider.connect()) connect it as usual.
 */
export function connectBcWhenIdle(provider: WebsocketProvider): void {
  const connectBc = provider.connectBc
  provider.connectBc = () => {}
  try {
    provider.connect()
  } finally {
    provider.connectBc = connectBc
  }
  whenIdle(() => {
    if (provider.shouldConnect && !provider.bcconnected) provider.connectBc()
  })
}

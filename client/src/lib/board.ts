/**
 * One open board: its Y.Doc, kept in IndexedDB (so it opens instantly and works offline) and
 * synced over the document socket with the stock y-websocket provider. The save state says
 * "saved" only once the server has committed this client's changes (doc.committed on the
 * live socket), never merely because they were sent; it says "offline" the moment the browser
 * or the socket says the network is gone. Changes not yet confirmed are remembered per board
 * on this device (every client id a tab used here and its clock), so after a reload — a new
 * client id — the pill still knows there is something the server has not got.
 */
import * as decoding from 'lib0/decoding'
import { createSignal, type Accessor } from 'solid-js'
import { WebsocketProvider } from 'y-websocket'
import type { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import { CloseCode, finalCloseCodes } from '../../../shared/protocol/close-codes.ts'
import { currentToken, onTokenChange } from './api.ts'
import { openBoardLoad, takePreloaded, type BoardLoad } from './board-preload.ts'
import { connectBcWhenIdle } from './idb-load.ts'
import { forgetFirstScreenEarly } from './first-screen-early.ts'
import { remember, remembered } from './cache.ts'
import type { Live } from './live.ts'
import { LOCAL } from './yjs-store.ts'

/** How long the document socket waits for IndexedDB while a first screen is shown. */
const SOCKET_WAITS_AT_MOST_MS = 5000

export type SaveState =
  'offline-saved-here' | 'offline' | 'syncing' | 'saved' | 'read-only' | 'server-cannot-save'

export interface BoardConnection {
  doc: Y.Doc
  provider: WebsocketProvider
  undo: Y.UndoManager
  /** Resolves once IndexedDB has loaded what this device had. */
  loaded: Promise<void>
  /** Loading from IndexedDB: the first screen saved on this device, and when loading starts. */
  load: BoardLoad
  /** The board's IndexedDB database, once loaded (for the first screen, lib/first-screen.ts). */
  db(): IDBDatabase | null
  /** The IndexedDB persistence, once made (the origin of what it loads). */
  persistence(): IndexeddbPersistence | null
  online: Accessor<boolean>
  saveState: Accessor<SaveState>
  /** Why the server refused the socket (close code), if it did. */
  refused: Accessor<number | null>
  transact(change: (doc: Y.Doc) => void): void
  close(): void
}

/**
 * `firstScreenFor`: the user whose saved first screen to read when the board is not already
 * loading (lib/board-preload.ts); none, or null, loads at once.
 */
export function makeBoardConnection(
  boardId: string,
  live: Live | null,
  readOnly: () => boolean,
  firstScreenFor: string | null = null,
): BoardConnection {
  const load = takePreloaded(boardId) ?? openBoardLoad(boardId, { firstScreenFor })
  const { doc } = load
  let idb: IndexeddbPersistence | null = null
  const synced = load.persistence.then((made) => (idb = made).whenSynced)
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/doc`
  const token = currentToken()
  const provider = new WebsocketProvider(url, boardId, doc, {
    params: token ? { token } : {},
    maxBackoffTime: 2500,
    // A missing or stale token (4401) is fixed by a refresh; not a member or no board is final.
    shouldReconnect: (event: CloseEvent) => !finalCloseCodes.has(event.code),
    connect: false,
  })
  // While a first screen is shown and the document waits to load from IndexedDB, the socket
  // waits too: opened before, it would say this device has nothing and be sent the whole
  // board, decoded a second time. It opens once loaded (or after a few seconds regardless);
  // without a first screen, at once.
  let connecting = false
  let closed = false
  const connect = () => {
    if (connecting || closed) return
    connecting = true
    clearTimeout(connectLater)
    connectBcWhenIdle(provider)
  }
  const connectLater = setTimeout(connect, SOCKET_WAITS_AT_MOST_MS)
  if (load.firstScreen() === null) connect()
  else void load.firstScreenRead.then((screen) => (screen ? synced.then(connect) : connect()))
  load.socketOpen(() => provider.wsconnected)
  const stopToken = onTokenChange((next) => {
    provider.params = next ? { token: next } : {}
    if (connecting && next && !provider.wsconnected && !provider.wsconnecting) provider.connect()
  })
  // Back online: try at once (the provider would otherwise wait out its backoff).
  const onOnline = () => {
    setBrowserOnline(true)
    if (connecting && !provider.wsconnected && !provider.wsconnecting) provider.connect()
  }
  window.addEventListener('online', onOnline)
  const [socketUp, setSocketUp] = createSignal(false)
  const [browserOnline, setBrowserOnline] = createSignal(navigator.onLine)
  const [refused, setRefused] = createSignal<number | null>(null)
  const online = () => socketUp() && browserOnline()
  provider.on('status', ({ status }: { status: string }) => setSocketUp(status === 'connected'))
  const onOffline = () => setBrowserOnline(false)
  window.addEventListener('offline', onOffline)
  // 4503: the server cannot store anything right now; the provider retries with back-off.
  const [storageDown, setStorageDown] = createSignal(false)
  provider.on('connection-close', (event: CloseEvent | null) => {
    if (event && finalCloseCodes.has(event.code)) setRefused(event.code)
    if (event?.code === CloseCode.storageUnavailable) setStorageDown(true)
  })
  provider.on('sync', (synced: boolean) => synced && setStorageDown(false))

  // Unconfirmed changes: client id → the clock this device reached with it.
  const pendingKey = `loupe-unsaved-${boardId}`
  const [pending, setPending] = createSignal<Record<string, number>>(
    remembered<Record<string, number>>(pendingKey) ?? {},
  )
  const savePending = (next: Record<string, number>) => {
    setPending(next)
    remember(pendingKey, next)
  }
  /** Drops what a server state vector (committed, or the server's own) shows it holds. */
  const confirm = (vector: Map<number, number>) => {
    const left = Object.fromEntries(
      Object.entries(pending()).filter(([id, clock]) => (vector.get(Number(id)) ?? 0) < clock),
    )
    if (Object.keys(left).length !== Object.keys(pending()).length) savePending(left)
  }
  doc.on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin !== LOCAL && origin !== undo) return
    savePending({ ...pending(), [doc.clientID]: Y.getState(doc.store, doc.clientID) })
  })
  let recheck: ReturnType<typeof setTimeout> | undefined
  const stopLive = live?.onMessage((message) => {
    if (message.type === 'welcome') {
      // A commit confirmed while the live socket was still reconnecting was never heard. If
      // changes still wait a moment later, a fresh document connection brings the server's
      // committed state vector (its sync step 1), which settles it.
      clearTimeout(recheck)
      recheck = setTimeout(() => {
        if (Object.keys(pending()).length === 0 || !provider.wsconnected || !provider.synced) return
        provider.disconnect()
        provider.connect()
      }, 1500)
    }
    if (message.type !== 'doc.committed' || message.boardId !== boardId) return
    confirm(Y.decodeStateVector(Uint8Array.from(atob(message.stateVector), (c) => c.charCodeAt(0))))
  })
  // The server opens every connection with its sync step 1: its state vector, which holds
  // only committed changes. Changes it already has from before a reload are confirmed here.
  provider.on('status', ({ status }: { status: string }) => {
    if (status !== 'connected') return
    provider.ws?.addEventListener('message', (event: MessageEvent) => {
      if (!(event.data instanceof ArrayBuffer)) return
      const decoder = decoding.createDecoder(new Uint8Array(event.data))
      if (decoding.readVarUint(decoder) !== 0 || decoding.readVarUint(decoder) !== 0) return
      confirm(Y.decodeStateVector(decoding.readVarUint8Array(decoder)))
    })
  })
  const undo = new Y.UndoManager(Object.values(boardTypes(doc)) as Y.AbstractType<unknown>[], {
    trackedOrigins: new Set([LOCAL]),
    captureTimeout: 500,
  })
  const saveState = (): SaveState => {
    if (readOnly()) return 'read-only'
    const dirty = Object.keys(pending()).length > 0
    if (storageDown()) return 'server-cannot-save'
    if (!online()) return dirty ? 'offline-saved-here' : 'offline'
    return dirty ? 'syncing' : 'saved'
  }
  return {
    doc,
    provider,
    undo,
    loaded: synced.then(() => {
      // Changes remembered as unconfirmed but no longer on this device (its storage was
      // cleared) can never be sent: forget them rather than say "Syncing…" forever.
      const held = Object.fromEntries(
        Object.entries(pending()).filter(
          ([id, clock]) => Y.getState(doc.store, Number(id)) >= clock,
        ),
      )
      if (Object.keys(held).length !== Object.keys(pending()).length) savePending(held)
    }),
    load,
    db: () => idb?.db ?? null,
    persistence: () => idb,
    online,
    saveState,
    refused,
    transact: (change) => doc.transact(() => change(doc), LOCAL),
    close() {
      closed = true
      clearTimeout(connectLater)
      window.removeEventListener('online', onOnline)
      window.removeEventListener('offline', onOffline)
      clearTimeout(recheck)
      stopToken()
      stopLive?.()
      undo.destroy()
      provider.destroy()
      load.destroy()
      // A first screen read while this page was open may predate its edits.
      forgetFirstScreenEarly(boardId)
      doc.destroy()
    },
  }
}

/**
 * One open board: its Y.Doc, kept in IndexedDB (so it opens instantly and works offline) and
 * synced over the document socket with the stock y-websocket provider. The save state says
 * "saved" only once the server has committed this client's changes (doc.committed on the
 * live socket), never merely because they were sent.
 */
import { createSignal, type Accessor } from 'solid-js'
import { WebsocketProvider } from 'y-websocket'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import { CloseCode, finalCloseCodes } from '../../../shared/protocol/close-codes.ts'
import { currentToken, onTokenChange } from './api.ts'
import type { Live } from './live.ts'
import { LOCAL } from './yjs-store.ts'

export type SaveState =
  'offline-saved-here' | 'offline' | 'syncing' | 'saved' | 'read-only' | 'server-cannot-save'

export interface BoardConnection {
  doc: Y.Doc
  provider: WebsocketProvider
  undo: Y.UndoManager
  /** Resolves once IndexedDB has loaded what this device had. */
  loaded: Promise<void>
  online: Accessor<boolean>
  saveState: Accessor<SaveState>
  /** Why the server refused the socket (close code), if it did. */
  refused: Accessor<number | null>
  transact(change: (doc: Y.Doc) => void): void
  close(): void
}

export function makeBoardConnection(
  boardId: string,
  live: Live | null,
  readOnly: () => boolean,
): BoardConnection {
  const doc = new Y.Doc()
  boardTypes(doc)
  const idb = new IndexeddbPersistence(`loupe-board-${boardId}`, doc)
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/doc`
  const token = currentToken()
  const provider = new WebsocketProvider(url, boardId, doc, {
    params: token ? { token } : {},
    maxBackoffTime: 2500,
    // A missing or stale token (4401) is fixed by a refresh; not a member or no board is final.
    shouldReconnect: (event: CloseEvent) => !finalCloseCodes.has(event.code),
  })
  const stopToken = onTokenChange((next) => {
    provider.params = next ? { token: next } : {}
    if (next && !provider.wsconnected && !provider.wsconnecting) provider.connect()
  })
  // Back online: try at once (the provider would otherwise wait out its backoff).
  const onOnline = () => {
    if (!provider.wsconnected && !provider.wsconnecting) provider.connect()
  }
  window.addEventListener('online', onOnline)
  const [online, setOnline] = createSignal(false)
  const [refused, setRefused] = createSignal<number | null>(null)
  const [committedClock, setCommittedClock] = createSignal(0)
  const [localClock, setLocalClock] = createSignal(0)
  provider.on('status', ({ status }: { status: string }) => setOnline(status === 'connected'))
  // 4503: the server cannot store anything right now; the provider retries with back-off.
  const [storageDown, setStorageDown] = createSignal(false)
  provider.on('connection-close', (event: CloseEvent | null) => {
    if (event && finalCloseCodes.has(event.code)) setRefused(event.code)
    if (event?.code === CloseCode.storageUnavailable) setStorageDown(true)
  })
  provider.on('sync', (synced: boolean) => synced && setStorageDown(false))
  doc.on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin === LOCAL || origin === undo) setLocalClock(Y.getState(doc.store, doc.clientID))
  })
  const stopLive = live?.onMessage((message) => {
    if (message.type !== 'doc.committed' || message.boardId !== boardId) return
    const vector = Y.decodeStateVector(
      Uint8Array.from(atob(message.stateVector), (c) => c.charCodeAt(0)),
    )
    setCommittedClock((clock) => Math.max(clock, vector.get(doc.clientID) ?? 0))
  })
  const undo = new Y.UndoManager(Object.values(boardTypes(doc)) as Y.AbstractType<unknown>[], {
    trackedOrigins: new Set([LOCAL]),
    captureTimeout: 500,
  })
  const saveState = (): SaveState => {
    if (readOnly()) return 'read-only'
    const dirty = localClock() > committedClock()
    if (storageDown()) return 'server-cannot-save'
    if (!online()) return dirty ? 'offline-saved-here' : 'offline'
    return dirty ? 'syncing' : 'saved'
  }
  return {
    doc,
    provider,
    undo,
    loaded: idb.whenSynced.then(() => {
      setLocalClock(Y.getState(doc.store, doc.clientID))
    }),
    online,
    saveState,
    refused,
    transact: (change) => doc.transact(() => change(doc), LOCAL),
    close() {
      window.removeEventListener('online', onOnline)
      stopToken()
      stopLive?.()
      undo.destroy()
      provider.destroy()
      void idb.destroy()
      doc.destroy()
    },
  }
}

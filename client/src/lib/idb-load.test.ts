import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask } from '../../../shared/schema/board.ts'
import { connectBcWhenIdle, deferLoadUpdate } from './idb-load.ts'
import { storeTasks } from './stored-board.fixture.ts'

/** Stores a board of `n` tasks in IndexedDB under `name`, as a previous visit would. */
async function stored(name: string, n: number): Promise<void> {
  const { doc, idb } = await storeTasks(name, n)
  await idb.destroy()
  doc.destroy()
}

type Seen = { at: 'load' | 'later'; update: Uint8Array; origin: unknown }

async function open(name: string, socketOpen: boolean) {
  const doc = new Y.Doc()
  const idb = new IndexeddbPersistence(name, doc)
  deferLoadUpdate(doc, idb).socketOpen(() => socketOpen)
  const seen: Seen[] = []
  let loading = false
  doc.on('beforeTransaction', (tr: Y.Transaction) => (loading = tr.origin === idb))
  doc.on('update', (update: Uint8Array, origin: unknown) =>
    seen.push({ at: loading ? 'load' : 'later', update, origin }),
  )
  doc.on('afterAllTransactions', () => (loading = false))
  await idb.whenSynced
  return { doc, idb, seen }
}

describe('loading a board from IndexedDB', () => {
  it('hands the update listeners what was loaded after the load, while the socket is closed', async () => {
    await stored('defer-closed', 30)
    const { doc, idb, seen } = await open('defer-closed', false)
    expect(board(doc).tasks.size).toBe(30)
    expect(seen).toEqual([]) // not encoded inside the load
    await expect.poll(() => seen.length).toBe(1)
    expect(seen[0]?.at).toBe('later')
    expect(seen[0]?.origin).toBe(idb)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, seen[0]?.update as Uint8Array)
    expect(board(copy).tasks.get('t29')?.get('title')).toBe('Task 29')
    // Listeners are back: a later change reaches them as usual.
    doc.transact(() => board(doc).tasks.get('t1')?.set('title', 'Renamed'))
    expect(seen.length).toBe(2)
    await idb.destroy()
  })

  it('leaves the listeners in place while the socket is open', async () => {
    await stored('defer-open', 5)
    const { doc, idb, seen } = await open('defer-open', true)
    expect(board(doc).tasks.size).toBe(5)
    expect(seen.map((s) => s.at)).toEqual(['load'])
    await idb.destroy()
  })
})

/** A document socket that never opens (the page is offline): this test is about the tabs. */
class OfflineSocket {
  binaryType = ''
  readyState = 0
  onopen = null
  onclose = null
  onmessage = null
  onerror = null
  constructor(readonly url: string) {}
  send(): void {}
  close(): void {}
}

describe('connecting a loaded board', () => {
  it('opens the socket at once and the channel to other tabs only once the page is idle', async () => {
    const doc = new Y.Doc()
    createTask(doc, { id: 't1', title: 'Task 1', order: 'a1', createdBy: 'u' })
    const provider = new WebsocketProvider('ws://127.0.0.1:9/ws/doc', 'bc-idle', doc, {
      WebSocketPolyfill: OfflineSocket as unknown as typeof WebSocket,
      connect: false,
    })
    // Another tab of the same board on this device.
    const other = new Y.Doc()
    const tab = new WebsocketProvider('ws://127.0.0.1:9/ws/doc', 'bc-idle', other, {
      WebSocketPolyfill: OfflineSocket as unknown as typeof WebSocket,
    })
    connectBcWhenIdle(provider)
    expect(provider.ws).not.toBeNull()
    expect(provider.shouldConnect).toBe(true)
    expect(provider.bcconnected).toBe(false) // nothing encoded for the other tabs yet
    await expect.poll(() => provider.bcconnected).toBe(true)
    await expect.poll(() => board(other).tasks.get('t1')?.get('title')).toBe('Task 1')
    tab.destroy()
    provider.destroy()
  })
})

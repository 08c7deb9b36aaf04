import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask } from '../shared/schema/board.ts'
import {
  cleanup,
  closeCode,
  eventually,
  startTestServer,
  synced,
  type TestServer,
} from './harness.ts'
import { syncStep1Frame, syncUpdate } from './wire.ts'

afterEach(cleanup)

/** A board with one task and a healthy client watching it. */
async function boardWithWatcher(t: TestServer) {
  const boardId = await t.createBoard()
  const doc = new Y.Doc()
  const provider = t.provider(boardId, doc)
  await synced(provider)
  createTask(doc, { id: 'keep', title: 'Stored content', order: 'a0', createdBy: 'local' })
  await eventually(() =>
    expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').has('keep')).toBe(true),
  )
  return { boardId, doc, provider }
}

/** The watcher still syncs both ways and the stored board still loads intact. */
async function expectUnharmed(t: TestServer, boardId: string, doc: Y.Doc) {
  expect((await t.api('/healthz')).status).toBe(200)
  createTask(doc, { id: `after-${Math.random()}`, title: 'After', order: 'a1', createdBy: 'local' })
  const fresh = new Y.Doc()
  await synced(t.provider(boardId, fresh))
  await eventually(() => expect(board(fresh).tasks.size).toBe(board(doc).tasks.size))
  expect(board(fresh).tasks.get('keep')?.get('title')).toBe('Stored content')
}

const badFrames: Array<[string, Uint8Array | string, number]> = [
  ['garbage bytes', Uint8Array.from([0xff, 0xfe, 0xfd, 0x10, 0x00, 0x42]), CloseCode.malformed],
  ['a truncated message', Uint8Array.from([0, 2, 50, 1, 2, 3]), CloseCode.malformed],
  ['an unknown message type', Uint8Array.from([9, 0, 0]), CloseCode.malformed],
  ['an unknown sync type', Uint8Array.from([0, 7, 0]), CloseCode.malformed],
  ['an empty update', syncUpdate(new Uint8Array(0)), CloseCode.malformed],
  [
    'an update that does not decode',
    syncUpdate(Uint8Array.from([1, 1, 200, 1, 0, 4, 1, 1, 97, 0xff, 0xff, 0xff, 0xff, 0x0f])),
    CloseCode.malformed,
  ],
  [
    'a huge length prefix',
    syncUpdate(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])),
    CloseCode.malformed,
  ],
  [
    'a state vector that does not decode',
    syncStep1Frame(Uint8Array.from([5, 0xff])),
    CloseCode.malformed,
  ],
  ['a text frame', 'hello', CloseCode.malformed],
  ['an empty frame', new Uint8Array(0), CloseCode.malformed],
]

describe('bad input on the document socket', () => {
  it.each(badFrames)(
    'closes on %s with its code, keeps the process and others unharmed',
    async (_name, frame, code) => {
      const t = await startTestServer()
      const { boardId, doc } = await boardWithWatcher(t)
      const ws = await t.raw(boardId)
      const closed = closeCode(ws)
      ws.send(frame)
      expect(await closed).toBe(code)
      await expectUnharmed(t, boardId, doc)
    },
  )

  it('closes a message over the size limit with 4413', async () => {
    const t = await startTestServer({ limits: { maxMessageBytes: 64 * 1024 } })
    const { boardId, doc } = await boardWithWatcher(t)
    const ws = await t.raw(boardId)
    const closed = closeCode(ws)
    const big = new Y.Doc()
    big.getText('x').insert(0, 'x'.repeat(100 * 1024))
    ws.send(syncUpdate(Y.encodeStateAsUpdate(big)))
    expect(await closed).toBe(CloseCode.tooLarge)
    await expectUnharmed(t, boardId, doc)
    expect(t.server.rooms.loaded(boardId)?.doc.getText('x').length).toBe(0)
  })

  it('closes a flooding connection with 4429', async () => {
    const t = await startTestServer({ limits: { messagesPerSecond: 20 } })
    const { boardId, doc } = await boardWithWatcher(t)
    const ws = await t.raw(boardId)
    const closed = closeCode(ws)
    for (let i = 0; i < 200; i++) ws.send(Uint8Array.from([3]))
    expect(await closed).toBe(CloseCode.rateLimited)
    await expectUnharmed(t, boardId, doc)
  })

  it('refuses a board that does not exist, or a malformed id, with 4404', async () => {
    const t = await startTestServer()
    for (const id of ['nope', 'bad%20id', '..%2F..%2Fetc']) {
      const ws = await t.raw(id)
      expect(await closeCode(ws)).toBe(CloseCode.notFound)
    }
  })

  it('stores nothing from a refused update', async () => {
    const t = await startTestServer({ limits: { maxMessageBytes: 64 * 1024 } })
    const { boardId } = await boardWithWatcher(t)
    const stateBefore = Y.encodeStateAsUpdate(t.server.rooms.loaded(boardId)?.doc as Y.Doc)
    const ws = await t.raw(boardId)
    const closed = closeCode(ws)
    ws.send(
      syncUpdate(Uint8Array.from([1, 1, 200, 1, 0, 4, 1, 1, 97, 0xff, 0xff, 0xff, 0xff, 0x0f])),
    )
    await closed
    const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`)
    expect(Buffer.from(exported.body)).toEqual(Buffer.from(stateBefore))
  })
})

describe('document size limit', () => {
  it('refuses an update that would take a board past LOUPE_MAX_DOC_BYTES with 4413', async () => {
    const t = await startTestServer({ limits: { maxDocBytes: 64 * 1024 } })
    const { boardId, doc } = await boardWithWatcher(t)
    const ws = await t.raw(boardId)
    const closed = closeCode(ws)
    const big = new Y.Doc()
    big.getText('x').insert(0, 'y'.repeat(70 * 1024))
    ws.send(syncUpdate(Y.encodeStateAsUpdate(big)))
    expect(await closed).toBe(CloseCode.tooLarge)
    await expectUnharmed(t, boardId, doc)
  })
})

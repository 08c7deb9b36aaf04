/**
 * Per-user and per-connection limits (README "Configuration", PROTOCOL.md "Close codes"):
 * the connection cap per user, the byte rate, the live socket's frame size, and the cap of
 * awareness client ids one connection may own.
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, startTestServer, synced, type TestServer } from './harness.ts'
import { liveClient } from './live-client.ts'
import { awarenessMessage, syncUpdate } from './wire.ts'

const sockets: WebSocket[] = []
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await cleanup()
})

/**
 * A raw document socket whose listeners are in place before the upgrade completes, so the
 * first thing the server sends (a document byte, or a refusal) is never missed.
 */
function docSocket(t: TestServer, boardId: string, token?: string) {
  const ws = new WebSocket(`${t.docUrl}/${boardId}${token ? `?token=${token}` : ''}`)
  sockets.push(ws)
  const state = { messages: 0, closeCode: null as number | null }
  /** Resolves with 'admitted' on the first document message, or with the close code. */
  const outcome = new Promise<'admitted' | number>((resolve) => {
    ws.on('message', () => {
      state.messages++
      resolve('admitted')
    })
    ws.once('close', (code: number) => {
      state.closeCode = code
      resolve(code)
    })
  })
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)))
  return { ws, state, outcome, closed }
}

async function docConnections(t: TestServer): Promise<number> {
  const text = Buffer.from((await t.api<Uint8Array>('/metrics')).body).toString()
  return Number(/^loupe_connections (\d+)$/m.exec(text)?.[1])
}

describe('connections per user (LOUPE_MAX_CONNECTIONS_PER_USER)', () => {
  it('refuses the socket over the cap with 4429, keeps the others, and admits one again after a close', async () => {
    const t = await authServer(undefined, { limits: { maxConnectionsPerUser: 2 } })
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'capped')
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')

    const first = docSocket(t, boardId, ed.token)
    const second = docSocket(t, boardId, ed.token)
    expect(await first.outcome).toBe('admitted')
    expect(await second.outcome).toBe('admitted')

    const third = docSocket(t, boardId, ed.token)
    expect(await third.outcome).toBe(CloseCode.rateLimited)
    // Refused before any document byte.
    expect(third.state.messages).toBe(0)
    // The cap is per user: the owner still gets in, and Ed's two sockets stay open.
    const ownerSocket = docSocket(t, boardId, owner.token)
    expect(await ownerSocket.outcome).toBe('admitted')
    expect([first.ws.readyState, second.ws.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN])
    expect([first.state.closeCode, second.state.closeCode]).toEqual([null, null])

    first.ws.close()
    await first.closed
    await eventually(async () => expect(await docConnections(t)).toBe(2))
    const fourth = docSocket(t, boardId, ed.token)
    expect(await fourth.outcome).toBe('admitted')
    expect(second.ws.readyState).toBe(WebSocket.OPEN)
  })

  it('admits every socket up to the cap when they arrive at once (the reconnect burst after a 1012 restart)', async () => {
    // After a graceful restart every client reconnects within moments, and the stock provider
    // gives up for good on a 44xx close: a burst up to the cap must be admitted.
    const cap = 40
    const t = await authServer(undefined, { limits: { maxConnectionsPerUser: cap } })
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'many-tabs')
    const burst = Array.from({ length: cap }, () => docSocket(t, boardId, owner.token))
    const outcomes = await Promise.all(burst.map((s) => s.outcome))
    const refused = outcomes.filter((o) => o !== 'admitted')
    expect({ admitted: outcomes.length - refused.length, refused }).toEqual({
      admitted: cap,
      refused: [],
    })
    const over = docSocket(t, boardId, owner.token)
    expect(await over.outcome).toBe(CloseCode.rateLimited)
  })
})

describe('byte rate per connection (LOUPE_BYTES_PER_SEC)', () => {
  it('closes a connection sending more bytes per second than allowed with 4429; another on the same board is unharmed', async () => {
    // 1 KiB/s with a burst of 4 KiB (the burst is at least one largest message).
    const t = await startTestServer({ limits: { bytesPerSecond: 1024, maxMessageBytes: 4096 } })
    const boardId = await t.createBoard()
    const watcherDoc = new Y.Doc()
    const watcher = t.provider(boardId, watcherDoc)
    await synced(watcher)
    createTask(watcherDoc, { id: 'before', title: 'Before', order: 'a0', createdBy: 'local' })

    // Ten valid updates of about 900 bytes: few messages (far under LOUPE_MSGS_PER_SEC), many bytes.
    const source = new Y.Doc()
    const frames: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => frames.push(syncUpdate(update)))
    for (let i = 0; i < 10; i++) source.getText('bulk').insert(0, `${i}`.padEnd(900, '.'))
    expect(frames).toHaveLength(10)

    const flooder = docSocket(t, boardId)
    expect(await flooder.outcome).toBe('admitted')
    for (const frame of frames) flooder.ws.send(frame)
    await eventually(() => expect(flooder.state.closeCode).toBe(CloseCode.rateLimited))

    // The other connection to the board still syncs both ways.
    expect(watcher.wsconnected).toBe(true)
    createTask(watcherDoc, {
      id: 'after',
      title: 'After the flood',
      order: 'a1',
      createdBy: 'local',
    })
    const fresh = new Y.Doc()
    await synced(t.provider(boardId, fresh))
    await eventually(() => {
      expect(board(fresh).tasks.get('before')?.get('title')).toBe('Before')
      expect(board(fresh).tasks.get('after')?.get('title')).toBe('After the flood')
    })
    createTask(fresh, { id: 'back', title: 'Back to the watcher', order: 'a2', createdBy: 'local' })
    await eventually(() => expect(board(watcherDoc).tasks.has('back')).toBe(true))
  })
})

describe('live socket frame size', () => {
  it('closes the live socket with 4413 for a message over 64 KiB; a smaller one only gets an error', async () => {
    const t = await startTestServer()
    const client = await liveClient(t)
    await client.hello()
    // Just under the limit: an ordinary bad request, answered, socket open.
    const under = await client.request({ type: 'teleport', pad: 'x'.repeat(60 * 1024) })
    expect(under).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(client.ws.readyState).toBe(WebSocket.OPEN)

    let code: number | null = null
    void client.closed.then((c) => (code = c))
    client.send({ type: 'pong', t: 1, pad: 'x'.repeat(64 * 1024) })
    await eventually(() => expect(code).toBe(CloseCode.tooLarge))

    // Only that socket: another live client is fine.
    const other = await liveClient(t)
    expect(await other.hello()).toMatchObject({ type: 'welcome' })
  })
})

describe('awareness client ids per connection', () => {
  it('lets one connection own at most 4 awareness client ids; a 5th is never relayed', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const observer = t.provider(boardId, new Y.Doc())
    await synced(observer)
    const raw = docSocket(t, boardId)
    expect(await raw.outcome).toBe('admitted')

    const ids = [101, 102, 103, 104, 105]
    for (const id of ids) raw.ws.send(awarenessMessage(id, 1, { cursor: { x: id, y: 0 } }))
    // A later change to an owned id: once the observer has it, the 5th (sent before) was handled.
    raw.ws.send(awarenessMessage(101, 2, { cursor: { x: 0, y: 1 } }))
    const states = observer.awareness.getStates()
    await eventually(() => expect(states.get(101)?.cursor).toEqual({ x: 0, y: 1 }))
    for (const id of [102, 103, 104]) expect(states.get(id)?.cursor).toEqual({ x: id, y: 0 })
    expect(states.has(105)).toBe(false)

    // A newcomer asking for everyone present does not get it either.
    const late = t.provider(boardId, new Y.Doc())
    await synced(late)
    await eventually(() => expect(late.awareness.getStates().has(104)).toBe(true))
    expect(late.awareness.getStates().has(105)).toBe(false)
    expect(raw.ws.readyState).toBe(WebSocket.OPEN)
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { cleanup, closeCode, eventually, startTestServer, synced, tempDir } from './harness.ts'
import { syncUpdate } from './wire.ts'

afterEach(cleanup)

describe('liveness, backpressure and shutdown', () => {
  it('closes a connection that stops answering pings, and keeps one that answers', async () => {
    const t = await startTestServer({ pingMs: 100 })
    const boardId = await t.createBoard()
    const silent = new WebSocket(`${t.docUrl}/${boardId}`, { autoPong: false })
    await new Promise((resolve) => silent.once('open', resolve))
    const healthy = await t.raw(boardId)
    let pings = 0
    healthy.on('ping', () => pings++)
    const closed = closeCode(silent)
    expect(await closed).toBe(1006)
    // The healthy one opened a little later, so its second ping may come just after.
    await eventually(() => expect(pings).toBeGreaterThanOrEqual(2))
    expect(healthy.readyState).toBe(WebSocket.OPEN)
  })

  it('drops a reader that cannot keep up instead of dropping its updates; it resyncs on reconnect', async () => {
    const t = await startTestServer({ limits: { maxBufferedBytes: 256 * 1024 } })
    const boardId = await t.createBoard()
    const slow = await t.raw(boardId)
    const slowClosed = new Promise((resolve) => slow.once('close', resolve))
    ;(slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause()

    const writer = new Y.Doc()
    await synced(t.provider(boardId, writer))
    const text = writer.getText('bulk')
    for (let i = 0; i < 30; i++) text.insert(text.length, `${i}:`.padEnd(200 * 1024, 'x'))
    await eventually(
      () => expect(t.logs.some((l) => l.msg === 'slow reader dropped')).toBe(true),
      10_000,
    )
    ;(slow as unknown as { _socket: { resume(): void } })._socket.resume()
    await slowClosed

    const again = new Y.Doc()
    await synced(t.provider(boardId, again))
    expect(again.getText('bulk').length).toBe(text.length)
  })

  it('stops gracefully: sockets get 1012, accepted updates are on disk', async () => {
    const dataDir = tempDir()
    const t = await startTestServer({ dataDir })
    const boardId = await t.createBoard()
    const ws = await t.raw(boardId)
    const closed = closeCode(ws)
    const source = new Y.Doc()
    createTask(source, {
      id: 'last',
      title: 'Sent just before the stop',
      order: 'a0',
      createdBy: 'local',
    })
    ws.send(syncUpdate(Y.encodeStateAsUpdate(source)))
    await eventually(() =>
      expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').has('last')).toBe(true),
    )
    await t.server.close()
    expect(await closed).toBe(CloseCode.serverStopping)

    const next = await startTestServer({ dataDir })
    const doc = new Y.Doc()
    await synced(next.provider(boardId, doc))
    expect(board(doc).tasks.get('last')?.get('title')).toBe('Sent just before the stop')
  })

  it('answers health, readiness and metrics; readiness names what is missing', async () => {
    const t = await startTestServer()
    expect((await t.api('/readyz')).status).toBe(200)
    expect((await t.api<{ ok: boolean }>('/healthz')).body.ok).toBe(true)
    const metrics = await t.api<Uint8Array>('/metrics')
    const text = Buffer.from(metrics.body).toString()
    for (const name of [
      'loupe_connections',
      'loupe_rooms',
      'loupe_commit_seconds_bucket',
      'loupe_updates_accepted_total',
      'loupe_socket_bytes_out_total',
    ]) {
      expect(text).toContain(name)
    }

    const unbuilt = await startTestServer({ clientDir: tempDir() })
    const ready = await unbuilt.api<{ ready: boolean; warnings: string[] }>('/readyz')
    expect(ready.status).toBe(200)
    expect(ready.body.warnings).toEqual(['web client is not built'])
  })
})

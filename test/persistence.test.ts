import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import {
  addComment,
  board,
  createAnnotation,
  createTask,
  createThread,
} from '../shared/schema/board.ts'
import { cleanup, eventually, startTestServer, synced, tempDir } from './harness.ts'
import { freePort, ready, startChild } from './child.ts'
import { storedRows } from './stored-rows.ts'
import { syncUpdate } from './wire.ts'

afterEach(cleanup)

function fill(doc: Y.Doc, n: number) {
  for (let i = 0; i < n; i++) {
    createTask(doc, { id: `t${i}`, title: `task ${i}`, order: `a${i}`, createdBy: 'local' })
    board(doc).tasks.get(`t${i}`)?.get('description')?.insert(0, `notes for ${i}`)
  }
  createAnnotation(doc, {
    id: 'an1',
    mediaId: 'm1',
    shape: { type: 'pin', x: 0.5, y: 0.25 },
    color: '#f00',
    authorId: 'local',
  })
  createThread(doc, { id: 'th1', anchor: { type: 'annotation', id: 'an1' }, createdBy: 'local' })
  addComment(doc, 'th1', { id: 'c1', authorId: 'local', body: 'Look here', mentions: [] })
  board(doc).tasks.delete('t0')
}

async function fetchState(
  t: { provider: (id: string, doc?: Y.Doc) => WebsocketProvider },
  boardId: string,
) {
  const doc = new Y.Doc()
  await synced(t.provider(boardId, doc))
  return doc
}

/** The board's update rows not yet folded into its snapshot, in whatever store the server has. */
function updateRows(t: Parameters<typeof storedRows>[0], boardId: string): Promise<number> {
  return storedRows(t).count('SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?', boardId)
}

describe('persistence', () => {
  it('keeps every board byte-for-byte across a restart on the same data folder', async () => {
    const dataDir = tempDir()
    const first = await startTestServer({ dataDir })
    const ids = [await first.createBoard('One'), await first.createBoard('Two')]
    const docs = ids.map(() => new Y.Doc())
    await Promise.all(ids.map((id, i) => synced(first.provider(id, docs[i]))))
    fill(docs[0] as Y.Doc, 30)
    fill(docs[1] as Y.Doc, 5)
    await eventually(() => {
      for (const [i, id] of ids.entries()) {
        expect(Y.encodeStateVector(first.server.rooms.loaded(id)?.doc as Y.Doc)).toEqual(
          Y.encodeStateVector(docs[i] as Y.Doc),
        )
      }
    })
    await first.close()

    const second = await startTestServer({ dataDir })
    for (const [i, id] of ids.entries()) {
      const reloaded = await fetchState(second, id)
      const original = docs[i] as Y.Doc
      expect(Y.encodeStateVector(reloaded)).toEqual(Y.encodeStateVector(original))
      expect(Y.equalSnapshots(Y.snapshot(reloaded), Y.snapshot(original))).toBe(true)
      for (const key of ['meta', 'tasks', 'annotations', 'threads']) {
        expect(reloaded.getMap(key).toJSON()).toEqual(original.getMap(key).toJSON())
      }
    }
  })

  it('compacts the log into a snapshot without changing the content', async () => {
    const t = await startTestServer({ compactAfterUpdates: 10 })
    const boardId = await t.createBoard()
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    fill(doc, 40)
    const room = () => t.server.rooms.loaded(boardId)
    await eventually(() =>
      expect(Y.encodeStateVector(room()?.doc as Y.Doc)).toEqual(Y.encodeStateVector(doc)),
    )
    await eventually(async () => expect(await updateRows(t, boardId)).toBeLessThan(10))

    const fresh = await fetchState(t, boardId)
    expect(Y.equalSnapshots(Y.snapshot(fresh), Y.snapshot(doc))).toBe(true)
    expect(fresh.getMap('tasks').toJSON()).toEqual(doc.getMap('tasks').toJSON())
  })

  it('unloads a room once its last client leaves, and reloads it on the next connect', async () => {
    const t = await startTestServer({ roomIdleMs: 0 })
    const boardId = await t.createBoard()
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc)
    await synced(provider)
    createTask(doc, { id: 't1', title: 'Keep me', order: 'a0', createdBy: 'local' })
    await eventually(() =>
      expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').has('t1')).toBe(true),
    )
    expect(t.server.rooms.size).toBe(1)

    provider.destroy()
    await eventually(() => expect(t.server.rooms.size).toBe(0))
    const metrics = await t.api<Uint8Array>('/metrics')
    expect(Buffer.from(metrics.body).toString()).toMatch(/^loupe_rooms 0$/m)

    const again = await fetchState(t, boardId)
    expect(board(again).tasks.get('t1')?.get('title')).toBe('Keep me')
  })

  it('keeps an update whose dependencies have not arrived, across a restart', async () => {
    const dataDir = tempDir()
    const first = await startTestServer({ dataDir })
    const boardId = await first.createBoard()
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (u: Uint8Array) => updates.push(u))
    createTask(source, { id: 't1', title: 'First', order: 'a0', createdBy: 'local' })
    board(source).tasks.get('t1')?.get('description')?.insert(0, 'depends on the first')
    expect(updates).toHaveLength(2)

    // Send only the second update: Yjs must hold it pending, and Loupe must store it.
    const ws = await first.raw(boardId)
    ws.send(syncUpdate(updates[1] as Uint8Array))
    await eventually(() =>
      expect(first.server.rooms.loaded(boardId)?.doc.store.pendingStructs).not.toBeNull(),
    )
    await eventually(async () => expect(await updateRows(first, boardId)).toBeGreaterThanOrEqual(2))
    await first.close()

    const second = await startTestServer({ dataDir })
    const ws2 = await second.raw(boardId)
    ws2.send(syncUpdate(updates[0] as Uint8Array))
    const reader = new Y.Doc()
    const provider = second.provider(boardId, reader)
    await synced(provider)
    await eventually(() =>
      expect(board(reader).tasks.get('t1')?.get('description')?.toString()).toBe(
        'depends on the first',
      ),
    )
  })
})

describe('crash safety', () => {
  it('keeps an update another client has seen when the server is SIGKILLed right after', async () => {
    const dataDir = tempDir()
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    let child = startChild(dataDir, port)
    const kill = (c: ChildProcess) => c.exitCode === null && c.kill('SIGKILL')
    try {
      await ready(url)
      const ws = await (
        await fetch(`${url}/api/workspaces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"w"}',
        })
      ).json()
      await fetch(`${url}/api/workspaces/${ws.workspace.id}/boards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"title":"Crash","id":"crash"}',
      })
      const opts = {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      }
      const writerDoc = new Y.Doc()
      const observerDoc = new Y.Doc()
      const writer = new WebsocketProvider(
        `ws://127.0.0.1:${port}/ws/doc`,
        'crash',
        writerDoc,
        opts,
      )
      const observer = new WebsocketProvider(
        `ws://127.0.0.1:${port}/ws/doc`,
        'crash',
        observerDoc,
        opts,
      )
      await Promise.all([synced(writer), synced(observer)])

      const seen = new Promise<void>((resolve) =>
        board(observerDoc).tasks.observe(() => board(observerDoc).tasks.has('seen') && resolve()),
      )
      createTask(writerDoc, {
        id: 'seen',
        title: 'Seen before the crash',
        order: 'a0',
        createdBy: 'local',
      })
      await seen
      kill(child) // the moment another client has it
      writer.destroy()
      observer.destroy()
      await once(child, 'exit')

      child = startChild(dataDir, port)
      await ready(url)
      const freshDoc = new Y.Doc()
      const fresh = new WebsocketProvider(`ws://127.0.0.1:${port}/ws/doc`, 'crash', freshDoc, opts)
      await synced(fresh)
      expect(board(freshDoc).tasks.get('seen')?.get('title')).toBe('Seen before the crash')
      fresh.destroy()
    } finally {
      kill(child)
    }
  }, 60_000)
})

describe('hibernation', () => {
  it('drops an idle board’s document but keeps serving and accepting edits', async () => {
    const t = await startTestServer({ roomHibernateMs: 100 })
    const boardId = await t.createBoard('Sleepy')
    const a = new Y.Doc()
    const pa = t.provider(boardId, a)
    await synced(pa)
    createTask(a, { id: 't1', title: 'Before sleep', order: 'a0', createdBy: 'local' })
    const room = () => t.server.rooms.loaded(boardId)
    await eventually(() => expect(room()?.isHibernating).toBe(true))

    // A newcomer is served from the encoded state; an edit wakes the document.
    const b = new Y.Doc()
    await synced(t.provider(boardId, b))
    expect(board(b).tasks.get('t1')?.get('title')).toBe('Before sleep')
    createTask(b, { id: 't2', title: 'Wakes it', order: 'a1', createdBy: 'local' })
    await eventually(() => expect(board(a).tasks.get('t2')?.get('title')).toBe('Wakes it'))
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b))
    await eventually(() => expect(room()?.isHibernating).toBe(true))
    const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, exported.body)
    expect(board(copy).tasks.size).toBe(2)
  })
})

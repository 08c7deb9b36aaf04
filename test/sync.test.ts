import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../shared/schema/board.ts'
import { cleanup, eventually, startTestServer, synced } from './harness.ts'

afterEach(cleanup)

describe('sync through the stock WebsocketProvider', () => {
  it('converges concurrent edits: different fields both survive, the same field resolves alike', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard('Review')
    const a = new Y.Doc()
    const b = new Y.Doc()
    const pa = t.provider(boardId, a)
    const pb = t.provider(boardId, b)
    await Promise.all([synced(pa), synced(pb)])

    createTask(a, { id: 't1', title: 'Cut the intro', order: 'a0', createdBy: 'local' })
    await eventually(() => expect(board(b).tasks.get('t1')).toBeDefined())

    // Edits made in the same turn on both replicas are concurrent: neither has seen the other.
    updateTask(a, 't1', { title: 'Cut the intro to 10 s', status: 'doing' })
    updateTask(b, 't1', { assigneeId: 'u2', status: 'review' })

    await eventually(() => {
      expect(board(a).tasks.get('t1')?.toJSON()).toEqual(board(b).tasks.get('t1')?.toJSON())
      expect(board(a).tasks.get('t1')?.get('assigneeId')).toBe('u2')
    })
    const task = board(a).tasks.get('t1')
    expect(task?.get('title')).toBe('Cut the intro to 10 s')
    expect(['doing', 'review']).toContain(task?.get('status'))

    // A late joiner gets everything, including the meta the server seeded.
    const c = new Y.Doc()
    await synced(t.provider(boardId, c))
    expect(board(c).tasks.get('t1')?.toJSON()).toEqual(task?.toJSON())
    expect(board(c).meta.get('title')).toBe('Review')
    expect(Y.encodeStateVector(c)).toEqual(Y.encodeStateVector(a))
  })

  it('merges edits made while disconnected once the client reconnects', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const a = new Y.Doc()
    const b = new Y.Doc()
    const pa = t.provider(boardId, a)
    const pb = t.provider(boardId, b)
    await Promise.all([synced(pa), synced(pb)])
    createTask(a, { id: 't1', title: 'Shared', order: 'a0', createdBy: 'local' })
    await eventually(() => expect(board(b).tasks.has('t1')).toBe(true))

    pb.disconnect()
    createTask(b, { id: 'offline', title: 'Made offline', order: 'a1', createdBy: 'local' })
    board(b).tasks.get('t1')?.get('description')?.insert(0, 'offline notes')
    updateTask(a, 't1', { priority: 'urgent' })
    await eventually(() =>
      expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').get('t1')).toBeDefined(),
    )

    pb.connect()
    await eventually(() => {
      expect(board(a).tasks.get('offline')?.get('title')).toBe('Made offline')
      expect(board(b).tasks.get('t1')?.get('priority')).toBe('urgent')
      expect(board(a).tasks.get('t1')?.get('description')?.toString()).toBe('offline notes')
    })
    expect(a.getMap('tasks').toJSON()).toEqual(b.getMap('tasks').toJSON())
  })

  it('answers a new client only with committed state: its first sync carries the stored board', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard('Stored')
    const writer = new Y.Doc()
    await synced(t.provider(boardId, writer))
    for (let i = 0; i < 20; i++)
      createTask(writer, { id: `t${i}`, title: `task ${i}`, order: `a${i}`, createdBy: 'local' })
    await eventually(() =>
      expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').size).toBe(20),
    )

    const reader = new Y.Doc()
    const provider = t.provider(boardId, reader)
    // Checked inside the sync event: the first answer must already hold every task.
    const sizeAtSync = await new Promise<number>((resolve) =>
      provider.on('sync', (state: boolean) => state && resolve(board(reader).tasks.size)),
    )
    expect(sizeAtSync).toBe(20)
  })
})

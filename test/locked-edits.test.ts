/**
 * docs/locks.md, L11: an edit to an entity someone else has locked is reverted before it is
 * committed, and "no events or notifications are derived from the reverted part" — while the
 * allowed part of the same update produces its events and notifications as usual.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { YMessage } from '../shared/protocol/y-messages.ts'
import { addComment, board, createTask, createThread, updateTask } from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, synced, type TestServer } from './harness.ts'
import { liveClient, type LiveClient } from './live-client.ts'
import { awarenessMessage, deleteOnly, syncUpdate } from './wire.ts'

afterEach(cleanup)

interface LoggedEvent {
  seq: number
  event: { type: string; data: Record<string, unknown> }
}

interface NotificationList {
  notifications: Array<{ type: string; taskId: string | null; threadId: string | null }>
}

async function live(t: TestServer, token: string): Promise<LiveClient> {
  const client = await liveClient(t, { token })
  await client.hello()
  return client
}

/** A reply on the same socket: everything the server sent before it has arrived. */
async function barrier(client: LiveClient): Promise<void> {
  await client.request({ type: 'notifications.read', ids: [] })
}

const about = (e: LoggedEvent['event']) =>
  `${e.type} ${String(e.data.taskId ?? e.data.threadId ?? e.data.key ?? '')}`

describe('[L11] reverted edits derive nothing', () => {
  it('emits no event and no notification for the reverted part of an update, and both for the allowed part', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'dailies')
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
    const flo = await invite(t, owner.token, owner.workspaceId, 'editor', 'flo')
    const stream = `board:${boardId}`

    const ownerDoc = new Y.Doc()
    const edDoc = new Y.Doc()
    await Promise.all([
      synced(t.provider(boardId, ownerDoc, { token: owner.token })),
      synced(t.provider(boardId, edDoc, { token: ed.token })),
    ])
    createTask(ownerDoc, { id: 'approve', title: 'Approve', order: 'a0', createdBy: owner.user.id })
    createTask(ownerDoc, { id: 'notes', title: 'Notes', order: 'a1', createdBy: owner.user.id })
    ownerDoc.transact(() => {
      createThread(ownerDoc, {
        id: 'th1',
        anchor: { type: 'board', id: boardId },
        createdBy: owner.user.id,
      })
      addComment(ownerDoc, 'th1', { id: 'c1', authorId: owner.user.id, body: 'Shot 12?' })
    })
    await eventually(() => {
      expect(board(edDoc).tasks.has('notes')).toBe(true)
      expect(board(edDoc).threads.get('th1')?.get('comments')?.length).toBe(1)
    })
    for (const key of [`${boardId}/task/approve`, `${boardId}/thread/th1`]) {
      const lock = await t.api('/api/locks/acquire', {
        method: 'POST',
        token: owner.token,
        json: { key },
      })
      expect(lock.status).toBe(200)
    }

    const watcher = await live(t, owner.token)
    const subscribed = await watcher.request({ type: 'subscribe', stream })
    const baseline = (subscribed.result as { lastSeq: number }).lastSeq
    const floLive = await live(t, flo.token)
    const edLive = await live(t, ed.token)

    // One update from Ed: two changes to locked entities that would notify Flo (an assignment
    // and a mention) and Olive (a reply in her thread), and one allowed change that does.
    edDoc.transact(() => {
      updateTask(edDoc, 'approve', { status: 'done', assigneeId: flo.user.id })
      addComment(edDoc, 'th1', {
        id: 'c2',
        authorId: ed.user.id,
        body: '@flo approved it for you',
        mentions: [flo.user.id],
      })
      updateTask(edDoc, 'notes', { status: 'doing', assigneeId: flo.user.id })
    })

    // The allowed part: its events and Flo's assignment for it.
    await eventually(() =>
      expect(watcher.events(stream).map((e) => about(e.event))).toEqual(
        expect.arrayContaining(['task.assigned notes', 'task.status_changed notes']),
      ),
    )
    const assigned = await floLive.next((m) => m.type === 'notification')
    expect(assigned.notification).toMatchObject({ type: 'assigned', taskId: 'notes' })
    // Ed was told about both locked entities.
    await eventually(() =>
      expect(
        edLive.messages
          .filter((m) => m.type === 'error')
          .map((m) => (m.error as { key: string }).key)
          .sort(),
      ).toEqual([`${boardId}/task/approve`, `${boardId}/thread/th1`]),
    )

    // The reverted part: nothing on the stream, in the durable log, or in anyone's inbox.
    await Promise.all([barrier(watcher), barrier(floLive)])
    expect(watcher.events(stream).map((e) => about(e.event))).toEqual([
      'task.assigned notes',
      'task.status_changed notes',
    ])
    const log = await t.api<{ events: LoggedEvent[] }>(
      `/api/events?stream=${stream}&after=${baseline}`,
      { token: owner.token },
    )
    expect(log.body.events.map((e) => about(e.event))).toEqual([
      'task.assigned notes',
      'task.status_changed notes',
    ])
    expect(floLive.messages.filter((m) => m.type === 'notification')).toHaveLength(1)
    const floInbox = await t.api<NotificationList>('/api/notifications', { token: flo.token })
    expect(floInbox.body.notifications.map((n) => [n.type, n.taskId, n.threadId])).toEqual([
      ['assigned', 'notes', null],
    ])
    const ownerInbox = await t.api<NotificationList>('/api/notifications', { token: owner.token })
    expect(ownerInbox.body.notifications).toEqual([])

    // And the documents agree: the locked entities are as they were, the other task changed.
    for (const doc of [ownerDoc, edDoc]) {
      await eventually(() => {
        expect(board(doc).tasks.get('notes')?.get('status')).toBe('doing')
        expect(board(doc).tasks.get('approve')?.get('status')).toBe('todo')
        expect(board(doc).tasks.get('approve')?.get('assigneeId') ?? null).toBeNull()
        expect(board(doc).threads.get('th1')?.get('comments')?.length).toBe(1)
      })
    }
  })
})

describe('[L11] nothing held back carries an edit past the guard', () => {
  it('drops what an editor leaves pending while someone else holds a lock, so the holder’s next edit stands', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'dailies')
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
    const ownerDoc = new Y.Doc()
    await synced(t.provider(boardId, ownerDoc, { token: owner.token }))
    createTask(ownerDoc, { id: 'approve', title: 'Approve', order: 'a0', createdBy: owner.user.id })
    const key = `${boardId}/task/approve`
    const lock = await t.api('/api/locks/acquire', {
      method: 'POST',
      token: owner.token,
      json: { key },
    })
    expect(lock.status).toBe(200)

    const ws = await t.raw(boardId, `?token=${ed.token}`)
    const received: Uint8Array[] = []
    ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
    // Deletes of the holder's next structs, which the server does not have yet: Yjs would keep
    // them pending and apply them inside the holder's next transaction, where no lock guard
    // runs for the holder — a change to the locked task by someone who does not hold it.
    const next = Y.getState(ownerDoc.store, ownerDoc.clientID)
    ws.send(syncUpdate(deleteOnly(ownerDoc.clientID, next, 1000)))
    // This socket's messages are handled in order: once its own presence is answered to a
    // query, the update before it has been applied.
    ws.send(awarenessMessage(434343, 1, { status: 'active' }))
    const from = received.length
    ws.send(Uint8Array.of(YMessage.queryAwareness))
    await eventually(() =>
      expect(received.slice(from).some((m) => m[0] === YMessage.awareness)).toBe(true),
    )

    updateTask(ownerDoc, 'approve', { title: 'Approve the grade' })
    await eventually(async () => {
      const third = new Y.Doc()
      await synced(t.provider(boardId, third, { token: owner.token }))
      expect(board(third).tasks.get('approve')?.get('title')).toBe('Approve the grade')
    })
    expect(board(ownerDoc).tasks.get('approve')?.get('title')).toBe('Approve the grade')
  })
})

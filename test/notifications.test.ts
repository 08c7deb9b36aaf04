import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addComment,
  addMedia,
  board,
  createAnnotation,
  createTask,
  createThread,
  setThreadResolved,
  setVerdict,
  updateTask,
} from '../shared/schema/board.ts'
import { eventTypeNames } from '../shared/protocol/events.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, synced, type TestServer } from './harness.ts'
import { liveClient } from './live-client.ts'

afterEach(cleanup)

interface NotificationList {
  notifications: Array<{
    id: string
    type: string
    actor: { id: string }
    threadId: string | null
    commentId: string | null
    taskId: string | null
    count: number
    readAt: number | null
  }>
  unreadCount: number
}

async function team(t: TestServer) {
  const owner = await setupOwner(t)
  const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review')
  const bea = await invite(t, owner.token, owner.workspaceId, 'editor', 'bea')
  return { owner, bea, boardId }
}

describe('notifications derived from the documents', () => {
  it('a mention written through a real provider notifies the mentioned user once, live and on reconnect', async () => {
    const t = await authServer()
    const { owner, bea, boardId } = await team(t)
    const beaLive = await liveClient(t, { token: bea.token })
    await beaLive.hello()

    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: owner.token }))
    doc.transact(() => {
      createThread(doc, {
        id: 'th1',
        anchor: { type: 'board', id: boardId },
        createdBy: owner.user.id,
      })
      addComment(doc, 'th1', {
        id: 'c1',
        authorId: owner.user.id,
        body: '@bea have a look',
        mentions: [bea.user.id],
      })
    })

    const pushed = await beaLive.next((m) => m.type === 'notification')
    expect(pushed.notification).toMatchObject({
      type: 'mention',
      threadId: 'th1',
      commentId: 'c1',
      actor: { id: owner.user.id, name: 'Olive' },
      boardId,
    })
    const forBea = await t.api<NotificationList>('/api/notifications?unread=1', {
      token: bea.token,
    })
    expect(forBea.body.unreadCount).toBe(1)
    expect(forBea.body.notifications).toHaveLength(1)
    const forOwner = await t.api<NotificationList>('/api/notifications?unread=1', {
      token: owner.token,
    })
    expect(forOwner.body.unreadCount).toBe(0)
    expect(beaLive.messages.filter((m) => m.type === 'notification')).toHaveLength(1)

    // Marked read over the live socket; the count follows.
    const read = await beaLive.request({
      type: 'notifications.read',
      ids: [forBea.body.notifications[0]?.id],
    })
    expect(read).toMatchObject({ ok: true, result: { unreadCount: 0 } })
    const after = await t.api<NotificationList>('/api/notifications', { token: bea.token })
    expect(after.body.notifications[0]?.readAt).toEqual(expect.any(Number))
  })

  it('coalesces several comments in one thread into one unread item; never notifies the author', async () => {
    const t = await authServer()
    const { owner, bea, boardId } = await team(t)
    const beaDoc = new Y.Doc()
    const ownerDoc = new Y.Doc()
    await Promise.all([
      synced(t.provider(boardId, beaDoc, { token: bea.token })),
      synced(t.provider(boardId, ownerDoc, { token: owner.token })),
    ])
    beaDoc.transact(() => {
      createThread(beaDoc, {
        id: 'th',
        anchor: { type: 'board', id: boardId },
        createdBy: bea.user.id,
      })
      addComment(beaDoc, 'th', { id: 'b1', authorId: bea.user.id, body: 'First' })
    })
    await eventually(() => expect(ownerDoc.getMap('threads').has('th')).toBe(true))
    for (const id of ['o1', 'o2', 'o3'])
      addComment(ownerDoc, 'th', { id, authorId: owner.user.id, body: `reply ${id}` })

    await eventually(async () => {
      const list = await t.api<NotificationList>('/api/notifications?unread=1', {
        token: bea.token,
      })
      expect(list.body.notifications).toEqual([
        expect.objectContaining({ type: 'reply', threadId: 'th', commentId: 'o3', count: 3 }),
      ])
      expect(list.body.unreadCount).toBe(1)
    })
    const own = await t.api<NotificationList>('/api/notifications', { token: owner.token })
    expect(own.body.notifications).toEqual([])

    // Assigning a task to Bea notifies her; assigning to oneself notifies nobody.
    createTask(ownerDoc, { id: 't1', title: 'Color pass', order: 'a0', createdBy: owner.user.id })
    updateTask(ownerDoc, 't1', { assigneeId: bea.user.id })
    createTask(ownerDoc, {
      id: 't2',
      title: 'Mine',
      order: 'a1',
      createdBy: owner.user.id,
      assigneeId: owner.user.id,
    })
    await eventually(async () => {
      const list = await t.api<NotificationList>('/api/notifications?unread=1', {
        token: bea.token,
      })
      expect(list.body.notifications.map((n) => n.type).sort()).toEqual(['assigned', 'reply'])
    })
    expect(
      (await t.api<NotificationList>('/api/notifications', { token: owner.token })).body
        .notifications,
    ).toEqual([])
  })

  it('sends an invite to an existing user’s inbox', async () => {
    const t = await authServer()
    const { owner, bea } = await team(t)
    const studio = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Studio' },
    })
    const created = await t.api<{ code: string }>(
      `/api/workspaces/${studio.body.workspace.id}/invites`,
      {
        method: 'POST',
        token: owner.token,
        json: { role: 'editor', userId: bea.user.id },
      },
    )
    expect(created.status).toBe(201)
    const list = await t.api<{
      notifications: Array<{ type: string; data: { code: string; workspaceName: string } }>
    }>('/api/notifications', { token: bea.token })
    expect(list.body.notifications[0]).toMatchObject({
      type: 'invite',
      data: { code: created.body.code, workspaceName: 'Studio' },
    })
  })
})

describe('registry, capabilities and audit', () => {
  it('every registered event type is produced by some code path, and capabilities list them all', async () => {
    const t = await authServer(undefined, { systemFiguresMs: 100 })
    const { owner, bea, boardId } = await team(t)
    const live = await liveClient(t, { token: owner.token })
    await live.hello()
    await live.request({ type: 'subscribe', stream: 'system' })
    await live.request({ type: 'subscribe', stream: `workspace:${owner.workspaceId}`, afterSeq: 0 })
    await live.request({ type: 'subscribe', stream: `board:${boardId}`, afterSeq: 0 })

    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: owner.token }))
    createTask(doc, { id: 't1', title: 'T', order: 'a0', createdBy: owner.user.id })
    updateTask(doc, 't1', { status: 'doing', assigneeId: bea.user.id })
    createAnnotation(doc, {
      id: 'an',
      mediaId: 'm',
      shape: { type: 'pin', x: 0.1, y: 0.2 },
      color: '#000',
      authorId: owner.user.id,
    })
    doc.transact(() => {
      createThread(doc, {
        id: 'th',
        anchor: { type: 'annotation', id: 'an' },
        createdBy: owner.user.id,
      })
      addComment(doc, 'th', { id: 'c', authorId: owner.user.id, body: 'x' })
    })
    setThreadResolved(doc, 'th', true)
    // A verdict, and deletes of each kind of entity.
    addMedia(doc, {
      id: 'm',
      kind: 'image',
      hash: 'f'.repeat(64),
      name: 'm.png',
      bytes: 1,
      addedBy: owner.user.id,
    })
    setVerdict(doc, 'm', owner.user.id, 'approved')
    createTask(doc, { id: 'gone', title: 'Gone', order: 'a1', createdBy: owner.user.id })
    doc.transact(() => {
      board(doc).tasks.delete('gone')
      board(doc).threads.delete('th')
      board(doc).annotations.delete('an')
      board(doc).media.delete('m')
    })
    // History: a named version, restored.
    const named = await t.api<{ version: { id: string } }>(`/api/boards/${boardId}/versions`, {
      method: 'POST',
      token: owner.token,
      json: { name: 'v1' },
    })
    const restore = `/api/boards/${boardId}/versions/${named.body.version.id}/restore`
    expect((await t.api(restore, { method: 'POST', token: owner.token, json: {} })).status).toBe(
      200,
    )
    // Locks: granted, refused, queued, released (serving the queue), expired.
    const key = `${boardId}/task/t1`
    const lock = (token: string, json: object) =>
      t.api('/api/locks/acquire', { method: 'POST', token, json })
    expect((await lock(owner.token, { key })).status).toBe(200)
    expect((await lock(bea.token, { key })).status).toBe(409)
    expect((await lock(bea.token, { key, wait: true })).status).toBe(202)
    await t.api('/api/locks/release', { method: 'POST', token: owner.token, json: { key } })
    expect((await lock(owner.token, { key: `${boardId}/task/short`, ttlMs: 1000 })).status).toBe(
      200,
    )
    await t.api(`/api/boards/${boardId}`, {
      method: 'PATCH',
      token: owner.token,
      json: { title: 'Renamed' },
    })
    await t.api(`/api/workspaces/${owner.workspaceId}/members/${bea.user.id}`, {
      method: 'PATCH',
      token: owner.token,
      json: { role: 'viewer' },
    })
    await t.api(`/api/workspaces/${owner.workspaceId}/members/${bea.user.id}`, {
      method: 'DELETE',
      token: owner.token,
    })
    await t.api(`/api/boards/${boardId}`, { method: 'DELETE', token: owner.token })
    await t.api(`/api/boards/${boardId}/unarchive`, {
      method: 'POST',
      token: owner.token,
      json: {},
    })

    await eventually(() => {
      const seen = new Set(
        live.messages
          .filter((m) => m.type === 'event')
          .map((m) => (m.event as { type: string }).type),
      )
      expect([...seen].sort()).toEqual([...eventTypeNames].sort())
    })

    const caps = await t.api<{
      eventTypes: Array<{ type: string; schema: { type: string } }>
      endpoints: Array<{ method: string; path: string }>
      sockets: unknown[]
    }>('/api/capabilities')
    expect(caps.status).toBe(200)
    expect(caps.body.eventTypes.map((e) => e.type).sort()).toEqual([...eventTypeNames].sort())
    for (const type of caps.body.eventTypes) expect(type.schema.type).toBe('object')
    expect(caps.body.sockets).toHaveLength(2)
    const openapi = await t.api<{ openapi: string; paths: Record<string, unknown> }>(
      '/api/openapi.json',
    )
    expect(openapi.body.openapi).toBe('3.1.0')
    expect(Object.keys(openapi.body.paths)).toContain('/api/workspaces/{ws}/boards')
  })

  it('documents every routed endpoint and routes every documented one', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const caps = await t.api<{
      endpoints: Array<{ method: string; path: string; auth: boolean }>
    }>('/api/capabilities')
    const { routeDocs } = await import('../server/http/api-docs.ts')
    // Every documented endpoint is really routed (the list is the intersection)...
    expect(caps.body.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(
      routeDocs.map((d) => `${d.method} ${d.path}`),
    )
    // ...and every concrete route answers something other than the API's own 404. The probes
    // carry a token: without one, the auth middleware answers 401 for any path under /api,
    // routed or not, and this half could never fail.
    const probe = async (method: string, path: string) => {
      const response = await fetch(t.url + path.replace(/:[A-Za-z]+/g, 'x'), {
        method,
        headers: { authorization: `Bearer ${owner.token}` },
      })
      const body = response.headers.get('content-type')?.includes('json')
        ? await response.json()
        : {}
      return {
        status: response.status,
        noRoute: String(body?.error?.message ?? '').startsWith('no route'),
      }
    }
    // The probe does see a path that is not routed.
    expect(await probe('GET', '/api/no-such-endpoint')).toEqual({ status: 404, noRoute: true })
    for (const { method, path, auth } of caps.body.endpoints) {
      const { status, noRoute } = await probe(method, path)
      // Past the auth door: the token was accepted, so the answer comes from the route itself.
      expect({ method, path, noRoute, unauthorized: auth && status === 401 }).toEqual({
        method,
        path,
        noRoute: false,
        unauthorized: false,
      })
    }
  })

  it('keeps an audit log for owners only', async () => {
    const t = await authServer()
    const { owner, bea, boardId } = await team(t)
    await t.api('/api/auth/login', {
      method: 'POST',
      json: { name: 'bea', password: 'wrong-password' },
    })
    await t.api(`/api/boards/${boardId}/export`, { token: owner.token })
    const log = await t.api<{ entries: Array<{ action: string; actor: { id: string } | null }> }>(
      `/api/audit?workspace=${owner.workspaceId}`,
      { token: owner.token },
    )
    const actions = log.body.entries.map((e) => e.action)
    for (const action of [
      'board.created',
      'invite.created',
      'invite.accepted',
      'member.joined',
      'auth.login_failed',
      'board.exported',
    ]) {
      expect(actions).toContain(action)
    }
    expect(
      (await t.api(`/api/audit?workspace=${owner.workspaceId}`, { token: bea.token })).status,
    ).toBe(403)
  })
})

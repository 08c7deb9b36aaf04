/**
 * The reviewer role (docs/product.md, "Document socket"): comment only, enforced on the document.
 * A reviewer's forbidden change is reverted in the same turn — on every replica, the sender's
 * included, and on disk — while their allowed changes in the same update survive; the sender's
 * live sessions hear `forbidden` with the path; nothing is derived from the reverted part.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { runAdmin } from '../server/admin/commands.ts'
import { YMessage } from '../shared/protocol/y-messages.ts'
import {
  addComment,
  addMedia,
  board,
  createAnnotation,
  createTask,
  createThread,
  findComment,
  setThreadResolved,
  setVerdict,
  toggleReaction,
  updateTask,
} from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, synced, tempDir, type TestServer } from './harness.ts'
import { adminConfig } from './admin-cli.ts'
import { liveClient, type LiveClient } from './live-client.ts'
import { storedRows } from './stored-rows.ts'
import { awarenessMessage, deleteOnly, syncUpdate } from './wire.ts'

afterEach(cleanup)

const pin = (x: number) => ({ type: 'pin' as const, x, y: x })

async function crew(dataDir?: string) {
  const t = await authServer(dataDir)
  const owner = await setupOwner(t)
  const boardId = await createBoard(t, owner.token, owner.workspaceId, 'dailies')
  const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
  const rev = await invite(t, owner.token, owner.workspaceId, 'reviewer', 'rev')
  return { t, owner, ed, rev, boardId }
}

/** Ed's board: a task, a media item, his annotation, and a thread with his comment. */
function seed(doc: Y.Doc, edId: string) {
  doc.transact(() => {
    createTask(doc, { id: 't1', title: 'Grade shot 12', order: 'a0', createdBy: edId })
    addMedia(doc, {
      id: 'm1',
      kind: 'image',
      hash: 'a'.repeat(64),
      name: 'shot12.png',
      bytes: 10,
      addedBy: edId,
    })
    createAnnotation(doc, {
      id: 'a-ed',
      mediaId: 'm1',
      shape: pin(0.1),
      color: '#f00',
      authorId: edId,
    })
    createThread(doc, { id: 'th1', anchor: { type: 'media', id: 'm1' }, createdBy: edId })
    addComment(doc, 'th1', { id: 'c-ed', authorId: edId, body: 'Too dark?' })
  })
}

/** What the tests look at on a replica. */
function view(doc: Y.Doc) {
  const b = board(doc)
  const comments = b.threads.get('th1')?.get('comments')?.toArray() ?? []
  return {
    title: b.meta.get('title'),
    tasks: [...b.tasks.keys()].sort(),
    task: {
      title: b.tasks.get('t1')?.get('title'),
      status: b.tasks.get('t1')?.get('status'),
      assigneeId: b.tasks.get('t1')?.get('assigneeId') ?? null,
    },
    media: [...b.media.keys()].sort(),
    annotations: Object.fromEntries(
      [...b.annotations.entries()].map(([id, a]) => [id, a.get('shape')]),
    ),
    comments: comments.map((c) => [c.get('id'), c.get('authorId'), c.get('body')]),
    reactions: comments.map((c) => c.get('reactions')?.toJSON() ?? {}),
    resolved: b.threads.get('th1')?.get('resolved'),
    reviews: b.media.get('m1')?.get('reviews')?.toJSON() ?? {},
  }
}

async function live(t: TestServer, token: string): Promise<LiveClient> {
  const client = await liveClient(t, { token })
  await client.hello()
  return client
}

/** A reply on the same socket: everything the server sent before it has arrived. */
const barrier = (client: LiveClient) => client.request({ type: 'notifications.read', ids: [] })

const forbiddenPaths = (client: LiveClient) =>
  client.messages
    .filter((m) => m.type === 'error' && (m.error as { code: string }).code === 'forbidden')
    .map((m) => (m.error as { path: string }).path)

/** The board as stored: the snapshot and every update row after it, folded. */
async function fromDisk(t: TestServer, boardId: string): Promise<Y.Doc> {
  const rows = storedRows(t)
  const doc = new Y.Doc()
  const snapshot = await rows.get<{ state: Uint8Array }>(
    'SELECT state FROM doc_snapshots WHERE board_id = ?',
    boardId,
  )
  if (snapshot) Y.applyUpdate(doc, snapshot.state)
  const updates = await rows.all<{ data: Uint8Array }>(
    'SELECT data FROM doc_updates WHERE board_id = ? ORDER BY seq',
    boardId,
  )
  for (const row of updates) Y.applyUpdate(doc, row.data)
  return doc
}

describe('reviewers comment; the server reverts what the role does not allow', () => {
  it('reverts each forbidden change on every replica and tells the sender where; keeps each allowed one', async () => {
    const { t, ed, rev, boardId } = await crew()
    const edDoc = new Y.Doc()
    const revDoc = new Y.Doc()
    await Promise.all([
      synced(t.provider(boardId, edDoc, { token: ed.token })),
      synced(t.provider(boardId, revDoc, { token: rev.token })),
    ])
    seed(edDoc, ed.user.id)
    await eventually(() => expect(board(revDoc).threads.has('th1')).toBe(true))
    const clean = view(edDoc)
    const revLive = await live(t, rev.token)

    const forbidden: Array<[string, () => void]> = [
      ['tasks/t1/title', () => board(revDoc).tasks.get('t1')?.set('title', 'Hijacked')],
      [
        'tasks/t2',
        () => createTask(revDoc, { id: 't2', title: 'Mine', order: 'a1', createdBy: rev.user.id }),
      ],
      ['media/m1', () => board(revDoc).media.delete('m1')],
      [
        'threads/th1/comments/c-ed/body',
        () => findComment(revDoc, 'th1', 'c-ed').set('body', 'Ed agrees with me'),
      ],
      [
        'annotations/a-ed/shape',
        () => board(revDoc).annotations.get('a-ed')?.set('shape', pin(0.9)),
      ],
      ['meta/title', () => board(revDoc).meta.set('title', 'Renamed by a reviewer')],
    ]
    for (const [path, edit] of forbidden) {
      const told = revLive.messages.length
      edit()
      const error = await revLive.next((m) => m.type === 'error', told)
      expect(error.error).toMatchObject({ code: 'forbidden', path })
      // Every replica, the sender's included, ends clean.
      await eventually(() => {
        expect(view(revDoc)).toEqual(clean)
        expect(view(edDoc)).toEqual(clean)
      })
    }

    const told = revLive.messages.length
    const allowed: Array<() => void> = [
      () => addComment(revDoc, 'th1', { id: 'c-rev', authorId: rev.user.id, body: 'A bit' }),
      () => toggleReaction(revDoc, 'th1', 'c-ed', '👍', rev.user.id),
      () =>
        createAnnotation(revDoc, {
          id: 'a-rev',
          mediaId: 'm1',
          shape: pin(0.4),
          color: '#0f0',
          authorId: rev.user.id,
        }),
      () => board(revDoc).annotations.get('a-rev')?.set('shape', pin(0.5)),
      () => findComment(revDoc, 'th1', 'c-rev').set('body', 'A bit, yes'),
      () => setThreadResolved(revDoc, 'th1', true),
      () => setVerdict(revDoc, 'm1', rev.user.id, 'changes_requested'),
    ]
    for (const edit of allowed) edit()
    await eventually(() =>
      expect(view(edDoc)).toEqual({
        ...clean,
        annotations: { ...clean.annotations, 'a-rev': pin(0.5) },
        comments: [...clean.comments, ['c-rev', rev.user.id, 'A bit, yes']],
        reactions: [{ '👍': { [rev.user.id]: true } }, {}],
        resolved: true,
        reviews: { [rev.user.id]: expect.objectContaining({ verdict: 'changes_requested' }) },
      }),
    )
    await barrier(revLive)
    expect(forbiddenPaths(revLive).length).toBe(forbidden.length)
    expect(revLive.messages.slice(told).filter((m) => m.type === 'error')).toEqual([])
  })

  it('splits a mixed update: the allowed part stays and derives its events; the forbidden part is gone everywhere, on disk and after a restart', async () => {
    const dataDir = tempDir()
    const { t, owner, ed, rev, boardId } = await crew(dataDir)
    const stream = `board:${boardId}`
    const edDoc = new Y.Doc()
    const revDoc = new Y.Doc()
    await Promise.all([
      synced(t.provider(boardId, edDoc, { token: ed.token })),
      synced(t.provider(boardId, revDoc, { token: rev.token })),
    ])
    seed(edDoc, ed.user.id)
    await eventually(() => expect(board(revDoc).threads.has('th1')).toBe(true))
    const clean = view(edDoc)
    const watcher = await live(t, owner.token)
    const subscribed = await watcher.request({ type: 'subscribe', stream })
    const baseline = (subscribed.result as { lastSeq: number }).lastSeq
    const edLive = await live(t, ed.token)
    const revLive = await live(t, rev.token)

    revDoc.transact(() => {
      // Forbidden: each would derive events or notify Ed.
      updateTask(revDoc, 't1', { status: 'done', assigneeId: ed.user.id })
      findComment(revDoc, 'th1', 'c-ed').set('mentions', [ed.user.id])
      board(revDoc).annotations.get('a-ed')?.set('shape', pin(0.9))
      board(revDoc).meta.set('title', 'Mine now')
      // Allowed.
      addComment(revDoc, 'th1', {
        id: 'c-rev',
        authorId: rev.user.id,
        body: '@ed too dark indeed',
        mentions: [ed.user.id],
      })
      toggleReaction(revDoc, 'th1', 'c-ed', '👍', rev.user.id)
      createAnnotation(revDoc, {
        id: 'a-rev',
        mediaId: 'm1',
        shape: pin(0.4),
        color: '#0f0',
        authorId: rev.user.id,
      })
      setThreadResolved(revDoc, 'th1', true)
      setVerdict(revDoc, 'm1', rev.user.id, 'approved')
    })

    const expected = {
      ...clean,
      annotations: { ...clean.annotations, 'a-rev': pin(0.4) },
      comments: [...clean.comments, ['c-rev', rev.user.id, '@ed too dark indeed']],
      reactions: [{ '👍': { [rev.user.id]: true } }, {}],
      resolved: true,
      reviews: { [rev.user.id]: expect.objectContaining({ version: 1, verdict: 'approved' }) },
    }
    const third = new Y.Doc()
    await synced(t.provider(boardId, third, { token: owner.token }))
    await eventually(() => {
      for (const doc of [edDoc, revDoc, third]) expect(view(doc)).toEqual(expected)
    })
    await eventually(() =>
      expect(forbiddenPaths(revLive).sort()).toEqual([
        'annotations/a-ed/shape',
        'meta/title',
        'tasks/t1/assigneeId',
        'tasks/t1/status',
        'tasks/t1/updatedAt',
        'threads/th1/comments/c-ed/mentions',
      ]),
    )

    // Events and notifications from the allowed part only.
    const about = (e: { type: string; data: Record<string, unknown> }) =>
      `${e.type} ${String(e.data.commentId ?? e.data.annotationId ?? e.data.threadId ?? e.data.mediaId ?? e.data.taskId)}`
    const allowedEvents = [
      'annotation.created a-rev',
      'comment.created c-rev',
      'review.verdict m1',
      'thread.resolved th1',
    ]
    await eventually(() =>
      expect(
        watcher
          .events(stream)
          .map((e) => about(e.event))
          .sort(),
      ).toEqual(allowedEvents),
    )
    await Promise.all([barrier(watcher), barrier(edLive)])
    const log = await t.api<{
      events: Array<{ event: { type: string; data: Record<string, unknown> } }>
    }>(`/api/events?stream=${stream}&after=${baseline}`, { token: owner.token })
    expect(log.body.events.map((e) => about(e.event)).sort()).toEqual(allowedEvents)
    const inbox = await t.api<{ notifications: Array<{ type: string }> }>('/api/notifications', {
      token: ed.token,
    })
    expect(inbox.body.notifications.map((n) => n.type).sort()).toEqual(['mention', 'review'])

    // On disk: the stored update and its revert, folded, are the clean result.
    await eventually(async () => expect(view(await fromDisk(t, boardId))).toEqual(expected))
    await t.close()
    const again = await authServer(dataDir)
    const reloaded = new Y.Doc()
    await synced(again.provider(boardId, reloaded, { token: owner.token }))
    expect(view(reloaded)).toEqual(expected)
  })

  it('the admin CLI makes reviewer invites too', async () => {
    const dataDir = tempDir()
    const { t, owner } = await crew(dataDir)
    const out: string[] = []
    const config = adminConfig(t, { publicUrl: 'https://loupe.home' })
    await runAdmin(['invite', owner.workspaceId, 'reviewer'], { config, print: (l) => out.push(l) })
    const code = (out.find((l) => l.includes('/invite/')) as string).split('/').at(-1) as string
    const accepted = await t.api(`/api/invites/${code}/accept`, {
      method: 'POST',
      json: { name: 'rhea', password: 'rhea-password' },
    })
    expect(accepted.status).toBe(200)
    const members = await t.api<{ members: Array<{ name: string; role: string }> }>(
      `/api/workspaces/${owner.workspaceId}/members`,
      { token: owner.token },
    )
    expect(members.body.members.find((m) => m.name === 'rhea')?.role).toBe('reviewer')
  })

  it('a member changed to reviewer is guarded at once; reviewers cannot lock', async () => {
    const { t, owner, ed, rev, boardId } = await crew()
    const edDoc = new Y.Doc()
    const ownerDoc = new Y.Doc()
    await Promise.all([
      synced(t.provider(boardId, edDoc, { token: ed.token })),
      synced(t.provider(boardId, ownerDoc, { token: owner.token })),
    ])
    seed(edDoc, ed.user.id)
    await eventually(() => expect(board(ownerDoc).tasks.has('t1')).toBe(true))
    const changed = await t.api(`/api/workspaces/${owner.workspaceId}/members/${ed.user.id}`, {
      method: 'PATCH',
      token: owner.token,
      json: { role: 'reviewer' },
    })
    expect(changed.status).toBe(200)
    const edLive = await live(t, ed.token)
    board(edDoc).tasks.get('t1')?.set('title', 'Still mine?')
    const error = await edLive.next((m) => m.type === 'error')
    expect(error.error).toMatchObject({ code: 'forbidden', path: 'tasks/t1/title' })
    await eventually(() => expect(board(edDoc).tasks.get('t1')?.get('title')).toBe('Grade shot 12'))

    const key = `${boardId}/annotation/a-ed`
    const http = await t.api<{ error: { code: string } }>('/api/locks/acquire', {
      method: 'POST',
      token: rev.token,
      json: { key },
    })
    expect(http.status).toBe(403)
    expect(http.body.error.code).toBe('forbidden')
    const revLive = await live(t, rev.token)
    const socket = await revLive.request({ type: 'lock.acquire', key })
    expect(socket).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    // They still see the board's locks.
    const list = await t.api(`/api/locks?board=${boardId}`, { token: rev.token })
    expect(list.status).toBe(200)
  })

  it('a reviewer cannot leave changes pending for someone else’s later update to carry past the guard', async () => {
    const { t, ed, rev, boardId } = await crew()
    const edDoc = new Y.Doc()
    await synced(t.provider(boardId, edDoc, { token: ed.token }))
    seed(edDoc, ed.user.id)
    const ws = await t.raw(boardId, `?token=${rev.token}`)
    const received: Uint8Array[] = []
    ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
    // Deletes of Ed's next structs, which the server does not have yet: Yjs would keep them
    // pending and apply them inside Ed's next transaction, where no reviewer guard runs.
    const next = Y.getState(edDoc.store, edDoc.clientID)
    ws.send(syncUpdate(deleteOnly(edDoc.clientID, next, 1000)))
    // This socket's messages are handled in order: once its own presence is answered to a
    // query, the update before it has been applied.
    ws.send(awarenessMessage(424242, 1, { status: 'active' }))
    const from = received.length
    ws.send(Uint8Array.of(YMessage.queryAwareness))
    await eventually(() =>
      expect(received.slice(from).some((m) => m[0] === YMessage.awareness)).toBe(true),
    )
    createTask(edDoc, { id: 't2', title: 'Second pass', order: 'a1', createdBy: ed.user.id })
    const third = new Y.Doc()
    await eventually(async () => {
      await synced(t.provider(boardId, third, { token: ed.token }))
      expect(board(third).tasks.get('t2')?.get('title')).toBe('Second pass')
    })
    expect(board(edDoc).tasks.get('t2')?.get('title')).toBe('Second pass')
  })
})

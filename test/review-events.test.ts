/**
 * What the server derives from reviews and deletes (docs/product.md, "Notifications and
 * activity"): a verdict is a `review.verdict` event, an audit row and a `review` notification to
 * whoever added the version reviewed (not when the verdict is their own); deleting a task, an
 * annotation, a thread or a media item is an event naming what went.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addComment,
  addMedia,
  addMediaVersion,
  board,
  createAnnotation,
  createTask,
  createThread,
  setVerdict,
} from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, synced } from './harness.ts'
import { liveClient } from './live-client.ts'

afterEach(cleanup)

interface Logged {
  event: { type: string; actor: { id: string }; data: Record<string, unknown> }
}

async function crew() {
  const t = await authServer()
  const owner = await setupOwner(t)
  const boardId = await createBoard(t, owner.token, owner.workspaceId, 'reels')
  const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
  const rev = await invite(t, owner.token, owner.workspaceId, 'reviewer', 'rev')
  const events = async (after: number) =>
    (
      await t.api<{ events: Logged[] }>(`/api/events?stream=board:${boardId}&after=${after}`, {
        token: owner.token,
      })
    ).body.events.map((e) => e.event)
  const lastSeq = async () =>
    (
      await t.api<{ lastSeq: number }>(`/api/events?stream=board:${boardId}`, {
        token: owner.token,
      })
    ).body.lastSeq
  return { t, owner, ed, rev, boardId, events, lastSeq }
}

describe('verdicts', () => {
  it('notify whoever added the version reviewed, unless it is their own verdict; each is an event and an audit row', async () => {
    const { t, owner, ed, rev, boardId, events, lastSeq } = await crew()
    const docs = { ed: new Y.Doc(), owner: new Y.Doc(), rev: new Y.Doc() }
    await Promise.all([
      synced(t.provider(boardId, docs.ed, { token: ed.token })),
      synced(t.provider(boardId, docs.owner, { token: owner.token })),
      synced(t.provider(boardId, docs.rev, { token: rev.token })),
    ])
    const hash = (c: string) => c.repeat(64)
    addMedia(docs.ed, {
      id: 'm1',
      kind: 'video',
      hash: hash('a'),
      name: 'cut.mp4',
      bytes: 100,
      addedBy: ed.user.id,
    })
    await eventually(() => expect(board(docs.owner).media.has('m1')).toBe(true))
    addMediaVersion(docs.owner, 'm1', {
      hash: hash('b'),
      name: 'cut-v2.mp4',
      bytes: 120,
      addedBy: owner.user.id,
    })
    await eventually(() => expect(board(docs.rev).media.get('m1')?.get('versions')?.length).toBe(2))
    const edLive = await liveClient(t, { token: ed.token })
    await edLive.hello()
    const before = await lastSeq()

    setVerdict(docs.rev, 'm1', rev.user.id, 'changes_requested', { version: 1 })
    await edLive.next((m) => m.type === 'notification')
    setVerdict(docs.rev, 'm1', rev.user.id, 'approved')
    // Different sockets: wait for Rev's second verdict before Ed gives his, so the order is known.
    await eventually(async () => expect(await events(before)).toHaveLength(2))
    setVerdict(docs.ed, 'm1', ed.user.id, 'approved', { version: 1 })

    await eventually(async () =>
      expect((await events(before)).map((e) => [e.actor.id, e.data])).toEqual([
        [
          rev.user.id,
          {
            mediaId: 'm1',
            name: 'cut-v2.mp4',
            userId: rev.user.id,
            version: 1,
            verdict: 'changes_requested',
            previous: null,
          },
        ],
        [
          rev.user.id,
          {
            mediaId: 'm1',
            name: 'cut-v2.mp4',
            userId: rev.user.id,
            version: 2,
            verdict: 'approved',
            previous: 'changes_requested',
          },
        ],
        [
          ed.user.id,
          {
            mediaId: 'm1',
            name: 'cut-v2.mp4',
            userId: ed.user.id,
            version: 1,
            verdict: 'approved',
            previous: null,
          },
        ],
      ]),
    )
    // Ed added version 1: he hears of Rev's verdict on it, not of his own. Olive added version 2.
    const inbox = async (token: string) =>
      (
        await t.api<{
          notifications: Array<{ type: string; actor: { id: string }; data: unknown }>
        }>('/api/notifications', { token })
      ).body.notifications.map((n) => [n.type, n.actor.id, n.data])
    expect(await inbox(ed.token)).toEqual([
      [
        'review',
        rev.user.id,
        {
          mediaId: 'm1',
          name: 'cut-v2.mp4',
          userId: rev.user.id,
          version: 1,
          verdict: 'changes_requested',
        },
      ],
    ])
    expect(await inbox(owner.token)).toEqual([
      [
        'review',
        rev.user.id,
        { mediaId: 'm1', name: 'cut-v2.mp4', userId: rev.user.id, version: 2, verdict: 'approved' },
      ],
    ])
    const audit = await t.api<{ entries: Array<{ action: string; actor: { id: string } }> }>(
      `/api/audit?workspace=${owner.workspaceId}`,
      { token: owner.token },
    )
    expect(
      audit.body.entries.filter((e) => e.action === 'review.verdict').map((e) => e.actor.id),
    ).toEqual([rev.user.id, rev.user.id, ed.user.id])
  })
})

describe('deletes leave a trace', () => {
  it('names the task, annotation, thread and media item that went', async () => {
    const { t, ed, boardId, events, lastSeq } = await crew()
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: ed.token }))
    doc.transact(() => {
      createTask(doc, { id: 't1', title: 'Grade shot 12', order: 'a0', createdBy: ed.user.id })
      addMedia(doc, {
        id: 'm1',
        kind: 'image',
        hash: 'c'.repeat(64),
        name: 'still.png',
        bytes: 5,
        addedBy: ed.user.id,
      })
      createAnnotation(doc, {
        id: 'a1',
        mediaId: 'm1',
        shape: { type: 'rect', x: 0, y: 0, w: 0.5, h: 0.5 },
        color: '#f00',
        authorId: ed.user.id,
      })
      createThread(doc, {
        id: 'th1',
        anchor: { type: 'annotation', id: 'a1' },
        createdBy: ed.user.id,
      })
      addComment(doc, 'th1', { id: 'c1', authorId: ed.user.id, body: 'Sky is clipping' })
      addComment(doc, 'th1', { id: 'c2', authorId: ed.user.id, body: 'Fixed' })
    })
    await eventually(async () => expect(await lastSeq()).toBeGreaterThan(0))
    const before = await lastSeq()
    const b = board(doc)
    b.tasks.delete('t1')
    b.annotations.delete('a1')
    b.threads.delete('th1')
    b.media.delete('m1')
    await eventually(async () =>
      expect((await events(before)).map((e) => [e.type, e.data])).toEqual([
        ['task.deleted', { taskId: 't1', title: 'Grade shot 12' }],
        ['annotation.deleted', { annotationId: 'a1', mediaId: 'm1', shape: 'rect' }],
        ['thread.deleted', { threadId: 'th1', comments: 2, excerpt: 'Sky is clipping' }],
        ['media.deleted', { mediaId: 'm1', name: 'still.png' }],
      ]),
    )
  })
})

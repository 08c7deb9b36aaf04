/**
 * The reviewer role enforced on real Yjs updates: each struct located (doc-changes.ts), refused
 * by the rules (role-guard.ts) and reverted (revert.ts), beside the lock guard.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
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
} from '../../shared/schema/board.ts'
import { applyGuarded, type Guards } from './edit-guard.ts'

const pin = (x: number) => ({ type: 'pin' as const, x, y: x })

/** A board made by Ed (an editor), and Rev's (a reviewer's) copy of it. */
function pair() {
  const server = new Y.Doc()
  createTask(server, { id: 't1', title: 'Cut', order: 'a0', createdBy: 'ed' })
  addMedia(server, { id: 'm1', kind: 'image', hash: 'h1', name: 'a.png', bytes: 1, addedBy: 'ed' })
  createAnnotation(server, {
    id: 'a-ed',
    mediaId: 'm1',
    shape: pin(0.1),
    color: 'red',
    authorId: 'ed',
  })
  createAnnotation(server, {
    id: 'a-rev',
    mediaId: 'm1',
    shape: pin(0.2),
    color: 'red',
    authorId: 'rev',
  })
  createThread(server, { id: 'th1', anchor: { type: 'media', id: 'm1' }, createdBy: 'ed' })
  addComment(server, 'th1', { id: 'c-ed', authorId: 'ed', body: 'Too dark?' })
  addComment(server, 'th1', { id: 'c-rev', authorId: 'rev', body: 'A bit' })
  const client = new Y.Doc()
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
  return { server, client }
}

/** Applies `edit`, made on Rev's copy, to the server as Rev's connection would. */
function asReviewer(server: Y.Doc, client: Y.Doc, edit: () => void, guards: Partial<Guards> = {}) {
  const before = Y.encodeStateVector(client)
  client.transact(edit)
  const update = Y.encodeStateAsUpdate(client, before)
  const origin = { peer: 'rev' }
  return applyGuarded(server, origin, { locked: null, reviewer: 'rev', ...guards }, () =>
    Y.applyUpdate(server, update, origin),
  )
}

describe('a reviewer’s update is split: allowed part kept, forbidden part reverted', () => {
  it('keeps comments, reactions, resolving, own annotations and verdicts; reverts the rest', () => {
    const { server, client } = pair()
    const b = board(client)
    const refused = asReviewer(server, client, () => {
      updateTask(client, 't1', { title: 'Hijacked' })
      createTask(client, { id: 't2', title: 'Mine', order: 'a1', createdBy: 'rev' })
      b.meta.set('title', 'Renamed')
      findComment(client, 'th1', 'c-ed').set('body', 'rewritten')
      b.annotations.get('a-ed')?.set('shape', pin(0.9))
      addComment(client, 'th1', { id: 'c2', authorId: 'rev', body: 'Fixed in v2?' })
      toggleReaction(client, 'th1', 'c-ed', '👍', 'rev')
      findComment(client, 'th1', 'c-rev').set('body', 'A bit, yes')
      setThreadResolved(client, 'th1', true)
      b.annotations.get('a-rev')?.set('shape', pin(0.3))
      createAnnotation(client, {
        id: 'a2',
        mediaId: 'm1',
        shape: pin(0.4),
        color: 'blue',
        authorId: 'rev',
      })
      setVerdict(client, 'm1', 'rev', 'changes_requested')
    })
    expect(refused.forbidden).toEqual([
      'annotations/a-ed/shape',
      'meta/title',
      'tasks/t1/title',
      'tasks/t1/updatedAt',
      'tasks/t2',
      'threads/th1/comments/c-ed/body',
    ])
    const s = board(server)
    expect(s.tasks.get('t1')?.get('title')).toBe('Cut')
    expect(s.tasks.has('t2')).toBe(false)
    expect(s.meta.get('title')).toBeUndefined()
    expect(findComment(server, 'th1', 'c-ed').get('body')).toBe('Too dark?')
    expect(s.annotations.get('a-ed')?.get('shape')).toEqual(pin(0.1))
    expect(findComment(server, 'th1', 'c2').get('body')).toBe('Fixed in v2?')
    expect(findComment(server, 'th1', 'c-ed').get('reactions')?.toJSON()).toEqual({
      '👍': { rev: true },
    })
    expect(findComment(server, 'th1', 'c-rev').get('body')).toBe('A bit, yes')
    expect(s.threads.get('th1')?.get('resolved')).toBe(true)
    expect(s.annotations.get('a-rev')?.get('shape')).toEqual(pin(0.3))
    expect(s.annotations.get('a2')?.get('authorId')).toBe('rev')
    expect(s.media.get('m1')?.get('reviews')?.get('rev')).toMatchObject({
      verdict: 'changes_requested',
    })
  })

  it('restores a deleted thread whole, with what the reviewer had in it', () => {
    const { server, client } = pair()
    asReviewer(server, client, () => toggleReaction(client, 'th1', 'c-ed', '🎯', 'rev'))
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
    const refused = asReviewer(server, client, () => board(client).threads.delete('th1'))
    expect(refused.forbidden).toEqual(['threads/th1'])
    const thread = board(server).threads.get('th1')
    expect(thread?.get('createdBy')).toBe('ed')
    expect(thread?.get('resolved')).toBe(false)
    expect(
      thread
        ?.get('comments')
        ?.toArray()
        .map((c) => c.get('body')),
    ).toEqual(['Too dark?', 'A bit'])
    expect(findComment(server, 'th1', 'c-ed').get('reactions')?.toJSON()).toEqual({
      '🎯': { rev: true },
    })
  })

  it('refuses things made in someone else’s name, and replacing what is not theirs', () => {
    const { server, client } = pair()
    const refused = asReviewer(server, client, () => {
      createThread(client, { id: 'th2', anchor: { type: 'board', id: 'b' }, createdBy: 'ed' })
      addComment(client, 'th1', { id: 'c3', authorId: 'ed', body: 'I approve (not)' })
      createAnnotation(client, {
        id: 'a-ed',
        mediaId: 'm1',
        shape: pin(0.5),
        color: 'x',
        authorId: 'rev',
      })
      board(client).threads.get('th1')?.get('comments')?.delete(1, 1)
    })
    expect(refused.forbidden).toEqual([
      'annotations/a-ed',
      'threads/th1/comments/c-rev',
      'threads/th1/comments/c3',
      'threads/th2',
    ])
    const s = board(server)
    expect(s.threads.has('th2')).toBe(false)
    expect(s.annotations.get('a-ed')?.get('authorId')).toBe('ed')
    expect(s.annotations.get('a-ed')?.get('shape')).toEqual(pin(0.1))
    expect(
      s.threads
        .get('th1')
        ?.get('comments')
        ?.toArray()
        .map((c) => c.get('id')),
    ).toEqual(['c-ed', 'c-rev'])
  })

  it('lets a reviewer delete their own annotation and start reviews on an old item', () => {
    const { server, client } = pair()
    // An item from before versions and reviews existed.
    server.transact(() => {
      const old = new Y.Map<unknown>()
      board(server).media.set('m-old', old as never)
      for (const [k, v] of Object.entries({
        id: 'm-old',
        hash: 'h0',
        name: 'old.png',
        addedBy: 'ed',
      }))
        old.set(k, v)
    })
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
    const refused = asReviewer(server, client, () => {
      board(client).annotations.delete('a-rev')
      setVerdict(client, 'm-old', 'rev', 'approved')
    })
    expect(refused.forbidden).toEqual([])
    expect(board(server).annotations.has('a-rev')).toBe(false)
    expect(board(server).media.get('m-old')?.get('reviews')?.get('rev')).toMatchObject({
      version: 1,
      verdict: 'approved',
    })
  })

  it('links a thread started on someone else’s annotation, once', () => {
    const { server, client } = pair()
    const start = (id: string) => {
      createThread(client, { id, anchor: { type: 'annotation', id: 'a-ed' }, createdBy: 'rev' })
      addComment(client, id, { id: `${id}-c`, authorId: 'rev', body: 'Why here?' })
      board(client).annotations.get('a-ed')?.set('threadId', id)
    }
    expect(asReviewer(server, client, () => start('th2')).forbidden).toEqual([])
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
    expect(asReviewer(server, client, () => start('th3')).forbidden).toEqual([
      'annotations/a-ed/threadId',
    ])
    expect(board(server).annotations.get('a-ed')?.get('threadId')).toBe('th2')
    expect(board(server).threads.has('th3')).toBe(true)
  })

  it('takes back a malformed verdict whole: the one it overwrote stays', () => {
    const { server, client } = pair()
    asReviewer(server, client, () => setVerdict(client, 'm1', 'rev', 'approved', { at: 5 }))
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
    const refused = asReviewer(server, client, () =>
      board(client)
        .media.get('m1')
        ?.get('reviews')
        ?.set('rev', { verdict: 'meh' } as never),
    )
    expect(refused.forbidden).toEqual(['media/m1/reviews/rev'])
    expect(board(server).media.get('m1')?.get('reviews')?.get('rev')).toEqual({
      version: 1,
      verdict: 'approved',
      at: 5,
    })
  })

  it('lets what it deleted and restored be garbage-collected afterwards', () => {
    const { server, client } = pair()
    asReviewer(server, client, () => {
      findComment(client, 'th1', 'c-rev').set('body', 'A bit, yes')
      board(client).tasks.get('t1')?.set('title', 'Hijacked')
    })
    const gone = (item: Y.Item | null | undefined) => item?.content.constructor.name
    // The body it overwrote, the title it wrote and the title's original (restored as a copy).
    const body = findComment(server, 'th1', 'c-rev')._map.get('body')
    const title = board(server).tasks.get('t1')?._map.get('title')
    expect(body?.content.getContent()).toEqual(['A bit, yes'])
    expect(gone(body?.left)).toBe('ContentDeleted')
    expect(title?.content.getContent()).toEqual(['Cut'])
    expect(gone(title?.left)).toBe('ContentDeleted')
    expect(gone(title?.left?.left)).toBe('ContentDeleted')
  })

  it('composes with the lock guard in one pass', () => {
    const { server, client } = pair()
    const refused = asReviewer(
      server,
      client,
      () => {
        board(client).annotations.get('a-rev')?.set('color', 'green')
        updateTask(client, 't1', { status: 'done' })
        addComment(client, 'th1', { id: 'c4', authorId: 'rev', body: 'ok' })
      },
      { locked: new Map([['annotation/a-rev', { id: 'ed', name: 'Ed' }]]) },
    )
    expect([...refused.locked.keys()]).toEqual(['annotation/a-rev'])
    expect(refused.forbidden).toEqual(['tasks/t1/status', 'tasks/t1/updatedAt'])
    expect(board(server).annotations.get('a-rev')?.get('color')).toBe('red')
    expect(board(server).tasks.get('t1')?.get('status')).toBe('todo')
    expect(findComment(server, 'th1', 'c4').get('body')).toBe('ok')
  })
})

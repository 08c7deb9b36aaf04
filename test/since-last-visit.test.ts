/**
 * "Since your last visit" (docs/product.md, "History"): a visit ends when the user's last
 * document socket to the board closes; what others added and changed after that is listed.
 * The caller's own writing does not count, except in home mode (everyone is the local owner).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import type { SinceLastVisitResponse } from '../shared/api.ts'
import {
  addComment,
  board,
  createTask,
  createThread,
  toggleReaction,
  updateTask,
} from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, startTestServer, synced, type TestServer } from './harness.ts'

afterEach(cleanup)

const task = (id: string, title: string, description = '') => ({
  id,
  title,
  description,
  order: `a${id}`,
  createdBy: 'x',
})

async function sinceLastVisit(t: TestServer, boardId: string, token?: string) {
  const answer = await t.api<SinceLastVisitResponse>(`/api/boards/${boardId}/since-last-visit`, {
    ...(token ? { token } : {}),
  })
  expect(answer.status).toBe(200)
  return answer.body
}

/** Connects, lets `edit` change the board, and waits until the server has committed it. */
async function visit(
  t: TestServer,
  boardId: string,
  edit: (doc: Y.Doc) => void,
  token?: string,
): Promise<WebsocketProvider> {
  const doc = new Y.Doc()
  const provider = t.provider(boardId, doc, token ? { token } : {})
  await synced(provider)
  edit(doc)
  await eventually(async () => {
    const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, {
      ...(token ? { token } : {}),
    })
    const stored = new Y.Doc()
    Y.applyUpdate(stored, exported.body)
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(doc))
  })
  return provider
}

/** Closes the provider and waits until the server has recorded the end of the visit. */
async function leave(t: TestServer, boardId: string, provider: WebsocketProvider, token?: string) {
  const before = (await sinceLastVisit(t, boardId, token)).since
  provider.destroy()
  await eventually(async () => {
    const since = (await sinceLastVisit(t, boardId, token)).since
    expect(since).not.toBeNull()
    expect(since).not.toBe(before)
  })
}

describe('since your last visit', () => {
  it("lists what others added and changed after the caller's socket closed, not the caller's own", async () => {
    const t = await authServer()
    const olive = await setupOwner(t)
    const ed = await invite(t, olive.token, olive.workspaceId, 'editor', 'ed')
    const boardId = await createBoard(t, olive.token, olive.workspaceId, 'visits')
    expect(await sinceLastVisit(t, boardId, olive.token)).toEqual({
      added: [],
      changed: [],
      since: null,
    })

    const first = await visit(
      t,
      boardId,
      (doc) => {
        createTask(doc, task('t1', 'Olive wrote this'))
        createTask(doc, task('t2', 'And this', 'a long description'))
        createTask(doc, task('t3', 'Left alone'))
        createThread(doc, { id: 'th1', anchor: { type: 'board', id: boardId }, createdBy: 'o' })
        addComment(doc, 'th1', { id: 'c1', authorId: olive.user.id, body: 'first' })
      },
      olive.token,
    )
    await leave(t, boardId, first, olive.token)
    expect(await sinceLastVisit(t, boardId, olive.token)).toMatchObject({ added: [], changed: [] })

    // Meanwhile Ed works.
    const eds = await visit(
      t,
      boardId,
      (doc) => {
        createTask(doc, task('t4', 'Ed added this'))
        updateTask(doc, 't1', { title: 'Ed renamed it' })
        board(doc).tasks.get('t2')?.get('description')?.delete(0, 7)
        toggleReaction(doc, 'th1', 'c1', '👍', ed.user.id)
        createThread(doc, { id: 'th2', anchor: { type: 'task', id: 't4' }, createdBy: 'e' })
      },
      ed.token,
    )
    eds.destroy()

    const changes = await sinceLastVisit(t, boardId, olive.token)
    expect(changes.added).toEqual([
      { entityType: 'task', id: 't4' },
      { entityType: 'thread', id: 'th2' },
    ])
    expect(changes.changed).toEqual([
      { entityType: 'task', id: 't1' },
      { entityType: 'task', id: 't2' },
      { entityType: 'thread', id: 'th1' },
    ])

    // Olive comes back: the list holds until her visit ends, and her own writing is not in it.
    const second = await visit(
      t,
      boardId,
      (doc) => {
        createTask(doc, task('t5', 'Olive again'))
        updateTask(doc, 't3', { title: 'Olive touched it' })
      },
      olive.token,
    )
    expect(await sinceLastVisit(t, boardId, olive.token)).toMatchObject({
      added: changes.added,
      changed: changes.changed,
    })
    // Ed's view: everything Olive did after Ed's visit ended.
    await eventually(async () =>
      expect(await sinceLastVisit(t, boardId, ed.token)).toMatchObject({
        added: [{ entityType: 'task', id: 't5' }],
        changed: [{ entityType: 'task', id: 't3' }],
      }),
    )
    await leave(t, boardId, second, olive.token)
    expect(await sinceLastVisit(t, boardId, olive.token)).toMatchObject({ added: [], changed: [] })
  })

  it('works the same in home mode, where every change counts (everyone is the local owner)', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard('Home')
    const first = await visit(t, boardId, (doc) => createTask(doc, task('t1', 'Before')))
    await leave(t, boardId, first)
    const second = await visit(t, boardId, (doc) => {
      createTask(doc, task('t2', 'After'))
      updateTask(doc, 't1', { status: 'done' })
    })
    expect(await sinceLastVisit(t, boardId)).toMatchObject({
      added: [{ entityType: 'task', id: 't2' }],
      changed: [{ entityType: 'task', id: 't1' }],
    })
    await leave(t, boardId, second)
    expect(await sinceLastVisit(t, boardId)).toMatchObject({ added: [], changed: [] })
  })
})

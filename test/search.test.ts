/**
 * Search (docs/product.md, "Search"): committed text, kept current as boards change, only of
 * boards the caller may read, with whatever the user types taken as words, never as syntax.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { SearchResponse, SearchResult } from '../shared/api.ts'
import {
  addComment,
  addMedia,
  board,
  createTask,
  createThread,
  findComment,
  updateTask,
} from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import type { Db } from '../server/db/open.ts'
import { GatedStore } from './gated-store.ts'
import { storedRows } from './stored-rows.ts'
import {
  cleanup,
  eventually,
  startTestServer,
  synced,
  tempDir,
  type TestServer,
} from './harness.ts'

afterEach(cleanup)

async function search(t: TestServer, params: Record<string, string>, token?: string) {
  const query = new URLSearchParams(params).toString()
  return t.api<SearchResponse & { error?: { message: string } }>(`/api/search?${query}`, {
    ...(token ? { token } : {}),
  })
}

/** The entities a search finds, as `<boardId>/<entityType>/<entityId>/<field>`. */
async function found(t: TestServer, params: Record<string, string>, token?: string) {
  const answer = await search(t, params, token)
  expect(answer.status).toBe(200)
  return answer.body.results.map((r) => `${r.boardId}/${r.entityType}/${r.entityId}/${r.field}`)
}

async function workspaceOf(t: TestServer, boardId: string): Promise<string> {
  const got = await t.api<{ board: { workspaceId: string } }>(`/api/boards/${boardId}`)
  return got.body.board.workspaceId
}

describe('search', () => {
  it('finds committed text and follows edits, soft deletes and deletions', async () => {
    const t = await startTestServer()
    const b = await t.createBoard('Alpha review', 'alpha')
    const ws = await workspaceOf(t, b)
    const doc = new Y.Doc()
    await synced(t.provider(b, doc))
    createTask(doc, {
      id: 't1',
      title: 'Fix the zebra crossing',
      description: 'paint fresh stripes',
      order: 'a0',
      createdBy: 'local',
    })
    createThread(doc, { id: 'th', anchor: { type: 'task', id: 't1' }, createdBy: 'local' })
    addComment(doc, 'th', { id: 'c1', authorId: 'local', body: 'Needs more marmalade' })
    addMedia(doc, {
      id: 'm1',
      kind: 'image',
      hash: 'h',
      name: 'sunset-over-harbour.png',
      bytes: 1,
      addedBy: 'local',
    })
    const q = (text: string) => found(t, { q: text, workspace: ws })
    await eventually(async () => {
      expect(await q('zebra')).toEqual(['alpha/task/t1/title'])
      expect(await q('stripes')).toEqual(['alpha/task/t1/description'])
      expect(await q('marmalade')).toEqual(['alpha/thread/th/comment:c1'])
      expect(await q('harbour')).toEqual(['alpha/media/m1/name'])
      expect(await q('alpha')).toEqual(['alpha/board/alpha/title'])
    })
    // Words match as prefixes and together; the snippet says where.
    const answer = await search(t, { q: 'zeb cross', workspace: ws })
    const hit = answer.body.results[0] as SearchResult
    expect(hit.snippet).toBe('Fix the zebra crossing')
    expect(hit.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual(['zebra', 'crossing'])

    updateTask(doc, 't1', { title: 'Fix the giraffe crossing' })
    // Soft deletion is the flag (a client may leave the body in place).
    findComment(doc, 'th', 'c1').set('deleted', true)
    await eventually(async () => {
      expect(await q('zebra')).toEqual([])
      expect(await q('giraffe')).toEqual(['alpha/task/t1/title'])
      expect(await q('marmalade')).toEqual([])
    })
    board(doc).tasks.delete('t1')
    await eventually(async () => expect(await q('giraffe')).toEqual([]))
    expect(await q('harbour')).toEqual(['alpha/media/m1/name'])
  })

  it('indexes only what is committed', async () => {
    let store: GatedStore | undefined
    const t = await startTestServer({ docStore: (db: Db) => (store = new GatedStore(db)) })
    const gated = store as GatedStore
    const b = await t.createBoard('Gated', 'gated')
    const ws = await workspaceOf(t, b)
    const doc = new Y.Doc()
    await synced(t.provider(b, doc))
    const appended = gated.appended
    createTask(doc, { id: 't1', title: 'committed wombat', order: 'a0', createdBy: 'local' })
    // Committed: its indexing is due shortly. Before it runs, another change waits to commit.
    await eventually(() => expect(gated.appended).toBe(appended + 1), 1000)
    const release = gated.hold()
    try {
      createTask(doc, { id: 't2', title: 'pending wombat', order: 'a1', createdBy: 'local' })
      await eventually(() => expect(gated.waiting).toBe(1))
      await eventually(() =>
        expect(t.logs.some((l) => l.msg === 'search indexing deferred: commits pending')).toBe(
          true,
        ),
      )
      expect(await found(t, { q: 'pending', workspace: ws })).toEqual([])
    } finally {
      release()
    }
    await eventually(async () =>
      expect((await found(t, { q: 'wombat', workspace: ws })).sort()).toEqual([
        'gated/task/t1/title',
        'gated/task/t2/title',
      ]),
    )
  })

  it('takes what is typed as words: FTS5 syntax is searched for, never a 500', async () => {
    const t = await startTestServer()
    const b = await t.createBoard('Syntax', 'syntax')
    const ws = await workspaceOf(t, b)
    const doc = new Y.Doc()
    await synced(t.provider(b, doc))
    createTask(doc, {
      id: 't1',
      title: 'title: NEAR the "quoted" OR-gate',
      order: 'a0',
      createdBy: 'local',
    })
    await eventually(async () =>
      expect(await found(t, { q: 'gate', workspace: ws })).toHaveLength(1),
    )
    for (const text of [
      '"quoted"',
      'NEAR',
      'title:',
      'OR',
      'near(the',
      '"quot',
      '"the quoted',
      'the OR gate',
    ])
      expect(await found(t, { q: text, workspace: ws }), text).toEqual(['syntax/task/t1/title'])
    for (const text of ['AND (', 'x"*^', 'NOT', '{title}: x', '-x', 'a OR b)'])
      expect((await search(t, { q: text, workspace: ws })).status, text).toBe(200)
    const nothing = await search(t, { q: '" * ( )', workspace: ws })
    expect(nothing.status).toBe(400)
    expect(nothing.body.error?.message).toMatch(/nothing to search for/)
    expect((await search(t, { workspace: ws })).status).toBe(400)
    expect((await search(t, { q: 'x' })).status).toBe(400)
  })

  it('never returns a board the caller cannot read', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Private' },
    })
    const privateWs = other.body.workspace.id
    const shared = await createBoard(t, owner.token, owner.workspaceId, 'shared')
    const hidden = await createBoard(t, owner.token, privateWs, 'hidden')
    const archived = await createBoard(t, owner.token, owner.workspaceId, 'archived')
    const vic = await invite(t, owner.token, owner.workspaceId, 'viewer', 'vic')
    for (const id of [shared, hidden, archived]) {
      const doc = new Y.Doc()
      await synced(t.provider(id, doc, { token: owner.token }))
      createTask(doc, { id: 't', title: `pineapple on ${id}`, order: 'a0', createdBy: 'o' })
    }
    const deleted = await t.api(`/api/boards/${archived}`, { method: 'DELETE', token: owner.token })
    expect(deleted.status).toBe(200)

    await eventually(async () =>
      expect(await found(t, { q: 'pineapple', workspace: privateWs }, owner.token)).toEqual([
        'hidden/task/t/title',
      ]),
    )
    await eventually(async () =>
      expect(await found(t, { q: 'pineapple', workspace: owner.workspaceId }, vic.token)).toEqual([
        'shared/task/t/title',
      ]),
    )
    // Another workspace, or one of its boards named directly: as if it did not exist.
    expect((await search(t, { q: 'pineapple', workspace: privateWs }, vic.token)).status).toBe(404)
    const direct = { q: 'pineapple', workspace: owner.workspaceId, board: hidden }
    expect((await search(t, direct, vic.token)).status).toBe(404)
    expect((await search(t, { ...direct, board: archived }, vic.token)).status).toBe(404)
    expect((await search(t, { q: 'pineapple', workspace: owner.workspaceId })).status).toBe(401)

    // A guest of a share link reaches one board: search sees that board only.
    const link = await t.api<{ link: { token: string } }>(`/api/boards/${shared}/links`, {
      method: 'POST',
      token: owner.token,
      json: { role: 'viewer' },
    })
    expect(link.status).toBe(201)
    const other2 = await createBoard(t, owner.token, owner.workspaceId, 'other')
    const doc = new Y.Doc()
    await synced(t.provider(other2, doc, { token: owner.token }))
    createTask(doc, { id: 't', title: 'pineapple elsewhere', order: 'a0', createdBy: 'o' })
    await eventually(async () =>
      expect(await found(t, { q: 'pineapple', workspace: owner.workspaceId }, vic.token)).toEqual(
        expect.arrayContaining(['other/task/t/title', 'shared/task/t/title']),
      ),
    )
    const guest = await t.api<{ accessToken: string }>(`/api/links/${link.body.link.token}/join`, {
      method: 'POST',
      json: { name: 'Gus' },
    })
    expect(guest.status).toBe(200)
    expect(
      await found(t, { q: 'pineapple', workspace: owner.workspaceId }, guest.body.accessToken),
    ).toEqual(['shared/task/t/title'])
    const guestOther = { q: 'pineapple', workspace: owner.workspaceId, board: other2 }
    expect((await search(t, guestOther, guest.body.accessToken)).status).toBe(404)
  })

  it('indexes at start the boards whose index fell behind', async () => {
    const dataDir = tempDir()
    const first = await startTestServer({ dataDir })
    const b = await first.createBoard('Catch up', 'catchup')
    const ws = await workspaceOf(first, b)
    const doc = new Y.Doc()
    await synced(first.provider(b, doc))
    createTask(doc, { id: 't', title: 'quokka sighting', order: 'a0', createdBy: 'local' })
    await eventually(async () =>
      expect(await found(first, { q: 'quokka', workspace: ws })).toHaveLength(1),
    )
    await first.close()
    // As if the server had died before indexing: the index knows nothing of the board.
    const rows = storedRows(first)
    await rows.run('DELETE FROM search_rows')
    await rows.run('DELETE FROM search_boards')
    expect(await rows.count('SELECT COUNT(*) AS n FROM search_boards')).toBe(0)

    const second = await startTestServer({ dataDir })
    await eventually(async () =>
      expect(await found(second, { q: 'quokka', workspace: ws })).toEqual(['catchup/task/t/title']),
    )
  })
})

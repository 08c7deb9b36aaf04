/**
 * History (docs/product.md, "History"): versions are whole committed states that survive
 * compaction and restarts; restoring is a new change on top that reaches every client live.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { BoardVersion, RestoreResponse, VersionsResponse } from '../shared/api.ts'
import { addComment, board, createTask, createThread, updateTask } from '../shared/schema/board.ts'
import type { Db } from '../server/db/open.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { GatedStore } from './gated-store.ts'
import {
  cleanup,
  eventually,
  startTestServer,
  synced,
  tempDir,
  type TestServer,
} from './harness.ts'

afterEach(cleanup)

const DAY = 24 * 3600 * 1000
/** Checkpoints only when a test asks for them (by naming) unless it sets `quietMs`. */
const history = (quietMs = 3600_000) => ({ quietMs, maxMs: 3600_000, retentionMs: 90 * DAY })

const task = (id: string, title: string, description = '') => ({
  id,
  title,
  description,
  order: `a${id}`,
  createdBy: 'local',
})

/** Everything a board holds, as plain JSON: what "the same state" means to a reader. */
function content(doc: Y.Doc) {
  const b = board(doc)
  return {
    meta: b.meta.toJSON(),
    media: b.media.toJSON(),
    annotations: b.annotations.toJSON(),
    threads: b.threads.toJSON(),
    tasks: b.tasks.toJSON(),
  }
}

function docOf(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

/** Waits until the server has committed everything `doc` holds (its export equals it). */
async function committed(t: TestServer, boardId: string, doc: Y.Doc) {
  await eventually(async () => {
    const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`)
    expect(Y.encodeStateVector(docOf(exported.body))).toEqual(Y.encodeStateVector(doc))
  })
}

async function versions(t: TestServer, boardId: string): Promise<BoardVersion[]> {
  const listed = await t.api<VersionsResponse>(`/api/boards/${boardId}/versions`)
  expect(listed.status).toBe(200)
  return listed.body.versions
}

async function nameVersion(t: TestServer, boardId: string, name: string): Promise<BoardVersion> {
  const named = await t.api<{ version: BoardVersion }>(`/api/boards/${boardId}/versions`, {
    method: 'POST',
    json: { name },
  })
  expect(named.status).toBe(201)
  return named.body.version
}

async function exportVersion(t: TestServer, boardId: string, versionId: string): Promise<Y.Doc> {
  const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/versions/${versionId}/export`)
  expect(exported.status).toBe(200)
  expect(exported.headers.get('content-type')).toBe('application/octet-stream')
  return docOf(exported.body)
}

async function restore(t: TestServer, boardId: string, versionId: string, json: object = {}) {
  return t.api<RestoreResponse>(`/api/boards/${boardId}/versions/${versionId}/restore`, {
    method: 'POST',
    json,
  })
}

describe('versions', () => {
  it('a named version is the state a replica had then, after compaction and after a restart', async () => {
    const dataDir = tempDir()
    const first = await startTestServer({ dataDir, compactAfterUpdates: 5, history: history() })
    const boardId = await first.createBoard('Versioned')
    const doc = new Y.Doc()
    await synced(first.provider(boardId, doc))
    for (let i = 0; i < 8; i++) createTask(doc, task(`t${i}`, `task ${i}`, `notes ${i}`))
    createThread(doc, { id: 'th', anchor: { type: 'board', id: boardId }, createdBy: 'local' })
    addComment(doc, 'th', { id: 'c1', authorId: 'local', body: 'before the version' })
    board(doc).tasks.delete('t0')
    await committed(first, boardId, doc)
    const then = { content: content(doc), snapshot: Y.snapshot(doc) }
    const named = await nameVersion(first, boardId, 'Before the rework')
    expect(named).toMatchObject({ name: 'Before the rework', auto: false, createdBy: 'local' })

    // Later work, enough to fold the log (and delete its rows) several times over.
    for (let i = 1; i < 8; i++) updateTask(doc, `t${i}`, { title: `reworked ${i}` })
    board(doc).tasks.get('t1')?.get('description')?.delete(0, 3)
    board(doc).tasks.delete('t2')
    await committed(first, boardId, doc)
    await eventually(async () => {
      const rows = first.server.rooms.loaded(boardId)?.updatesSinceSnapshot
      expect(rows).toBeLessThan(5)
    })

    const check = async (t: TestServer) => {
      const listed = await versions(t, boardId)
      expect(listed.find((v) => v.id === named.id)).toEqual(named)
      const past = await exportVersion(t, boardId, named.id)
      expect(content(past)).toEqual(then.content)
      expect(Y.equalSnapshots(Y.snapshot(past), then.snapshot)).toBe(true)
    }
    await check(first)
    await first.close()
    const second = await startTestServer({ dataDir, history: history() })
    await check(second)
    // Opening a version loads nothing: the board is not in memory.
    expect(second.server.rooms.size).toBe(0)
  })

  it('automatic checkpoints are states a replica had, written once editing goes quiet', async () => {
    const t = await startTestServer({ history: history(60) })
    const boardId = await t.createBoard('Auto')
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    // Every state the replica went through, by state vector.
    const seen = new Map<string, ReturnType<typeof content>>()
    const remember = () => seen.set(Y.encodeStateVector(doc).join(), content(doc))
    remember()
    for (let burst = 0; burst < 3; burst++) {
      const before = (await versions(t, boardId)).length
      for (let i = 0; i < 3; i++) {
        createTask(doc, task(`b${burst}-${i}`, `burst ${burst} task ${i}`))
        remember()
      }
      await eventually(async () => expect((await versions(t, boardId)).length).toBe(before + 1))
    }
    const automatic = (await versions(t, boardId)).filter((v) => v.auto)
    expect(automatic.length).toBeGreaterThanOrEqual(3)
    for (const version of automatic) {
      expect(version.name).toBeUndefined()
      const past = await exportVersion(t, boardId, version.id)
      const key = Y.encodeStateVector(past).join()
      expect(seen.has(key), `version ${version.id} is a state the replica had`).toBe(true)
      expect(content(past)).toEqual(seen.get(key))
    }
    // The newest is the replica's final state.
    const newest = await exportVersion(t, boardId, automatic[0]?.id as string)
    expect(content(newest)).toEqual(content(doc))
  })

  it('is written from committed state, never from an update still waiting for its commit', async () => {
    let store: GatedStore | undefined
    const t = await startTestServer({
      history: history(),
      docStore: (db: Db) => (store = new GatedStore(db)),
    })
    const boardId = await t.createBoard('Held')
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    createTask(doc, task('kept', 'Committed'))
    await committed(t, boardId, doc)
    const release = store?.hold() as () => void
    try {
      createTask(doc, task('held', 'Not yet on disk'))
      await eventually(() => expect(store?.waiting).toBe(1))
      // The room holds the task in memory; the version must not.
      expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').has('held')).toBe(true)
      const named = await nameVersion(t, boardId, 'While a commit waits')
      const past = await exportVersion(t, boardId, named.id)
      expect(board(past).tasks.has('kept')).toBe(true)
      expect(board(past).tasks.has('held')).toBe(false)
    } finally {
      release()
    }
    await committed(t, boardId, doc)
    const after = await exportVersion(t, boardId, (await nameVersion(t, boardId, 'After')).id)
    expect(board(after).tasks.has('held')).toBe(true)
  })

  it('refuses what it cannot do with a clear status', async () => {
    const t = await startTestServer({ history: history() })
    const boardId = await t.createBoard('Errors')
    expect((await t.api(`/api/boards/${boardId}/versions/nope/export`)).status).toBe(404)
    expect((await restore(t, boardId, 'nope')).status).toBe(404)
    const version = await nameVersion(t, boardId, 'v')
    const half = await restore(t, boardId, version.id, { entityType: 'task' })
    expect(half.status).toBe(400)
    const absent = await restore(t, boardId, version.id, { entityType: 'task', entityId: 'zz' })
    expect(absent.status).toBe(404)
    const unnamed = await t.api(`/api/boards/${boardId}/versions`, {
      method: 'POST',
      json: { name: '  ' },
    })
    expect(unnamed.status).toBe(400)
  })
})

describe('restore', () => {
  async function twoClients() {
    const t = await startTestServer({ history: history() })
    const boardId = await t.createBoard('Restorable')
    const a = new Y.Doc()
    const b = new Y.Doc()
    await Promise.all([synced(t.provider(boardId, a)), synced(t.provider(boardId, b))])
    createTask(a, task('t1', 'Original title', 'original notes'))
    createTask(a, task('t2', 'Will be deleted', 'keep me'))
    createTask(a, task('t3', 'Untouched'))
    await committed(t, boardId, a)
    const version = await nameVersion(t, boardId, 'Good state')
    const past = content(a)
    // Later work by the other client, on the restored entity and on others.
    updateTask(b, 't1', { title: 'Edited later', status: 'doing' })
    board(b).tasks.get('t1')?.get('description')?.insert(0, 'more ')
    board(b).tasks.delete('t2')
    updateTask(b, 't3', { title: 'Edited later too' })
    createTask(b, task('t4', 'Added later'))
    await committed(t, boardId, b)
    await eventually(() => expect(content(a)).toEqual(content(b)))
    return { t, boardId, a, b, version, past }
  }

  it('one entity comes back as it was; later work on other entities is kept, live for everyone', async () => {
    const { t, boardId, a, b, version, past } = await twoClients()
    // Later work on the board itself is kept too.
    const renamed = await t.api(`/api/boards/${boardId}`, {
      method: 'PATCH',
      json: { title: 'Renamed later' },
    })
    expect(renamed.status).toBe(200)
    await eventually(() => expect(board(b).meta.get('title')).toBe('Renamed later'))
    const before = Y.encodeStateVector(b)
    const restored = await restore(t, boardId, version.id, { entityType: 'task', entityId: 't1' })
    expect(restored.status).toBe(200)
    expect(restored.body.restored).toEqual({
      versionId: version.id,
      entityType: 'task',
      entityId: 't1',
      changed: true,
    })
    for (const doc of [a, b]) {
      await eventually(() => expect(board(doc).tasks.get('t1')?.toJSON()).toEqual(past.tasks.t1))
      expect(board(doc).tasks.has('t2')).toBe(false)
      expect(board(doc).tasks.get('t3')?.get('title')).toBe('Edited later too')
      expect(board(doc).tasks.get('t4')?.get('title')).toBe('Added later')
      expect(board(doc).meta.get('title')).toBe('Renamed later')
    }
    // A change on top: the replica moved forward, nothing was rewound.
    const after = Y.decodeStateVector(Y.encodeStateVector(b))
    for (const [client, clock] of Y.decodeStateVector(before))
      expect(after.get(client)).toBeGreaterThanOrEqual(clock)

    // A deleted task comes back, under its id, with its fields.
    const again = await restore(t, boardId, version.id, { entityType: 'task', entityId: 't2' })
    expect(again.status).toBe(200)
    await eventually(() => expect(board(b).tasks.get('t2')?.toJSON()).toEqual(past.tasks.t2))
    expect(board(b).tasks.get('t2')?.get('description')?.toString()).toBe('keep me')
    // Restoring what already matches writes nothing.
    const same = await restore(t, boardId, version.id, { entityType: 'task', entityId: 't2' })
    expect(same.body.restored.changed).toBe(false)

    const events = await t.api<{ events: Array<{ event: { type: string; data: unknown } }> }>(
      `/api/events?stream=board:${boardId}`,
    )
    expect(events.body.events.map((e) => e.event.type)).toContain('version.restored')
    expect(events.body.events.find((e) => e.event.type === 'version.restored')?.event.data).toEqual(
      {
        versionId: version.id,
        name: 'Good state',
        versionCreatedAt: version.createdAt,
        entityType: 'task',
        entityId: 't1',
      },
    )
  })

  it('the whole board comes back as a forward change, title included', async () => {
    const { t, boardId, a, b, version, past } = await twoClients()
    const renamed = await t.api(`/api/boards/${boardId}`, {
      method: 'PATCH',
      json: { title: 'Renamed later' },
    })
    expect(renamed.status).toBe(200)
    await eventually(() => expect(board(a).meta.get('title')).toBe('Renamed later'))
    const before = Y.encodeStateVector(a)

    const restored = await restore(t, boardId, version.id)
    expect(restored.status).toBe(200)
    expect(restored.body.restored).toMatchObject({ entityType: null, changed: true })
    for (const doc of [a, b]) await eventually(() => expect(content(doc)).toEqual(past))
    const after = Y.decodeStateVector(Y.encodeStateVector(a))
    for (const [client, clock] of Y.decodeStateVector(before))
      expect(after.get(client)).toBeGreaterThanOrEqual(clock)
    const listed = await t.api<{ board: { title: string } }>(`/api/boards/${boardId}`)
    expect(listed.body.board.title).toBe('Restorable')

    // The clients keep working on top of it, and a newcomer sees the same.
    createTask(a, task('t5', 'After the restore'))
    await eventually(() => expect(board(b).tasks.get('t5')?.get('title')).toBe('After the restore'))
    const c = new Y.Doc()
    await synced(t.provider(boardId, c))
    expect(content(c)).toEqual(content(a))
  })

  it('is for editors and owners, and stops at a lock someone else holds', async () => {
    const t = await authServer(undefined, { history: history() })
    const owner = await setupOwner(t)
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
    const vic = await invite(t, owner.token, owner.workspaceId, 'viewer', 'vic')
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'locked')
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: owner.token }))
    createTask(doc, task('t1', 'One'))
    createTask(doc, task('t2', 'Two'))
    const as = (token: string, path: string, json: object) =>
      t.api(`/api/boards/${boardId}${path}`, { method: 'POST', token, json })
    await eventually(async () => {
      const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, {
        token: owner.token,
      })
      expect(board(docOf(exported.body)).tasks.size).toBe(2)
    })
    expect((await as(vic.token, '/versions', { name: 'no' })).status).toBe(403)
    const named = await as(ed.token, '/versions', { name: 'Editors may' })
    expect(named.status).toBe(201)
    const id = (named.body as { version: BoardVersion }).version.id
    const listed = await t.api<VersionsResponse>(`/api/boards/${boardId}/versions`, {
      token: vic.token,
    })
    expect(listed.body.versions.map((v) => v.id)).toContain(id)
    expect((await as(vic.token, `/versions/${id}/restore`, {})).status).toBe(403)

    const locked = await t.api('/api/locks/acquire', {
      method: 'POST',
      token: ed.token,
      json: { key: `${boardId}/task/t1` },
    })
    expect(locked.status).toBe(200)
    const refused = await as(owner.token, `/versions/${id}/restore`, {
      entityType: 'task',
      entityId: 't1',
    })
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ error: { code: 'locked', holder: { name: 'ed' } } })
    expect((await as(owner.token, `/versions/${id}/restore`, {})).status).toBe(409)
    const other = await as(owner.token, `/versions/${id}/restore`, {
      entityType: 'task',
      entityId: 't2',
    })
    expect(other.status).toBe(200)
    // The holder restores what they hold.
    const own = await as(ed.token, `/versions/${id}/restore`, {
      entityType: 'task',
      entityId: 't1',
    })
    expect(own.status).toBe(200)
  })
})

/**
 * Clients of one board on two nodes (docs/cluster.md, "Relaying to the owner"): the node that
 * does not own the board relays its clients to the owner over Redis, so both sides converge,
 * see each other's presence, and only the owner runs the room.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { createBoard, invite, setupOwner, SETUP_CODE } from '../accounts.ts'
import { liveClient } from '../live-client.ts'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../../shared/schema/board.ts'
import { afterTest, cleanup, closeCode, eventually, startTestServer, synced } from '../harness.ts'
import { Redis } from 'ioredis'
import { encodeId } from '../../server/cluster/redis/keys.ts'
import { testPostgres } from './postgres.ts'
import { skipWithoutRedis } from './redis.ts'
import { joinCluster, newCluster } from './test-node.ts'

const postgres = await testPostgres()

/** Two nodes with accounts on (one signing secret), and the owner set up through the first. */
async function twoNodesWithAccounts() {
  const auth = {
    auth: true,
    setupCode: SETUP_CODE,
    jwtSecret: 'a-cluster-wide-secret-of-32-chars!',
  }
  const a = await startTestServer({ ...auth, node: newCluster() })
  const b = await startTestServer({ ...auth, node: joinCluster(a) })
  return { a, b, owner: await setupOwner(a) }
}

describe.skipIf(!postgres || skipWithoutRedis)('two nodes, one board', () => {
  afterEach(cleanup)

  it('clients on different nodes converge and see each other; only the owner runs the room', async () => {
    const a = await startTestServer({ node: newCluster() })
    const b = await startTestServer({ node: joinCluster(a) })
    const boardId = await a.createBoard('Shared')

    const docA = new Y.Doc()
    const pa = a.provider(boardId, docA)
    await synced(pa)
    const docB = new Y.Doc()
    const pb = b.provider(boardId, docB)
    await synced(pb)
    expect(board(docB).meta.get('title')).toBe('Shared')
    // B relays to A, the owner; it runs no room of its own.
    expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(2)
    expect(b.server.rooms.loaded(boardId)).toBeUndefined()

    createTask(docA, { id: 't1', title: 'From A', order: 'a0', createdBy: 'local' })
    createTask(docB, { id: 't2', title: 'From B', order: 'a1', createdBy: 'local' })
    await eventually(() => {
      expect(board(docA).tasks.get('t2')?.get('title')).toBe('From B')
      expect(board(docB).tasks.get('t1')?.get('title')).toBe('From A')
    })
    updateTask(docA, 't2', { status: 'doing' })
    updateTask(docB, 't1', { priority: 'urgent' })
    await eventually(() => {
      expect(Y.encodeStateVector(docA)).toEqual(Y.encodeStateVector(docB))
      expect(board(docB).tasks.get('t2')?.get('status')).toBe('doing')
      expect(board(docA).tasks.get('t1')?.get('priority')).toBe('urgent')
    })

    // Presence spans the nodes, with identities the owner stamped.
    ;(pa.awareness as Awareness).setLocalStateField('cursor', { x: 1, y: 2 })
    ;(pb.awareness as Awareness).setLocalStateField('cursor', { x: 3, y: 4 })
    await eventually(() => {
      const seenByA = [...pa.awareness.getStates().values()].map((s) => s.cursor)
      const seenByB = [...pb.awareness.getStates().values()].map((s) => s.cursor)
      expect(seenByA).toContainEqual({ x: 3, y: 4 })
      expect(seenByB).toContainEqual({ x: 1, y: 2 })
    })

    // A late client on B gets everything, committed by the owner.
    const docC = new Y.Doc()
    await synced(b.provider(boardId, docC))
    expect(Y.encodeStateVector(docC)).toEqual(Y.encodeStateVector(docA))

    // A change made through B's HTTP API (a rename) is made by the owner, and reaches all.
    const renamed = await b.api(`/api/boards/${boardId}`, {
      method: 'PATCH',
      json: { title: 'Renamed on B' },
    })
    expect(renamed.status).toBe(200)
    await eventually(() => {
      expect(board(docA).meta.get('title')).toBe('Renamed on B')
      expect(board(docB).meta.get('title')).toBe('Renamed on B')
    })
    expect(b.server.rooms.loaded(boardId)).toBeUndefined()

    // B's client leaving is the owner's news too.
    pb.destroy()
    await eventually(() => expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(2))
  })

  it('a committed update goes to the relaying node once for all its clients of the board, not once per client', async () => {
    const a = await startTestServer({ node: newCluster() })
    const b = await startTestServer({ node: joinCluster(a) })
    const boardId = await a.createBoard('Batched')
    const docA = new Y.Doc()
    await synced(a.provider(boardId, docA))
    const onB = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
    for (const doc of onB) await synced(b.provider(boardId, doc))
    expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(4)

    // What the owner publishes to B's inbox, as B hears it.
    const cluster = b.config.cluster
    if (!cluster) throw new Error('not a cluster node')
    const listener = new Redis(cluster.redisUrl, { lazyConnect: true })
    afterTest(() => listener.disconnect())
    await listener.connect()
    const heard: Buffer[] = []
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => heard.push(message))
    await listener.subscribe(`${cluster.redisPrefix}inbox:${encodeId(cluster.nodeId)}`)

    createTask(docA, { id: 't1', title: 'relayed-once-marker', order: 'a0', createdBy: 'local' })
    await eventually(() => {
      for (const doc of onB)
        expect(board(doc).tasks.get('t1')?.get('title')).toBe('relayed-once-marker')
    })
    const carrying = heard.filter((m) => m.includes('relayed-once-marker'))
    expect(carrying).toHaveLength(1)
  })

  it('events, notifications and membership changes reach sockets on the other node', async () => {
    const { a, b, owner } = await twoNodesWithAccounts()
    const boardId = await createBoard(a, owner.token, owner.workspaceId, 'cut-a')
    const ed = await invite(a, owner.token, owner.workspaceId, 'editor', 'Ed')

    // The owner watches the board's stream from B; Ed's sockets are on B too.
    const watcher = await liveClient(b, { token: owner.token })
    await watcher.hello()
    const stream = `board:${boardId}`
    await watcher.request({ type: 'subscribe', stream })
    const edLive = await liveClient(b, { token: ed.token })
    await edLive.hello()
    const edDoc = await b.raw(boardId, `?token=${ed.token}`)

    // Lock changes made through both nodes: B's subscriber gets every event, in sequence.
    const lock = (t: typeof a, token: string, key: string) =>
      t.api('/api/locks/acquire', { method: 'POST', token, json: { key } })
    expect((await lock(a, ed.token, `${boardId}/task/t1`)).status).toBe(200)
    expect((await lock(b, owner.token, `${boardId}/task/t2`)).status).toBe(200)
    expect((await lock(a, owner.token, `${boardId}/task/t3`)).status).toBe(200)
    await eventually(() => {
      const keys = watcher
        .events(stream)
        .filter((e) => e.event.type === 'lock.acquired')
        .map((e) => e.event.data.key)
      expect(keys).toEqual([1, 2, 3].map((n) => `${boardId}/task/t${n}`))
    })
    const seqs = watcher.events(stream).map((e) => e.seq)
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i))

    // Forcing Ed's lock free on A notifies Ed, whose live socket is on B.
    const forced = await a.api('/api/locks/force-release', {
      method: 'POST',
      token: owner.token,
      json: { key: `${boardId}/task/t1` },
    })
    expect(forced.status).toBe(200)
    await edLive.next((m) => m.type === 'notification')

    // Removing Ed on A closes Ed's sockets on B at once.
    const edClosed = closeCode(edDoc)
    const removed = await a.api(`/api/workspaces/${owner.workspaceId}/members/${ed.user.id}`, {
      method: 'DELETE',
      token: owner.token,
    })
    expect(removed.status).toBe(200)
    expect(await edClosed).toBe(CloseCode.forbidden)
    expect(await edLive.closed).toBe(CloseCode.forbidden)
  })

  it('a lock taken through another node guards edits on the owner as soon as its event arrives there', async () => {
    const { a, b, owner } = await twoNodesWithAccounts()
    const boardId = await createBoard(a, owner.token, owner.workspaceId, 'guarded')
    const ed = await invite(a, owner.token, owner.workspaceId, 'editor', 'Ed')

    // Both writers sit on A, the owner; the owner's watcher of the board's events too.
    const ownerDoc = new Y.Doc()
    const edDoc = new Y.Doc()
    await synced(a.provider(boardId, ownerDoc, { token: owner.token }))
    const edProvider = a.provider(boardId, edDoc, { token: ed.token })
    await synced(edProvider)
    createTask(ownerDoc, { id: 't1', title: 'Locked', order: 'a0', createdBy: owner.user.id })
    await eventually(() => expect(board(edDoc).tasks.get('t1')?.get('title')).toBe('Locked'))
    const watcher = await liveClient(a, { token: owner.token })
    await watcher.hello()
    const stream = `board:${boardId}`
    await watcher.request({ type: 'subscribe', stream })

    // The owner locks t1 through B; A hears of it through the lock's event, not its refresh.
    const key = `${boardId}/task/t1`
    const locked = await b.api('/api/locks/acquire', {
      method: 'POST',
      token: owner.token,
      json: { key },
    })
    expect(locked.status).toBe(200)
    await eventually(() =>
      expect(watcher.events(stream).map((e) => `${e.event.type} ${e.event.data.key}`)).toContain(
        `lock.acquired ${key}`,
      ),
    )

    // At once, Ed's edit of t1 is reverted on A; his edit of another task in the same update
    // goes through, and when it has reached the owner's document the locked title is intact.
    edDoc.transact(() => {
      updateTask(edDoc, 't1', { title: 'Ed was here' })
      createTask(edDoc, { id: 't2', title: 'Free', order: 'a1', createdBy: ed.user.id })
    })
    await eventually(() => {
      expect(board(ownerDoc).tasks.get('t2')?.get('title')).toBe('Free')
      expect(board(edDoc).tasks.get('t1')?.get('title')).toBe('Locked')
    })
    expect(board(ownerDoc).tasks.get('t1')?.get('title')).toBe('Locked')
  })

  it('a restore through a node that does not run the board stops at a lock someone else holds', async () => {
    const { a, b, owner } = await twoNodesWithAccounts()
    const ed = await invite(a, owner.token, owner.workspaceId, 'editor', 'Ed')
    const boardId = await createBoard(a, owner.token, owner.workspaceId, 'restored')
    const doc = new Y.Doc()
    await synced(a.provider(boardId, doc, { token: owner.token }))
    createTask(doc, { id: 't1', title: 'One', order: 'a0', createdBy: owner.user.id })
    // Relayed means committed (commit before relay): the version will have t1.
    const seen = new Y.Doc()
    await synced(a.provider(boardId, seen, { token: owner.token }))
    await eventually(() => expect(board(seen).tasks.has('t1')).toBe(true))
    const named = await a.api<{ version: { id: string } }>(`/api/boards/${boardId}/versions`, {
      method: 'POST',
      token: owner.token,
      json: { name: 'Before' },
    })
    expect(named.status).toBe(201)
    const locked = await a.api('/api/locks/acquire', {
      method: 'POST',
      token: ed.token,
      json: { key: `${boardId}/task/t1` },
    })
    expect(locked.status).toBe(200)

    // B runs no room of the board, so keeps no lock table of it: it asks Redis.
    expect(b.server.rooms.loaded(boardId)).toBeUndefined()
    const refused = await b.api(
      `/api/boards/${boardId}/versions/${named.body.version.id}/restore`,
      {
        method: 'POST',
        token: owner.token,
        json: { entityType: 'task', entityId: 't1' },
      },
    )
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ error: { code: 'locked', holder: { name: 'Ed' } } })
  })

  it('archiving a board through a node that does not run it closes its sockets on every node (4404)', async () => {
    const a = await startTestServer({ node: newCluster() })
    const b = await startTestServer({ node: joinCluster(a) })
    const boardId = await a.createBoard('Archived')
    await synced(a.provider(boardId, new Y.Doc()))
    const onOwner = await a.raw(boardId)
    const relayed = await b.raw(boardId)
    const [ownerClosed, relayClosed] = [closeCode(onOwner), closeCode(relayed)]
    expect(b.server.rooms.loaded(boardId)).toBeUndefined()
    expect((await b.api(`/api/boards/${boardId}`, { method: 'DELETE' })).status).toBe(200)
    expect(await ownerClosed).toBe(CloseCode.notFound)
    expect(await relayClosed).toBe(CloseCode.notFound)
  })

  it('an HTTP lock request on one node may name a live session held on another', async () => {
    const a = await startTestServer({ node: newCluster() })
    const b = await startTestServer({ node: joinCluster(a) })
    const boardId = await a.createBoard()
    const live = await liveClient(a)
    const sessionId = (await live.hello()).sessionId as string
    const key = `${boardId}/task/t1`
    const taken = await b.api<{ lock: { sessionId: string | null } }>('/api/locks/acquire', {
      method: 'POST',
      json: { key, sessionId },
    })
    expect(taken.status).toBe(200)
    expect(taken.body.lock.sessionId).toBe(sessionId)
    // A session nobody has is still refused.
    const unknown = await b.api('/api/locks/acquire', {
      method: 'POST',
      json: { key: `${boardId}/task/t2`, sessionId: 'no-such-session' },
    })
    expect(unknown.status).toBe(400)
  })

  it('a live session resumes on another node, its lock with it; the first node lets it go', async () => {
    const heartbeatMs = 200
    const a = await startTestServer({ heartbeatMs, node: newCluster() })
    const b = await startTestServer({ heartbeatMs, node: joinCluster(a) })
    const boardId = await a.createBoard()
    const key = `${boardId}/task/t1`
    const first = await liveClient(a)
    const welcome = await first.hello()
    const sessionId = welcome.sessionId as string
    expect(await first.request({ type: 'lock.acquire', key })).toMatchObject({ ok: true })

    // The socket drops; the client comes back through the other node within the window.
    first.ws.close()
    await first.closed
    const second = await liveClient(b)
    expect(await second.hello(sessionId)).toMatchObject({ sessionId, resumed: true })
    // Five heartbeats later (A would have ended a session detached for one) the lock is still
    // the session's: A let it go instead of ending it.
    const from = second.messages.length
    await eventually(() =>
      expect(second.messages.slice(from).filter((m) => m.type === 'ping').length).toBeGreaterThan(
        4,
      ),
    )
    const locks = await b.api<{ locks: Array<{ key: string; sessionId: string | null }> }>(
      `/api/locks?board=${boardId}`,
    )
    expect(locks.body.locks).toEqual([expect.objectContaining({ key, sessionId })])
    expect(await second.request({ type: 'lock.release', key })).toMatchObject({ ok: true })
  })
})

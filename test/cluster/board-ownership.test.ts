/**
 * Board ownership wired into the server (docs/cluster.md, "Board ownership"): a node serves a
 * board's sockets only while it holds the board's lease, and one that loses it (here: cut off
 * from Redis) stops serving it on its own, closing the board's sockets with 1012, before the
 * lease lapses and another node takes the board with everything committed.
 */
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { board, createTask } from '../../shared/schema/board.ts'
import { cleanup, closeCode, eventually, startTestServer, synced } from '../harness.ts'
import { testPostgres } from './postgres.ts'
import { skipWithoutRedis, startRedis, type PrivateRedis } from './redis.ts'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
import { joinCluster, newCluster } from './test-node.ts'
import { syncStep1Frame } from '../wire.ts'

const postgres = await testPostgres()

async function query<R extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}

describe.skipIf(!postgres || skipWithoutRedis)('board ownership across nodes', () => {
  let redis: PrivateRedis
  let proxy: TcpProxy
  beforeAll(async () => {
    redis = await startRedis()
  })
  beforeEach(async () => {
    proxy = await startTcpProxy(redis.port)
  })
  afterEach(async () => {
    await cleanup()
    await proxy?.close()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('a node cut off from Redis closes the board’s sockets with 1012; another takes the board with all of it', async () => {
    const leaseMs = 1000
    const a = await startTestServer({
      node: newCluster({ redis, redisUrl: proxy.url, leaseMs }),
    })
    const b = await startTestServer({ node: joinCluster(a, { redisUrl: redis.url }) })
    const database = a.config.cluster?.databaseUrl as string
    const nodeA = a.config.cluster?.nodeId
    const nodeB = b.config.cluster?.nodeId

    const boardId = await a.createBoard()
    const docA = new Y.Doc()
    await synced(a.provider(boardId, docA))
    const watcher = await a.raw(boardId)
    createTask(docA, { id: 't1', title: 'Before the cut', order: 'a0', createdBy: 'local' })
    await eventually(async () => {
      const [row] = await query<{ owner_node: string; n: number }>(
        database,
        `SELECT owner_node, (SELECT count(*)::int FROM doc_updates WHERE board_id = $1) AS n
         FROM boards WHERE id = $1`,
        [boardId],
      )
      expect(row).toMatchObject({ owner_node: nodeA })
      expect(row?.n).toBeGreaterThan(1)
    })

    // While A owns the board, B relays its clients to A and runs no room of it.
    const relayed = await b.raw(boardId)
    expect(b.server.rooms.loaded(boardId)).toBeUndefined()

    const closed = closeCode(watcher)
    const relayClosed = closeCode(relayed)
    const cutAt = performance.now()
    proxy.cut()
    // A stops by itself once its renewals are lease/2 old: before the lease can lapse.
    expect(await closed).toBe(CloseCode.serverStopping)
    expect(performance.now() - cutAt).toBeLessThan(leaseMs)
    // B sees the lease go and lets its relayed client start over too.
    expect(await relayClosed).toBe(CloseCode.serverStopping)

    // B takes the board once the lease lapses, and serves all A committed.
    const docB = new Y.Doc()
    const providerB = b.provider(boardId, docB)
    await eventually(() => expect(board(docB).tasks.get('t1')?.get('title')).toBe('Before the cut'))
    createTask(docB, { id: 't2', title: 'After the move', order: 'a1', createdBy: 'local' })
    await synced(providerB)
    await eventually(async () => {
      const [row] = await query<{ owner_node: string }>(
        database,
        'SELECT owner_node FROM boards WHERE id = $1',
        [boardId],
      )
      expect(row?.owner_node).toBe(nodeB)
      // No update of an older epoch was written after one of a newer epoch.
      const zombies = await query(
        database,
        `SELECT a.seq FROM doc_updates a JOIN doc_updates b
           ON a.board_id = b.board_id AND b.epoch > a.epoch AND b.seq < a.seq
         WHERE a.board_id = $1`,
        [boardId],
      )
      expect(zombies).toEqual([])
      const [{ n }] = (await query<{ n: number }>(
        database,
        'SELECT count(*)::int AS n FROM doc_updates WHERE board_id = $1 AND epoch = (SELECT owner_epoch FROM boards WHERE id = $1)',
        [boardId],
      )) as [{ n: number }]
      expect(n).toBeGreaterThan(0)
    })

    // A, back on Redis, finds the board B's: it relays a new client there, runs no room.
    proxy.heal()
    await eventually(async () => expect((await a.api('/readyz')).status).toBe(200))
    const late = new Y.Doc()
    await synced(a.provider(boardId, late))
    expect(board(late).tasks.get('t2')?.get('title')).toBe('After the move')
    expect(a.server.rooms.loaded(boardId)).toBeUndefined()
  })

  it('a relaying node cut off from Redis for a moment leaves no ghost of its client on the owner', async () => {
    const a = await startTestServer({ node: newCluster({ redis, leaseMs: 1000 }) })
    const b = await startTestServer({ node: joinCluster(a, { redisUrl: proxy.url }) })
    const boardId = await a.createBoard()
    const doc = new Y.Doc()
    await synced(a.provider(boardId, doc))
    const relayed = await b.raw(boardId)
    const room = a.server.rooms.loaded(boardId)
    await eventually(() => expect(room?.peers.size).toBe(2))

    // B loses Redis: its client is closed, and the leave it would send A is lost with it.
    const closed = closeCode(relayed)
    proxy.cut()
    expect(await closed).toBe(CloseCode.serverStopping)
    proxy.heal()
    await eventually(async () => expect((await b.api('/readyz')).status).toBe(200))
    // The next thing A sends that client reaches B, which has no such socket and says so:
    // A lets the peer go instead of serving (and showing) a ghost for good.
    createTask(doc, { id: 't1', title: 'After the blip', order: 'a0', createdBy: 'local' })
    await eventually(() => expect(room?.peers.size).toBe(1))
  })

  it('an owner cut off from Redis for a moment sends a relayed client it forgot to start over', async () => {
    const a = await startTestServer({
      node: newCluster({ redis, redisUrl: proxy.url, leaseMs: 10_000 }),
    })
    const b = await startTestServer({ node: joinCluster(a, { redisUrl: redis.url }) })
    const boardId = await a.createBoard()
    await synced(a.provider(boardId, new Y.Doc()))
    const relayed = await b.raw(boardId)
    await eventually(() => expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(2))

    // A's blip is far shorter than its lease: it keeps the board, but drops its remote peers.
    proxy.cut()
    await eventually(async () => expect((await a.api('/readyz')).status).toBe(503))
    proxy.heal()
    await eventually(async () => expect((await a.api('/readyz')).status).toBe(200))
    // The client's next message reaches an owner that no longer knows it: it is told to reconnect.
    const closed = closeCode(relayed)
    relayed.send(syncStep1Frame(Y.encodeStateVector(new Y.Doc())))
    expect(await closed).toBe(CloseCode.serverStopping)
  })

  it('Redis lost with its data: /readyz says so, locks answer 503, sockets close; all resumes, the lock kept', async () => {
    const a = await startTestServer({ node: newCluster({ redis, leaseMs: 1000 }) })
    const boardId = await a.createBoard()
    const doc = new Y.Doc()
    const provider = a.provider(boardId, doc)
    await synced(provider)
    createTask(doc, { id: 't1', title: 'Kept', order: 'a0', createdBy: 'local' })
    const key = `${boardId}/task/t1`
    const acquire = (which: string) =>
      a.api<{ lock: { fencingToken: number } }>('/api/locks/acquire', {
        method: 'POST',
        json: { key: `${boardId}/task/${which}` },
      })
    const held = await acquire('t1')
    expect(held.status).toBe(200)
    const watcher = await a.raw(boardId)
    const closed = closeCode(watcher)
    const idle = await a.createBoard('Nobody’s yet')

    await redis.kill()
    await eventually(async () => {
      const ready = await a.api<{ redis: { state: string } }>('/readyz')
      expect(ready.status).toBe(503)
      expect(ready.body.redis.state).toBe('down')
    })
    expect((await acquire('t2')).status).toBe(503)
    expect(await closed).toBe(CloseCode.serverStopping)
    // A board nobody serves cannot be claimed without Redis: "try again", not an internal error.
    expect(await closeCode(await a.raw(idle))).toBe(CloseCode.serverStopping)

    await redis.restart()
    await eventually(async () => expect((await a.api('/readyz')).status).toBe(200), 15_000)
    // The provider reconnects by itself; the board is served again with what was committed.
    const again = new Y.Doc()
    await synced(a.provider(boardId, again))
    expect(board(again).tasks.get('t1')?.get('title')).toBe('Kept')
    await eventually(async () => {
      const locks = await a.api<{ locks: Array<{ key: string; fencingToken: number }> }>(
        `/api/locks?board=${boardId}`,
      )
      expect(locks.body.locks).toEqual([
        expect.objectContaining({ key, fencingToken: held.body.lock.fencingToken }),
      ])
    }, 10_000)
    const next = await acquire('t3')
    expect(next.status).toBe(200)
    expect(next.body.lock.fencingToken).toBeGreaterThan(held.body.lock.fencingToken)
  })
})

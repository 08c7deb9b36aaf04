/**
 * What the relay between two nodes costs Redis (docs/cluster.md, "Relaying to the owner"),
 * read off Redis itself (MONITOR, or a subscriber on the owner's inbox):
 *  - the relaying node re-reads the owners of all the boards it relays in one command each
 *    second, not one GET per board, and still closes the sockets of a board whose owner changed;
 *  - what a relaying node's clients send in one event-loop turn of its socket reads reaches the
 *    owner as one pub/sub message.
 */
import { Redis } from 'ioredis'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { createTask } from '../../shared/schema/board.ts'
import { encodeId } from '../../server/cluster/redis/keys.ts'
import { afterTest, cleanup, eventually, startTestServer, synced } from '../harness.ts'
import { testPostgres } from './postgres.ts'
import { skipWithoutRedis } from './redis.ts'
import { joinCluster, newCluster } from './test-node.ts'

const postgres = await testPostgres()

/** A plain client of the test's Redis (closed after the test). */
async function redisClient(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true })
  afterTest(() => client.disconnect())
  await client.connect()
  return client
}

/** Every command Redis runs from now on, as its arguments (lower-case command first). */
async function monitor(url: string): Promise<string[][]> {
  const client = await redisClient(url)
  const seen: string[][] = []
  const watching = await client.monitor()
  afterTest(() => watching.disconnect())
  watching.on('monitor', (_time: string, args: string[]) => {
    seen.push([String(args[0]).toLowerCase(), ...args.slice(1).map(String)])
  })
  return seen
}

describe.skipIf(!postgres || skipWithoutRedis)('relay traffic between two nodes', () => {
  afterEach(cleanup)

  it('a relaying node reads the owners of all its relayed boards in one MGET a second, and closes the sockets of a board whose owner changed', async () => {
    // A long lease: the owner renews every 6 s, so it does not notice the changed lease below
    // before the relaying node's check (every second) does.
    const a = await startTestServer({ node: newCluster({ leaseMs: 30_000 }) })
    const b = await startTestServer({ node: joinCluster(a) })
    const cluster = a.config.cluster
    if (!cluster) throw new Error('not a cluster node')
    const boards = [await a.createBoard('One'), await a.createBoard('Two')]
    boards.push(await a.createBoard('Three'))
    for (const boardId of boards) await synced(a.provider(boardId, new Y.Doc()))
    const relayed = await Promise.all(boards.map((boardId) => b.raw(boardId)))
    await eventually(() => {
      for (const boardId of boards) expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(2)
    })

    const seen = await monitor(cluster.redisUrl)
    const ownerKeys = boards.map((boardId) => `${cluster.redisPrefix}{b:${boardId}}:owner`)
    const reads = () =>
      seen.filter((c) => c[0] === 'mget' && ownerKeys.every((key) => c.includes(key)))
    await eventually(() => expect(reads().length).toBeGreaterThanOrEqual(3), 7000)
    // Two seconds of checks and no board's owner read on its own more than once: a socket's
    // own relay reads its board's owner once as it opens, which on a loaded machine can come
    // after the monitor started; a check per board would read each every second.
    const gets = seen.filter((c) => c[0] === 'get' && ownerKeys.includes(c[1] ?? ''))
    for (const key of ownerKeys) expect(gets.filter((c) => c[1] === key).length).toBeLessThan(2)

    // Right after the owner renewed its leases, the first board's lease names another node.
    const renewals = () => seen.filter((c) => c[0] === 'fcall' && c[1] === 'lease_renew_many')
    const before = renewals().length
    await eventually(() => expect(renewals().length).toBeGreaterThan(before), 10_000)
    const redis = await redisClient(cluster.redisUrl)
    await redis.set(ownerKeys[0] as string, 'elsewhere.0123456789ab', 'PX', 30_000)
    const [first, ...others] = relayed as [WebSocket, ...WebSocket[]]
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      first.once('close', (code: number, reason: Buffer) =>
        resolve({ code, reason: reason.toString() }),
      ),
    )
    // Closed by the relaying node's check, not by the owner (which says "…to another node…").
    expect(closed).toEqual({ code: 1012, reason: 'board moved; reconnect' })
    for (const ws of others) expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('what the relayed clients of one node send in one turn reaches the owner as one message', async () => {
    const a = await startTestServer({ node: newCluster() })
    const b = await startTestServer({ node: joinCluster(a) })
    const cluster = a.config.cluster
    if (!cluster) throw new Error('not a cluster node')
    const boardId = await a.createBoard('Together')
    await synced(a.provider(boardId, new Y.Doc()))
    const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
    for (const doc of docs) await synced(b.provider(boardId, doc))
    expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(4)

    // What B publishes to the owner's inbox, as the owner hears it.
    const listener = await redisClient(cluster.redisUrl)
    const heard: Buffer[] = []
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => heard.push(message))
    await listener.subscribe(`${cluster.redisPrefix}inbox:${encodeId(cluster.nodeId)}`)

    // Three clients write at once: their frames are written now (this process is their client
    // too), and this turn holds the event loop until they have arrived, so B reads all three
    // in its next turn.
    docs.forEach((doc, i) =>
      createTask(doc, { id: `t${i}`, title: `together-${i}`, order: `a${i}`, createdBy: 'local' }),
    )
    const until = performance.now() + 100
    while (performance.now() < until) {
      // Holding the loop while the kernel delivers the three frames.
    }
    const markers = docs.map((_, i) => `together-${i}`)
    await eventually(() => {
      for (const marker of markers) expect(heard.some((m) => m.includes(marker))).toBe(true)
    })
    const carrying = heard.filter((m) => markers.some((marker) => m.includes(marker)))
    expect(carrying).toHaveLength(1)
  })
})

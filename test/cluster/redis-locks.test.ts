/**
 * What only the cluster's locks must do (docs/cluster.md, "Redis"): one holder across nodes,
 * tokens that keep growing through a Redis restart that loses everything, waiters served in
 * order after it, and idempotent acquires when a reply is lost on the wire. Each node is its
 * own ioredis connection to a private redis-server.
 */
import { describe, expect, it, vi } from 'vitest'
import { MemoryLockJournal } from '../../server/locks/lock-journal.ts'
import type { LockEvents } from '../../server/locks/lock-service.ts'
import { skipWithoutRedis } from './redis.ts'
import {
  generationSequence,
  lockNode,
  openSession,
  uniquePrefix,
  useRedis,
  type LockNode,
} from './redis-nodes.ts'
import { startTcpProxy } from './tcp-proxy.ts'

const key = 'b1/task/t1'
const user = (id: string) => ({ id, name: id.toUpperCase() })
const ann = user('ann')
const bob = user('bob')
const cy = user('cy')

function eventLog(log: string[]): LockEvents {
  return {
    granted: (lock, _b, fromQueue) =>
      log.push(`granted ${lock.holder.id} #${lock.fencingToken}${fromQueue ? ' (queue)' : ''}`),
    released: (lock, _b, reason) => log.push(`${reason} ${lock.holder.id}`),
    queued: (_k, _b, waiter, _h, position) => log.push(`queued ${waiter.id} @${position}`),
    refused: () => {},
  }
}

const acquire = (
  node: LockNode,
  who: { id: string; name: string },
  extra: { sessionId?: string; wait?: boolean; requestId?: string } = {},
) => node.service.acquire({ key, boardId: 'b1', user: who, sessionId: null, ...extra })

const tokenOf = (result: Awaited<ReturnType<typeof acquire>>) =>
  'lock' in result ? result.lock.fencingToken : -1

describe.skipIf(skipWithoutRedis)('Redis locks across nodes', () => {
  const redis = useRedis()

  it('[L1][L2] exactly one of simultaneous requests from three nodes wins, 25 rounds; tokens only grow', async () => {
    const prefix = uniquePrefix()
    const journal = new MemoryLockJournal()
    const generations = generationSequence()
    const nodes = await Promise.all(
      ['n1', 'n2', 'n3'].map((nodeId) =>
        lockNode({ url: redis.server.url, prefix, nodeId, journal, generations }),
      ),
    )
    const people = Array.from({ length: 6 }, (_, i) => user(`u${i}`))
    const tokens: number[] = []
    for (let round = 0; round < 25; round++) {
      const results = await Promise.allSettled(
        people.map((who, i) => acquire(nodes[i % 3] as LockNode, who)),
      )
      const won = results.flatMap((r, i) =>
        r.status === 'fulfilled' ? [[r.value, i] as const] : [],
      )
      expect(won).toHaveLength(1)
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'locked' })
      const [result, winner] = won[0] as (typeof won)[number]
      tokens.push(tokenOf(result))
      await nodes[(winner + 1) % 3]?.service.release(key, people[winner] as typeof ann, null)
    }
    for (let i = 1; i < tokens.length; i++)
      expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number)
    // Every token anyone was told was journaled, in the order it was granted.
    const journaled = journal.entries.filter((e) => e.kind === 'granted').map((e) => e.token)
    expect(journaled).toEqual(tokens)
    // One generation, the same on every node (losers of the start-up race waste a sequence value).
    const gens = nodes.map((node) => node.service.generation.current)
    expect(new Set(gens).size).toBe(1)
  })

  it('[L2][L8] a Redis restart that loses every key: holders keep lock and token, waiters keep their order, tokens keep growing', async () => {
    const prefix = uniquePrefix()
    const journal = new MemoryLockJournal()
    const generations = generationSequence()
    const log: string[] = []
    const n1 = await lockNode({
      url: redis.server.url,
      prefix,
      journal,
      generations,
      events: eventLog(log),
    })
    const n2 = await lockNode({
      url: redis.server.url,
      prefix,
      journal,
      generations,
      nodeId: 'n2',
      events: eventLog(log),
    })
    await openSession(n1, 's-ann', ann)
    await openSession(n2, 's-bob', bob)
    await openSession(n1, 's-cy', cy)
    for (let i = 0; i < 3; i++) {
      await acquire(n2, user('dee'))
      await n2.service.release(key, user('dee'), null)
    }
    const held = await acquire(n1, ann, { sessionId: 's-ann' })
    expect(await acquire(n2, bob, { sessionId: 's-bob', wait: true })).toMatchObject({
      queued: { position: 1 },
    })
    expect(await acquire(n1, cy, { sessionId: 's-cy', wait: true })).toMatchObject({
      queued: { position: 2 },
    })
    const before = journal.maxTokenOf(key)
    await n1.connection.client.set(`${prefix}canary`, '1')

    await redis.server.kill()
    // Fail closed while Redis is away: no answer is better than a wrong one.
    await expect(acquire(n2, user('eve'))).rejects.toMatchObject({ code: 'unavailable' })
    await redis.server.restart()
    await vi.waitFor(() => expect(n1.service.ready && n2.service.ready).toBe(true), {
      timeout: 10_000,
    })
    expect(await n1.connection.client.get(`${prefix}canary`)).toBeNull()
    const gen = n1.service.generation.current as number
    expect(n2.service.generation.current).toBe(gen)
    expect(gen).toBeGreaterThan(Math.floor(before / 2 ** 32))
    // The nodes re-register their live sessions (the wiring does this on every ready); one
    // that is not re-registered lives on the grace a rebuild gives every session it restores.
    for (const [node, sid, who] of [
      [n1, 's-ann', ann],
      [n2, 's-bob', bob],
    ] as const)
      expect(await openSession(node, sid, who)).toMatchObject({ ok: true })
    expect(await n1.sessions.info('s-cy')).toEqual({ userId: 'cy', alive: true })

    const after = await n2.service.get(key)
    expect(after).toMatchObject({ holder: ann, sessionId: 's-ann', fencingToken: tokenOf(held) })
    await expect(acquire(n2, user('eve'))).rejects.toMatchObject({
      code: 'locked',
      details: { holder: ann },
    })
    log.length = 0
    await n2.service.release(key, ann, 's-ann')
    const bobs = await n1.service.get(key)
    expect(bobs?.holder).toEqual(bob)
    expect(bobs?.fencingToken).toBeGreaterThan(before)
    await n1.service.release(key, bob, 's-bob')
    const cys = await n1.service.get(key)
    expect(cys?.holder).toEqual(cy)
    expect(cys?.fencingToken).toBeGreaterThan(bobs?.fencingToken as number)
    expect(journal.maxTokenOf(key)).toBe(cys?.fencingToken)
    expect(log).toEqual([
      'released ann',
      `granted bob #${bobs?.fencingToken} (queue)`,
      'released bob',
      `granted cy #${cys?.fencingToken} (queue)`,
    ])
  })

  it('[L7] an acquire whose reply was lost on the wire, retried, gets the first answer and no second grant', async () => {
    const prefix = uniquePrefix()
    const journal = new MemoryLockJournal()
    const generations = generationSequence()
    const proxy = await startTcpProxy(redis.server.port)
    const log: string[] = []
    const n1 = await lockNode({
      url: proxy.url,
      prefix,
      journal,
      generations,
      events: eventLog(log),
    })
    const n2 = await lockNode({ url: redis.server.url, prefix, journal, generations, nodeId: 'n2' })
    try {
      proxy.swallowReplies()
      const lost = acquire(n1, ann, { requestId: 'r1' })
      await vi.waitFor(async () => expect((await n2.service.get(key))?.holder).toEqual(ann))
      proxy.cut()
      await expect(lost).rejects.toMatchObject({ code: 'unavailable' })
      expect(journal.entries).toEqual([])
      proxy.heal()
      await vi.waitFor(() => expect(n1.service.ready).toBe(true))
      const retried = await acquire(n1, ann, { requestId: 'r1' })
      const again = await acquire(n1, ann, { requestId: 'r1' })
      const held = await n2.service.get(key)
      expect(retried).toEqual({ lock: held })
      expect(again).toEqual(retried)
      // Journaled once, by the retry; the lost grant's token is the only one there is.
      expect(journal.entries.map((e) => [e.kind, e.token])).toEqual([
        ['granted', held?.fencingToken],
      ])
      await expect(acquire(n2, bob)).rejects.toMatchObject({ code: 'locked' })
    } finally {
      await proxy.close()
    }
  })
})

/**
 * Faults the cluster's locks must survive (docs/cluster.md, "What each fault does"): a session
 * whose socket or whose node is gone frees its locks within the bound, never before; a fence
 * counter that went backwards is caught by the journal and a new generation continues above
 * it; a journal that cannot be written means no grant is told to anyone.
 */
import { describe, expect, it, vi } from 'vitest'
import { MemoryLockJournal, type LockJournalEntry } from '../../server/locks/lock-journal.ts'
import type { LockEvents } from '../../server/locks/lock-service.ts'
import { skipWithoutRedis } from './redis.ts'
import {
  connect,
  generationSequence,
  lockNode,
  openSession,
  uniquePrefix,
  useRedis,
  type LockNode,
} from './redis-nodes.ts'

const key = 'b1/task/t1'
const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }
/** The heartbeat interval these tests run at, and the reaper's period. */
const HB = 300
const REAPER = 50

const acquire = (
  node: LockNode,
  who: typeof ann,
  extra: { sessionId?: string; wait?: boolean; requestId?: string } = {},
) => node.service.acquire({ key, boardId: 'b1', user: who, sessionId: null, ...extra })

/** Resolves with the time at which `who` is granted the lock from a queue. */
function grantedAt(who: string): { events: LockEvents; at: Promise<number> } {
  let resolve: (at: number) => void = () => {}
  const at = new Promise<number>((r) => (resolve = r))
  return {
    at,
    events: {
      granted: (lock, _b, fromQueue) => {
        if (fromQueue && lock.holder.id === who) resolve(Date.now())
      },
      released() {},
      queued() {},
      refused() {},
    },
  }
}

describe.skipIf(skipWithoutRedis)('Redis lock faults', () => {
  const redis = useRedis()

  async function holderAndWaiter(ttlMs: number) {
    const prefix = uniquePrefix()
    const journal = new MemoryLockJournal()
    const generations = generationSequence()
    const bobGranted = grantedAt('bob')
    const n1 = await lockNode({ url: redis.server.url, prefix, journal, generations })
    const n2 = await lockNode({
      url: redis.server.url,
      prefix,
      journal,
      generations,
      nodeId: 'n2',
      events: bobGranted.events,
    })
    await openSession(n1, 's-ann', ann, ttlMs)
    await acquire(n1, ann, { sessionId: 's-ann' })
    await acquire(n2, bob, { wait: true })
    return { n1, n2, bobGranted: bobGranted.at, stopReaper: n2.service.startReaper(REAPER) }
  }

  it('[L5] a session whose socket closed frees its locks one heartbeat later, not before; the waiter is served', async () => {
    const { n1, bobGranted, stopReaper } = await holderAndWaiter(2 * HB)
    const closed = Date.now()
    await n1.sessions.detach('s-ann', HB)
    const at = await bobGranted
    stopReaper()
    expect(at - closed).toBeGreaterThanOrEqual(HB - 2)
    expect(at - closed).toBeLessThanOrEqual(HB + REAPER + 250)
  })

  it('[L5] a session whose node died is freed by another node’s reaper within 2 heartbeats of its last refresh', async () => {
    const { n1, bobGranted, stopReaper } = await holderAndWaiter(2 * HB)
    // The node's last refresh (at a ping: now + 2 HB), then it dies: nothing more from it.
    const refreshed = Date.now()
    await openSession(n1, 's-ann', ann, 2 * HB)
    await n1.connection.close()
    const at = await bobGranted
    stopReaper()
    expect(at - refreshed).toBeGreaterThanOrEqual(2 * HB - 2)
    expect(at - refreshed).toBeLessThanOrEqual(2 * HB + REAPER + 250)
  })

  it('[L2] a fence counter that went backwards in Redis is caught by the journal; a new generation grants above it', async () => {
    const prefix = uniquePrefix()
    const journal = new MemoryLockJournal()
    const generations = generationSequence()
    const granted: number[] = []
    const n1 = await lockNode({
      url: redis.server.url,
      prefix,
      journal,
      generations,
      events: {
        granted: (lock) => void granted.push(lock.fencingToken),
        released() {},
        queued() {},
        refused() {},
      },
    })
    for (let i = 0; i < 3; i++) {
      await acquire(n1, ann)
      await n1.service.release(key, ann, null)
    }
    const before = n1.service.generation.current
    // As if Redis had come back from an older state while keeping its run_id.
    await n1.connection.client.hset(n1.connection.keys.fence('b1'), 'task/t1', 0)
    const result = await acquire(n1, bob, { requestId: 'r1' })
    const token = 'lock' in result ? result.lock.fencingToken : 0
    expect(n1.service.generation.current).toBeGreaterThan(before as number)
    expect(token).toBeGreaterThan(
      journal.entries
        .filter((e) => e.kind === 'granted')
        .slice(0, 3)
        .at(-1)?.token as number,
    )
    expect(granted).toHaveLength(4)
    expect(granted.at(-1)).toBe(token)
    expect((await n1.service.get(key))?.fencingToken).toBe(token)
  })

  it('a grant that cannot be journaled is taken back and the caller told to retry; the retry is granted', async () => {
    const prefix = uniquePrefix()
    const inner = new MemoryLockJournal()
    let reachable = true
    const journal = {
      record: async (entries: readonly LockJournalEntry[]) => {
        if (!reachable) throw new Error('PostgreSQL is unreachable')
        await inner.record(entries)
      },
      latest: () => inner.latest(),
    }
    const log: string[] = []
    const n1 = await lockNode({
      url: redis.server.url,
      prefix,
      journal,
      events: {
        granted: (lock) => void log.push(`granted ${lock.holder.id}`),
        released() {},
        queued() {},
        refused() {},
      },
    })
    reachable = false
    await expect(acquire(n1, ann, { requestId: 'r1' })).rejects.toMatchObject({
      code: 'unavailable',
    })
    expect(await n1.service.get(key)).toBeNull()
    expect(log).toEqual([])
    reachable = true
    const retried = await acquire(n1, ann, { requestId: 'r1' })
    expect('lock' in retried && retried.lock.holder).toEqual(ann)
    expect(log).toEqual(['granted ann'])
    await expect(acquire(n1, bob)).rejects.toMatchObject({ code: 'locked' })
  })

  it('a generation whose rebuilding node died is replaced by a newer one once it is stale', async () => {
    const prefix = uniquePrefix()
    const journal = new MemoryLockJournal()
    await journal.record([
      {
        kind: 'granted',
        key,
        boardId: 'b1',
        token: 5 * 2 ** 32 + 3,
        holder: ann,
        sessionId: null,
        requestId: null,
        acquiredAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        ttlMs: 60_000,
        reason: null,
        at: Date.now(),
      },
    ])
    // A node won generation 5 on this very Redis, then died before rebuilding it.
    const dead = await connect(redis.server.url, prefix)
    const runId = await dead.runId()
    expect(await dead.fcall('gen_begin', [prefix, runId, 5, '', 60_000])).toContain('won')
    await dead.close()
    const started = Date.now()
    const n1 = await lockNode({
      url: redis.server.url,
      prefix,
      journal,
      generations: generationSequence(10),
      staleRebuildMs: 300,
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(n1.service.generation.current).toBe(11)
    expect((await n1.service.get(key))?.fencingToken).toBe(5 * 2 ** 32 + 3)
  })

  it('fails closed while Redis is unreachable, and serves again when it is back', async () => {
    const n1 = await lockNode({ url: redis.server.url, prefix: uniquePrefix() })
    await acquire(n1, ann)
    await redis.server.kill()
    const asked = Date.now()
    await expect(acquire(n1, bob)).rejects.toMatchObject({ code: 'unavailable' })
    await expect(n1.service.list('b1')).rejects.toMatchObject({ code: 'unavailable' })
    expect(Date.now() - asked).toBeLessThan(2500)
    await vi.waitFor(() => expect(n1.connection.health).toBe('down'))
    await redis.server.restart()
    await vi.waitFor(() => expect(n1.service.ready).toBe(true), { timeout: 10_000 })
    expect(n1.connection.health).toBe('up')
    expect((await n1.service.get(key))?.holder).toEqual(ann)
  })
})

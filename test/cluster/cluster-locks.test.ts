/**
 * A cluster node's lock tables (server/cluster/cluster-locks.ts): the rooms enforce locks from
 * a table per board served, kept by events and read again from Redis every `refreshMs` in case
 * an event was missed. Here the other node's changes reach the table only through that re-read
 * (no events are passed between the two), for several boards at once.
 */
import { describe, expect, it, vi } from 'vitest'
import { ClusterLocks } from '../../server/cluster/cluster-locks.ts'
import type { LockActivity } from '../../server/locks/lock-activity.ts'
import { skipWithoutRedis } from './redis.ts'
import { generationSequence, lockNode, uniquePrefix, useRedis } from './redis-nodes.ts'

const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }

describe.skipIf(skipWithoutRedis)('a node’s lock tables', () => {
  const redis = useRedis()

  it('are read again from Redis, every board served, so a missed lock event is made up within refreshMs', async () => {
    const prefix = uniquePrefix()
    const generations = generationSequence()
    const here = await lockNode({ url: redis.server.url, prefix, nodeId: 'n1', generations })
    const there = await lockNode({ url: redis.server.url, prefix, nodeId: 'n2', generations })
    const locks = new ClusterLocks(here.service, here.sessions, {
      activity: { written: async () => {} } as unknown as LockActivity,
      defaultTtlMs: 60_000,
      heartbeatMs: 10_000,
      sessionAlive: () => false,
      liveSessions: () => [],
      refreshMs: 50,
      redis: here.connection,
      holder: 'n1.1',
    })
    try {
      const boards = Array.from({ length: 12 }, (_, i) => `b${i}`)
      for (const boardId of boards) await locks.serve(boardId)
      expect(boards.map((b) => locks.lockedByOthers(b, 'cy'))).toEqual(boards.map(() => null))

      // Taken through the other node, whose events never reach this one.
      for (const [i, boardId] of boards.entries())
        if (i % 3 === 0)
          await there.service.acquire({
            key: `${boardId}/task/t${i}`,
            boardId,
            user: i % 2 ? ann : bob,
            sessionId: null,
          })
      await vi.waitFor(() =>
        boards.forEach((boardId, i) =>
          expect(locks.lockedByOthers(boardId, 'cy')).toEqual(
            i % 3 === 0 ? new Map([[`task/t${i}`, i % 2 ? ann : bob]]) : null,
          ),
        ),
      )
      // The holder is not guarded against their own lock.
      expect(locks.lockedByOthers('b3', 'ann')).toEqual(new Map())

      await there.service.release('b0/task/t0', bob, null)
      await vi.waitFor(() => expect(locks.lockedByOthers('b0', 'cy')).toBeNull())
      // A board no longer served is not read again.
      locks.forget('b3')
      await there.service.release('b3/task/t3', ann, null)
      expect(locks.lockedByOthers('b3', 'cy')).toBeNull()
    } finally {
      locks.stop()
    }
  })
})

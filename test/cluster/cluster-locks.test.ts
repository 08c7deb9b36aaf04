/**
 * A cluster node's lock tables (server/cluster/cluster-locks.ts): the rooms enforce locks from
 * a table per board served, kept by events and read again from Redis every `refreshMs` in case
 * an event was missed. Here the other node's changes reach the table only through that re-read
 * (no events are passed between the two), for several boards at once; and through lock events
 * that arrive out of the order the locks changed in, as events of two nodes can.
 */
import { describe, expect, it, vi } from 'vitest'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import { ClusterLocks } from '../../server/cluster/cluster-locks.ts'
import { EventBus } from '../../server/events/bus.ts'
import type { LockActivity } from '../../server/locks/lock-activity.ts'
import { skipWithoutRedis } from './redis.ts'
import {
  generationSequence,
  lockNode,
  uniquePrefix,
  useRedis,
  type LockNode,
} from './redis-nodes.ts'

const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }

/** The lock tables of node `here` (n1), with no live sessions, read again every `refreshMs`. */
function tables(here: LockNode, refreshMs: number): ClusterLocks {
  return new ClusterLocks(here.service, here.sessions, {
    activity: { written: async () => {} } as unknown as LockActivity,
    defaultTtlMs: 60_000,
    heartbeatMs: 10_000,
    sessionAlive: () => false,
    liveSessions: () => [],
    refreshMs,
    redis: here.connection,
    holder: 'n1.1',
  })
}

describe.skipIf(skipWithoutRedis)('a node’s lock tables', () => {
  const redis = useRedis()

  it('order lock events by fencing token, so a late end or grant does not undo a newer change', async () => {
    const prefix = uniquePrefix()
    const here = await lockNode({
      url: redis.server.url,
      prefix,
      nodeId: 'n1',
      generations: generationSequence(),
    })
    // No re-read within the test: the table is what the events made it.
    const locks = tables(here, 60_000)
    // The events of other nodes, as a node's bus hands them on once ordered per stream.
    const bus = new EventBus({} as ConstructorParameters<typeof EventBus>[0])
    bus.inCluster(
      () => {},
      (stream, seq, event, deliver) => deliver(stream, seq, event),
    )
    const stop = locks.follow(bus)
    let seq = 0
    const arrive = (type: string, key: string, holder: typeof ann, fencingToken: number) =>
      bus.deliverFromElsewhere('board:b1', ++seq, {
        type,
        ts: Date.now(),
        actor: { type: 'user', ...holder },
        boardId: 'b1',
        data: { key, holder, fencingToken, expiresAt: Date.now() + 60_000 },
      } as unknown as LoupeEvent)
    try {
      await locks.serve('b1')
      // Ann's second grant (another tab of hers), then the end of her first.
      arrive('lock.acquired', 'b1/task/t1', ann, 1)
      arrive('lock.acquired', 'b1/task/t1', ann, 2)
      arrive('lock.released', 'b1/task/t1', ann, 1)
      expect(locks.lockedByOthers('b1', 'cy')).toEqual(new Map([['task/t1', ann]]))
      // An end that arrives before its grant: the grant is not taken up.
      arrive('lock.expired', 'b1/task/t2', bob, 5)
      arrive('lock.acquired', 'b1/task/t2', bob, 5)
      // An older grant after a newer one keeps the newer holder.
      arrive('lock.acquired', 'b1/task/t3', bob, 8)
      arrive('lock.acquired', 'b1/task/t3', ann, 7)
      expect(locks.lockedByOthers('b1', 'cy')).toEqual(
        new Map([
          ['task/t1', ann],
          ['task/t3', bob],
        ]),
      )
      arrive('lock.released', 'b1/task/t1', ann, 2)
      arrive('lock.released', 'b1/task/t3', bob, 8)
      expect(locks.lockedByOthers('b1', 'cy')).toBeNull()
    } finally {
      stop()
      locks.stop()
    }
  })

  it('are read again from Redis, every board served, so a missed lock event is made up within refreshMs', async () => {
    const prefix = uniquePrefix()
    const generations = generationSequence()
    const here = await lockNode({ url: redis.server.url, prefix, nodeId: 'n1', generations })
    const there = await lockNode({ url: redis.server.url, prefix, nodeId: 'n2', generations })
    const locks = tables(here, 50)
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

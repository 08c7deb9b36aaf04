/**
 * News between nodes (server/cluster/cluster-news.ts) over a private Redis: "saved" news, said
 * by every commit of a board, reaches the other nodes at most every SAVED_EVERY_MS, the first
 * of a quiet spell at once, and the last with the latest state vector for everyone since.
 */
import pino from 'pino'
import { describe, expect, it, vi } from 'vitest'
import { ClusterNews, SAVED_EVERY_MS } from '../../server/cluster/cluster-news.ts'
import { EventBus } from '../../server/events/bus.ts'
import type { NodeNews } from '../../server/node-news.ts'
import { skipWithoutRedis } from './redis.ts'
import { connect, uniquePrefix, useRedis } from './redis-nodes.ts'

interface Saved {
  boardId: string
  userIds: string[]
  stateVector: number[]
}

/** A node's own sockets, as far as "saved" goes: what they were told, in order. */
function sockets(): { local: NodeNews; saved: Saved[] } {
  const saved: Saved[] = []
  const local: NodeNews = {
    guestsEnded() {},
    membership() {},
    notification() {},
    docCommitted(boardId, userIds, stateVector) {
      saved.push({ boardId, userIds: [...userIds].sort(), stateVector: [...stateVector] })
    },
    lockedEdit() {},
    forbiddenEdit() {},
    sessionMoved() {},
  }
  return { local, saved }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe.skipIf(skipWithoutRedis)('news between nodes', () => {
  const redis = useRedis()

  it('says "saved" to the other nodes at most every SAVED_EVERY_MS, the latest for everyone since', async () => {
    const prefix = uniquePrefix()
    const log = pino({ level: 'silent' })
    const started: ClusterNews[] = []
    const node = async (id: string) => {
      const news = new ClusterNews(await connect(redis.server.url, prefix), id, log, () => {})
      started.push(news)
      const own = sockets()
      const bus = new EventBus({} as ConstructorParameters<typeof EventBus>[0])
      return { news: await news.start(own.local, bus), saved: own.saved }
    }
    try {
      const a = await node('a')
      const b = await node('b')
      // 30 commits of one board, one a turn, by two people; this node's sockets hear each.
      const commits = 30
      const began = performance.now()
      for (let i = 1; i <= commits; i++) {
        a.news.docCommitted('b1', new Set([i % 2 ? 'ann' : 'bob']), new Uint8Array([1, i]))
        await turn()
      }
      const spells = Math.ceil((performance.now() - began) / SAVED_EVERY_MS) + 1
      expect(a.saved).toHaveLength(commits)
      await vi.waitFor(() =>
        expect(b.saved.at(-1)).toEqual({
          boardId: 'b1',
          userIds: ['ann', 'bob'],
          stateVector: [1, commits],
        }),
      )
      // The first at once, then one per spell: far fewer messages than commits.
      expect(b.saved[0]).toEqual({ boardId: 'b1', userIds: ['ann'], stateVector: [1, 1] })
      expect(b.saved.length).toBeLessThanOrEqual(spells)
      expect(b.saved.length).toBeLessThan(commits / 3)
    } finally {
      for (const news of started) news.stop()
    }
  })
})

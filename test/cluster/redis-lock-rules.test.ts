/** The lock rules suite (server/locks/lock-rules.contract.ts) against the cluster's Redis locks. */
import { describe } from 'vitest'
import { lockRulesContract } from '../../server/locks/lock-rules.contract.ts'
import { skipWithoutRedis } from './redis.ts'
import { killSession, lockNode, openSession, uniquePrefix, useRedis } from './redis-nodes.ts'

describe.skipIf(skipWithoutRedis)('Redis lock service', () => {
  const redis = useRedis()
  lockRulesContract('cluster, Redis', async (events) => {
    const node = await lockNode({ url: redis.server.url, prefix: uniquePrefix(), events })
    return {
      locks: node.service,
      openSession: async (sessionId, user) => void (await openSession(node, sessionId, user)),
      killSession: (sessionId) => killSession(node, sessionId),
      tick: () => node.service.reap(),
      // The node is closed with the test (redis-nodes.ts).
      close: async () => {},
    }
  })
})

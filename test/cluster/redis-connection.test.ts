/**
 * The Redis connection of a cluster node: the `loupe` library is there whenever the connection
 * says it is up — after a restart that lost it, and even when it vanished under a live
 * connection — and ids in keys are encoded alike by TypeScript and by the library.
 */
import { describe, expect, it, vi } from 'vitest'
import { encodeId } from '../../server/cluster/redis/keys.ts'
import { ChannelSubscriber } from '../../server/cluster/redis/channel-subscriber.ts'
import type { RedisConnection } from '../../server/cluster/redis/connection.ts'
import { skipWithoutRedis } from './redis.ts'
import { connect, lockNode, uniquePrefix, useRedis } from './redis-nodes.ts'
import { startTcpProxy } from './tcp-proxy.ts'

const libraries = async (connection: RedisConnection) =>
  JSON.stringify(await connection.client.call('FUNCTION', 'LIST'))

describe('Redis key encoding', () => {
  it('percent-encodes every byte outside the unreserved characters', () => {
    expect(encodeId('Ab-9_.~')).toBe('Ab-9_.~')
    expect(encodeId('a:b{c}*')).toBe('a%3Ab%7Bc%7D%2A')
    expect(encodeId('a%3Ab')).toBe('a%253Ab')
    expect(encodeId('é😀')).toBe('%C3%A9%F0%9F%98%80')
  })
})

describe.skipIf(skipWithoutRedis)('Redis connection', () => {
  const redis = useRedis()

  it('loads the library on every connect, and again on demand when it vanished; health follows', async () => {
    const connection = await connect(redis.server.url, uniquePrefix())
    const down: string[] = []
    connection.onDown(() => down.push('down'))
    expect(connection.health).toBe('up')
    expect(await libraries(connection)).toContain('"loupe"')

    // Gone under a live connection (FUNCTION FLUSH elsewhere): the next call loads it again.
    await connection.client.call('FUNCTION', 'DELETE', 'loupe')
    expect(await connection.fcall('lease_release', [connection.keys.prefix, 'b', 'me'])).toBe(0)

    await redis.server.kill()
    await vi.waitFor(() => expect(connection.health).toBe('down'))
    expect(down).toEqual(['down'])
    await redis.server.restart()
    await vi.waitFor(() => expect(connection.health).toBe('up'), { timeout: 5000 })
    // Up means loaded: the library is there before any call asks for it.
    expect(await libraries(connection)).toContain('"loupe"')
  })

  it('a channel subscriber listens only once Redis confirmed it, after every reconnect, and tells each loss once', async () => {
    const proxy = await startTcpProxy(redis.server.port)
    const connection = await connect(proxy.url, uniquePrefix())
    const publisher = await connect(redis.server.url, uniquePrefix())
    const channel = `${connection.keys.prefix}inbox`
    const heard: string[] = []
    let lost = 0
    const subscriber = new ChannelSubscriber(connection, channel, {
      message: (payload) => heard.push(payload.toString()),
      lost: () => lost++,
    })
    try {
      await subscriber.start()
      // Listening means subscribed: a message published now has one receiver, and arrives.
      expect(await publisher.client.publish(channel, 'one')).toBe(1)
      await vi.waitFor(() => expect(heard).toEqual(['one']))

      proxy.cut()
      await vi.waitFor(() => expect(subscriber.listening).toBe(false))
      expect(lost).toBe(1)
      expect(await subscriber.whenListening(50)).toBe(false)

      proxy.heal()
      expect(await subscriber.whenListening(5000)).toBe(true)
      expect(await publisher.client.publish(channel, 'two')).toBe(1)
      await vi.waitFor(() => expect(heard).toEqual(['one', 'two']))
      expect(lost).toBe(1)
    } finally {
      subscriber.stop()
      await proxy.close()
    }
  })

  it('builds the same keys in TypeScript and in Lua, whatever the ids contain', async () => {
    const prefix = uniquePrefix()
    const odd = 'a:b{c}*?[x]é'
    const node = await lockNode({ url: redis.server.url, prefix, nodeId: 'n:1' })
    const { client, keys } = node.connection
    await node.connection.fcall('lease_claim', [prefix, odd, 'n.1', 5000])
    expect(await client.exists(keys.owner(odd))).toBe(1)
    await node.sessions.touch(odd, { id: 'u', name: 'U' }, 5000)
    expect(await client.hget(keys.session(odd), 'userId')).toBe('u')
    const lockKey = `${odd}/task/t:1`
    await node.service.acquire({
      key: lockKey,
      boardId: odd,
      user: { id: 'u', name: 'U' },
      sessionId: odd,
      wait: true,
    })
    expect(await client.hexists(keys.locks(odd), 'task/t:1')).toBe(1)
    expect(await client.hexists(keys.fence(odd), 'task/t:1')).toBe(1)
    expect(await client.zscore(keys.lockExpiries, lockKey)).not.toBeNull()
    expect(await client.get(keys.lockVersion(odd))).toBe('1')
    await node.service.acquire({
      key: lockKey,
      boardId: odd,
      user: { id: 'v', name: 'V' },
      sessionId: null,
      wait: true,
    })
    expect(await client.zcard(keys.queue(odd, 'task/t:1'))).toBe(1)
    // Nothing outside the prefix, and no key with a raw id in it.
    const all = await client.keys('*')
    expect(all.every((k) => k.startsWith(prefix))).toBe(true)
    expect(all.some((k) => k.includes('{c}'))).toBe(false)
  })
})

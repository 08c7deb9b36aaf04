/**
 * Cluster "nodes" for Redis tests: each is its own ioredis connection (as a separate Loupe
 * process would have) with its own lock service, sharing one private Redis, one journal and
 * one generation sequence (standing in for PostgreSQL's). Each test gets a key prefix of its
 * own, so tests never see each other's keys.
 */
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest'
import type { LockHolder } from '../../shared/protocol/locks.ts'
import { RedisConnection } from '../../server/cluster/redis/connection.ts'
import { RedisLockSessions } from '../../server/cluster/redis/lock-sessions.ts'
import { RedisLockService } from '../../server/cluster/redis/redis-lock-service.ts'
import { MemoryLockJournal, type LockJournal } from '../../server/locks/lock-journal.ts'
import type { LockEvents } from '../../server/locks/lock-service.ts'
import { startRedis, type PrivateRedis } from './redis.ts'

const closers: Array<() => Promise<void>> = []

/** A private redis-server for the enclosing suite; every node made in a test is closed after it. */
export function useRedis(): { readonly server: PrivateRedis } {
  let server: PrivateRedis | undefined
  beforeAll(async () => {
    server = await startRedis()
  })
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()?.()
  })
  afterAll(async () => {
    await server?.stop()
  })
  return {
    get server() {
      if (!server) throw new Error('the private Redis starts in beforeAll')
      return server
    },
  }
}

let prefixes = 0
export const uniquePrefix = () => `t${process.pid}x${++prefixes}:`

export async function connect(url: string, prefix: string): Promise<RedisConnection> {
  const connection = await RedisConnection.open({ url, prefix, commandTimeoutMs: 1000 })
  closers.push(() => connection.close())
  return connection
}

/** PostgreSQL's generation sequence, stood in for by a counter the nodes of a test share. */
export function generationSequence(start = 0): {
  next: () => Promise<number>
  readonly last: number
} {
  let last = start
  return {
    next: async () => ++last,
    get last() {
      return last
    },
  }
}

export const quietEvents: LockEvents = {
  granted() {},
  released() {},
  queued() {},
  refused() {},
}

export interface LockNode {
  connection: RedisConnection
  service: RedisLockService
  sessions: RedisLockSessions
}

export async function lockNode(options: {
  url: string
  prefix: string
  nodeId?: string
  journal?: LockJournal
  generations?: { next: () => Promise<number> }
  events?: LockEvents
  graceMs?: number
  staleRebuildMs?: number
}): Promise<LockNode> {
  const connection = await connect(options.url, options.prefix)
  const service = new RedisLockService({
    connection,
    journal: options.journal ?? new MemoryLockJournal(),
    nextGeneration: (options.generations ?? generationSequence()).next,
    defaultTtlMs: 60_000,
    events: options.events ?? quietEvents,
    restoredSessionGraceMs: options.graceMs ?? 10_000,
    staleRebuildMs: options.staleRebuildMs,
  })
  closers.push(async () => service.stop())
  await vi.waitFor(() => expect(service.ready).toBe(true), { timeout: 5000 })
  return {
    connection,
    service,
    sessions: new RedisLockSessions(connection, options.nodeId ?? 'n1'),
  }
}

/** Opens a session and waits until it is dead (its deadline passed; nothing freed yet). */
export async function killSession(node: LockNode, sessionId: string): Promise<void> {
  await node.sessions.detach(sessionId, 1)
  await vi.waitFor(async () => expect(await node.sessions.alive(sessionId)).toBe(false))
}

export const openSession = (node: LockNode, sessionId: string, user: LockHolder, ttlMs = 60_000) =>
  node.sessions.touch(sessionId, user, ttlMs)

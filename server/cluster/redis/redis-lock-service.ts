/**
 * The lock service of cluster mode: the operations and answers of locks/lock-service.ts
 * (docs/locks.md), with Redis as the one source of truth for every node. Each operation is one
 * library function (lock-functions.lua), atomic, on Redis's clock. What it changed is
 * journaled (LockJournal, PostgreSQL) before the caller is answered, then reported through the
 * same LockEvents as on one node. Fencing tokens are `gen × 2^32 + counter`, gen kept by the
 * generation protocol (lock-generation.ts). While Redis is unreachable or being rebuilt,
 * operations fail closed with `unavailable` (503) rather than guess.
 */
import { ErrorCode } from '../../../shared/protocol/errors.ts'
import type { EntityRef, Lock, LockHolder } from '../../../shared/protocol/locks.ts'
import { badRequest, LoupeError } from '../../errors.ts'
import { FenceRegressionError, type LockJournal } from '../../locks/lock-journal.ts'
import { LockError, type AcquireResult, type LockEvents } from '../../locks/lock-service.ts'
import type { RedisConnection } from './connection.ts'
import { LockGeneration } from './lock-generation.ts'
import { LockOutcomes } from './lock-outcomes.ts'
import { LockRebuild } from './lock-rebuild.ts'
import {
  boardOf,
  entityOf,
  parseList,
  parseReply,
  toLock,
  type LockRecord,
  type Reply,
} from './lock-records.ts'

export interface RedisLockServiceOptions {
  connection: RedisConnection
  journal: LockJournal
  /** The next generation for Redis run `runId` (PostgreSQL's nextLockGeneration); see lock-generation.ts. */
  nextGeneration: (runId: string) => Promise<number>
  defaultTtlMs: number
  events: LockEvents
  /** Deadline given to sessions restored from the journal after Redis lost them: max(1 HB, 10 s). */
  restoredSessionGraceMs: number
  /** How long an operation waits for Redis to be back before answering unavailable (default 1 s). */
  waitForRedisMs?: number | undefined
  staleRebuildMs?: number | undefined
  onError?: ((error: Error) => void) | undefined
}

export const locksUnavailable = () =>
  new LoupeError(ErrorCode.unavailable, 'locks are unavailable for a moment: try again', {
    retryAfterSeconds: 1,
    reason: 'locks_unavailable',
  })

const isNoGeneration = (error: unknown) =>
  error instanceof Error && error.message.startsWith('NOGEN')

export class RedisLockService {
  readonly generation: LockGeneration
  private readonly outcomes: LockOutcomes
  private readonly waitMs: number

  constructor(private readonly options: RedisLockServiceOptions) {
    this.waitMs = options.waitForRedisMs ?? 1000
    const rebuild = new LockRebuild(
      options.connection,
      options.journal,
      options.restoredSessionGraceMs,
    )
    this.generation = new LockGeneration({
      connection: options.connection,
      nextGeneration: options.nextGeneration,
      rebuild: (gen) => rebuild.run(gen),
      staleRebuildMs: options.staleRebuildMs,
      onError: options.onError,
    })
    this.outcomes = new LockOutcomes({ ...options, generation: this.generation })
  }

  get ready(): boolean {
    return this.generation.ready
  }

  async acquire(request: {
    key: string
    boardId: string
    user: LockHolder
    sessionId: string | null
    ttlMs?: number | undefined
    wait?: boolean | undefined
    requestId?: string | undefined
  }): Promise<AcquireResult> {
    const { key, boardId, user } = request
    const args = [
      boardId,
      key.slice(boardId.length + 1),
      user.id,
      user.name,
      request.sessionId ?? '',
      request.ttlMs ?? this.options.defaultTtlMs,
      request.wait ? '1' : '0',
      request.requestId ?? '',
    ]
    const reply = await this.change('lock_acquire', args, true)
    const lock = reply.lock as LockRecord
    const now = Number(reply.now)
    if (reply.r === 'lock') return { lock: toLock(lock) }
    if (reply.r === 'queued') {
      const position = reply.position as number
      return {
        queued: { key, position, estimatedWaitMs: this.outcomes.estimate(lock, now, position) },
      }
    }
    if (reply.r === 'nosession') throw badRequest('sessionId is not a live session of yours')
    const queueLength = reply.queueLength ?? 0
    throw new LockError('locked', `${key} is locked by ${lock.h.name}`, {
      key,
      holder: lock.h,
      acquiredAt: Number(lock.a),
      expiresAt: Number(lock.e),
      estimatedWaitMs: this.outcomes.estimate(lock, now, queueLength + 1),
      queueLength,
    })
  }

  /** Only the holder renews (L3); `ttlMs` defaults to the lock's own TTL. */
  async renew(
    key: string,
    user: LockHolder,
    sessionId: string | null,
    ttlMs?: number,
  ): Promise<Lock> {
    const reply = await this.change('lock_renew', [
      boardOf(key),
      entityOf(key),
      user.id,
      sessionId ?? '',
      ttlMs ?? '',
    ])
    return this.held(reply, key)
  }

  /** Only the holder releases (L3); the next live waiter is served (L6). */
  async release(key: string, user: LockHolder, sessionId: string | null): Promise<Lock> {
    const reply = await this.change('lock_release', [
      boardOf(key),
      entityOf(key),
      user.id,
      user.name,
      sessionId ?? '',
    ])
    return this.held(reply, key)
  }

  /** An owner takes a lock away (L9); the holder is told through the events. */
  async forceRelease(key: string, by: LockHolder): Promise<Lock> {
    const reply = await this.change('lock_force_release', [
      boardOf(key),
      entityOf(key),
      by.id,
      by.name,
    ])
    return this.held(reply, key)
  }

  async cancel(key: string, user: LockHolder, sessionId: string | null): Promise<void> {
    const reply = await this.change('lock_cancel', [
      boardOf(key),
      entityOf(key),
      user.id,
      sessionId ?? '',
    ])
    if (reply.r === 'not_queued')
      throw new LockError('not_queued', `not waiting for ${key}`, { key })
  }

  /** A dead or ended live session loses its locks and its places in queues (L5). */
  async releaseSession(sessionId: string): Promise<void> {
    await this.change('lock_release_session', [sessionId])
  }

  /** A member who may no longer edit these boards loses their locks and places (L12). */
  async releaseMember(
    userId: string,
    boardIds: ReadonlySet<string>,
    by: LockHolder,
  ): Promise<void> {
    if (boardIds.size === 0) return
    await this.change('lock_release_member', [userId, by.id, by.name, ...boardIds])
  }

  /** Ends sessions past their deadline and expires locks past their TTL (run on every node). */
  async reap(limit = 100): Promise<void> {
    for (let slice = 0; slice < 10; slice++) {
      const reply = await this.change('lock_reap', [limit])
      if (!reply.more) return
    }
  }

  /** Reaps every `intervalMs` while Redis is ready; returns a stop function. */
  startReaper(intervalMs: number): () => void {
    let busy = false
    const timer = setInterval(() => {
      if (busy || !this.ready) return
      busy = true
      this.reap()
        .catch((error: unknown) => this.options.onError?.(error as Error))
        .finally(() => {
          busy = false
        })
    }, intervalMs)
    timer.unref()
    return () => clearInterval(timer)
  }

  async list(boardId: string): Promise<Lock[]> {
    await this.whenReady()
    const { locks } = parseList(
      await this.options.connection
        .fcallReadOnly('lock_list', [this.options.connection.keys.prefix, boardId])
        .catch(() => {
          throw locksUnavailable()
        }),
    )
    return locks.map(toLock)
  }

  /**
   * Several boards' locks in one round trip (one pipeline of `lock_list` calls): a node's
   * periodic re-read of the boards it serves, which one call per board, one after the other,
   * made a thousand round trips a second on a node serving a thousand boards.
   */
  async listMany(boardIds: readonly string[]): Promise<Map<string, Lock[]>> {
    await this.whenReady()
    const connection = this.options.connection
    const pipeline = connection.client.pipeline()
    for (const boardId of boardIds)
      pipeline.fcall_ro('lock_list', 0, connection.keys.prefix, boardId)
    const replies = await pipeline.exec().catch(() => null)
    const lists = new Map<string, Lock[]>()
    boardIds.forEach((boardId, i) => {
      const [error, raw] = replies?.[i] ?? [locksUnavailable(), null]
      // A library lost to a Redis restart is loaded again on reconnect; the next read works.
      if (error) throw locksUnavailable()
      lists.set(boardId, parseList(raw).locks.map(toLock))
    })
    return lists
  }

  async get(key: string): Promise<Lock | null> {
    return (await this.list(boardOf(key))).find((lock) => lock.key === key) ?? null
  }

  /** The board's entities locked by someone other than `userId`, or null when it has no locks. */
  async lockedByOthers(
    boardId: string,
    userId: string,
  ): Promise<Map<EntityRef, LockHolder> | null> {
    const locks = await this.list(boardId)
    if (locks.length === 0) return null
    const found = new Map<EntityRef, LockHolder>()
    for (const lock of locks)
      if (lock.holder.id !== userId) found.set(entityOf(lock.key) as EntityRef, lock.holder)
    return found
  }

  stop(): void {
    this.generation.stop()
  }

  private held(reply: Reply, key: string): Lock {
    if (reply.r === 'ok' && reply.lock) return toLock(reply.lock)
    const holder = reply.lock?.h
    throw new LockError(
      'not_holder',
      holder ? `${key} is held by ${holder.name}` : `${key} is not locked`,
      holder ? { key, holder } : { key },
    )
  }

  private async whenReady(): Promise<void> {
    if (!this.generation.ready && !(await this.generation.whenReady(this.waitMs)))
      throw locksUnavailable()
  }

  /**
   * Runs one library function, journals what it changed, then reports it. A function refused
   * for want of a ready generation never ran, so it is run once more after the check; so is an
   * acquire whose grant the journal refused (a new generation replaced the one that erred).
   */
  private async change(
    name: string,
    args: ReadonlyArray<string | number>,
    retryRefusedGrant = false,
  ): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      await this.whenReady()
      let reply: Reply
      try {
        reply = parseReply(
          await this.options.connection.fcall(name, [this.options.connection.keys.prefix, ...args]),
        )
      } catch (error) {
        if (!isNoGeneration(error) || attempt > 0) throw locksUnavailable()
        void this.generation.check()
        continue
      }
      try {
        await this.outcomes.apply(reply.changes, Number(reply.now))
        return reply
      } catch (error) {
        if (!(error instanceof FenceRegressionError) || !retryRefusedGrant || attempt > 0)
          throw locksUnavailable()
      }
    }
  }
}

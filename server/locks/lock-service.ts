/**
 * The lock service: one source of truth for entity locks (docs/locks.md, rules L1–L10).
 * All state changes are synchronous (one event loop, the store written through in the same
 * call), so operations are linearizable: of simultaneous requests exactly one wins (L1).
 * Expiry runs on a monotonic clock (L4); fencing counters are stored and only grow (L2).
 * What is kept across restarts is the store's business (lock-store.ts); the rules are here.
 */
import { LoupeError } from '../errors.ts'
import {
  parseLockKey,
  type EntityRef,
  type Lock,
  type LockHolder,
  type Queued,
} from '../../shared/protocol/locks.ts'
import type { LockStore, StoredWaiter } from './lock-store.ts'

/** Why a lock was let go; `membership`: its holder was removed or may no longer edit. */
export type ReleaseReason = 'released' | 'expired' | 'forced' | 'session' | 'membership'

/** A refused lock request; its code is one of shared/protocol/errors.ts's lock codes. */
export class LockError extends LoupeError {
  constructor(
    override readonly code:
      | 'locked'
      | 'not_holder'
      | 'not_queued'
      | 'bad_key'
      | 'ttl_too_long'
      | 'forbidden'
      | 'not_found',
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details)
    this.name = 'LockError'
  }
}

interface Held {
  lock: Lock
  boardId: string
  ttlMs: number
  /** Monotonic ms at which the lock expires. */
  deadline: number
  /** Monotonic ms of the grant, for observed hold times. */
  grantedAt: number
}

type Waiter = StoredWaiter

export type AcquireResult = { lock: Lock } | { queued: Queued }

export interface AcquireRequest {
  key: string
  boardId: string
  user: LockHolder
  sessionId: string | null
  ttlMs?: number | undefined
  wait?: boolean | undefined
  requestId?: string | undefined
}

export interface LockEvents {
  granted(lock: Lock, boardId: string, fromQueue: boolean): void
  released(lock: Lock, boardId: string, reason: ReleaseReason, by: LockHolder): void
  queued(
    key: string,
    boardId: string,
    waiter: LockHolder,
    holder: LockHolder,
    position: number,
  ): void
  refused(key: string, boardId: string, who: LockHolder, holder: LockHolder): void
}

export interface LockServiceOptions {
  store: LockStore
  defaultTtlMs: number
  /** Monotonic clock (ms) for expiry; wall clock (ms) for the times shown to people. */
  monotonic?: () => number
  wall?: () => number
  /** Whether a live session is alive (waiters of dead sessions are skipped, L6). */
  sessionAlive: (sessionId: string) => boolean
  events: LockEvents
}

const IDEMPOTENCY_TTL_MS = 10 * 60 * 1000

export class LockService {
  private readonly held = new Map<string, Held>()
  private readonly queues = new Map<string, Waiter[]>()
  private readonly replies = new Map<string, { result: AcquireResult; at: number }>()
  private readonly monotonic: () => number
  private readonly wall: () => number
  /** Average observed hold time (ms), for wait estimates. */
  private averageHoldMs: number | null = null

  constructor(private readonly options: LockServiceOptions) {
    this.monotonic = options.monotonic ?? (() => performance.now())
    this.wall = options.wall ?? Date.now
    this.load()
  }

  /**
   * Locks survive a restart with their remaining time (L8). The remainder is read from the
   * stored wall-clock expiry once, clamped to the lock's TTL, then kept on the monotonic clock.
   */
  private load(): void {
    const now = this.wall()
    const mono = this.monotonic()
    for (const { lock, boardId, ttlMs } of this.options.store.loadLocks()) {
      const remaining = Math.min(ttlMs, Math.max(0, lock.expiresAt - now))
      this.held.set(lock.key, {
        lock: { ...lock, expiresAt: now + remaining },
        boardId,
        ttlMs,
        deadline: mono + remaining,
        grantedAt: mono,
      })
    }
    for (const [key, queue] of this.options.store.loadQueues()) this.queues.set(key, queue)
  }

  /** Runs `work` in one store transaction (a request's lock, events and audit rows together). */
  transaction<T>(work: () => T): T {
    return this.options.store.transaction(work)
  }

  /** Live sessions that held or waited for locks when the server stopped (L8). */
  sessionsInUse(): Array<{ sessionId: string; user: LockHolder }> {
    const found = new Map<string, LockHolder>()
    for (const { lock } of this.held.values())
      if (lock.sessionId) found.set(lock.sessionId, lock.holder)
    for (const queue of this.queues.values())
      for (const w of queue) if (w.sessionId) found.set(w.sessionId, w.user)
    return [...found].map(([sessionId, user]) => ({ sessionId, user }))
  }

  acquire(request: AcquireRequest): AcquireResult {
    this.expire()
    // Request ids are the client's: they are unique per session (live) or per user (HTTP).
    const replayKey = request.requestId
      ? `${request.user.id}:${request.sessionId ?? ''}:${request.requestId}`
      : null
    const earlier = replayKey ? this.replies.get(replayKey) : undefined
    // A retried request after a lost reply gets the first answer: no second grant or place (L7).
    if (earlier && this.monotonic() - earlier.at < IDEMPOTENCY_TTL_MS) return earlier.result
    const ttlMs = request.ttlMs ?? this.options.defaultTtlMs
    const current = this.held.get(request.key)
    let result: AcquireResult
    if (!current) {
      result = {
        lock: this.grant(
          request.key,
          request.boardId,
          request.user,
          request.sessionId,
          ttlMs,
          false,
        ),
      }
    } else if (
      current.lock.holder.id === request.user.id &&
      (current.lock.sessionId ?? request.sessionId) === request.sessionId
    ) {
      // The holder asking again keeps the lock (and its token) with a fresh TTL.
      result = { lock: this.extend(current, ttlMs) }
    } else if (request.wait) {
      result = {
        queued: this.enqueue(
          request.key,
          request.boardId,
          request.user,
          request.sessionId,
          ttlMs,
          current,
        ),
      }
    } else {
      this.options.events.refused(request.key, request.boardId, request.user, current.lock.holder)
      throw new LockError('locked', `${request.key} is locked by ${current.lock.holder.name}`, {
        key: request.key,
        holder: current.lock.holder,
        acquiredAt: current.lock.acquiredAt,
        expiresAt: current.lock.expiresAt,
        estimatedWaitMs: this.estimate(current, (this.queues.get(request.key)?.length ?? 0) + 1),
        queueLength: this.queues.get(request.key)?.length ?? 0,
      })
    }
    if (replayKey) {
      this.replies.set(replayKey, { result, at: this.monotonic() })
      if (this.replies.size > 10_000)
        this.replies.delete(this.replies.keys().next().value as string)
    }
    return result
  }

  private grant(
    key: string,
    boardId: string,
    user: LockHolder,
    sessionId: string | null,
    ttlMs: number,
    fromQueue: boolean,
  ): Lock {
    const now = this.wall()
    const { store } = this.options
    const lock = store.transaction((): Lock => {
      const granted: Lock = {
        key,
        holder: user,
        acquiredAt: now,
        expiresAt: now + ttlMs,
        fencingToken: store.nextToken(key),
        sessionId,
      }
      store.save({ lock: granted, boardId, ttlMs })
      return granted
    })
    const mono = this.monotonic()
    this.held.set(key, { lock, boardId, ttlMs, deadline: mono + ttlMs, grantedAt: mono })
    this.options.events.granted(lock, boardId, fromQueue)
    return lock
  }

  private extend(held: Held, ttlMs: number): Lock {
    const lock = { ...held.lock, expiresAt: this.wall() + ttlMs }
    this.options.store.save({ lock, boardId: held.boardId, ttlMs })
    held.deadline = this.monotonic() + ttlMs
    held.ttlMs = ttlMs
    held.lock = lock
    return lock
  }

  private enqueue(
    key: string,
    boardId: string,
    user: LockHolder,
    sessionId: string | null,
    ttlMs: number,
    current: Held,
  ): Queued {
    const queue = this.queues.get(key) ?? []
    let position = queue.findIndex((w) => w.user.id === user.id && w.sessionId === sessionId) + 1
    if (position === 0) {
      queue.push({ user, sessionId, ttlMs, queuedAt: this.wall() })
      this.queues.set(key, queue)
      this.persistQueue(key)
      position = queue.length
      this.options.events.queued(key, boardId, user, current.lock.holder, position)
    }
    return { key, position, estimatedWaitMs: this.estimate(current, position) }
  }

  private persistQueue(key: string): void {
    const queue = this.queues.get(key) ?? []
    this.options.store.saveQueue(key, queue)
    if (queue.length === 0) this.queues.delete(key)
  }

  /** Time until the holder is likely done (observed hold times, capped by the TTL), plus the queue ahead. */
  private estimate(held: Held, position: number): number {
    const now = this.monotonic()
    const remaining = Math.max(0, held.deadline - now)
    const typical = Math.min(this.averageHoldMs ?? held.ttlMs, held.ttlMs)
    const current = Math.min(remaining, Math.max(0, typical - (now - held.grantedAt)))
    return Math.round(current + (position - 1) * typical)
  }

  private holderCheck(key: string, user: LockHolder, sessionId: string | null): Held {
    this.expire()
    const held = this.held.get(key)
    if (!held) throw new LockError('not_holder', `${key} is not locked`, { key })
    const sameSession = !held.lock.sessionId || !sessionId || held.lock.sessionId === sessionId
    if (held.lock.holder.id !== user.id || !sameSession) {
      throw new LockError('not_holder', `${key} is held by ${held.lock.holder.name}`, {
        key,
        holder: held.lock.holder,
      })
    }
    return held
  }

  /** Only the holder renews (L3). */
  renew(key: string, user: LockHolder, sessionId: string | null, ttlMs?: number): Lock {
    const held = this.holderCheck(key, user, sessionId)
    return this.extend(held, ttlMs ?? held.ttlMs)
  }

  /** Only the holder releases (L3); the next live waiter is served (L6). */
  release(key: string, user: LockHolder, sessionId: string | null): Lock {
    const held = this.holderCheck(key, user, sessionId)
    this.drop(held, 'released', user)
    return held.lock
  }

  /** An owner takes a lock away (L9); the holder is told by the caller. */
  forceRelease(key: string, by: LockHolder): Lock {
    this.expire()
    const held = this.held.get(key)
    if (!held) throw new LockError('not_holder', `${key} is not locked`, { key })
    this.drop(held, 'forced', by)
    return held.lock
  }

  cancel(key: string, user: LockHolder, sessionId: string | null): void {
    const queue = this.queues.get(key) ?? []
    const index = queue.findIndex(
      (w) => w.user.id === user.id && (w.sessionId === sessionId || !sessionId),
    )
    if (index < 0) throw new LockError('not_queued', `not waiting for ${key}`, { key })
    queue.splice(index, 1)
    this.persistQueue(key)
  }

  private drop(held: Held, reason: ReleaseReason, by: LockHolder): void {
    const { key } = held.lock
    this.held.delete(key)
    this.options.store.remove(key)
    const hold = this.monotonic() - held.grantedAt
    this.averageHoldMs = this.averageHoldMs === null ? hold : this.averageHoldMs * 0.8 + hold * 0.2
    this.options.events.released(held.lock, held.boardId, reason, by)
    this.serveQueue(key, held.boardId)
  }

  /** Grants the lock to the first waiter whose session is still alive (L6). */
  private serveQueue(key: string, boardId: string): void {
    const queue = this.queues.get(key)
    if (!queue) return
    let next: Waiter | undefined
    while ((next = queue.shift())) {
      if (!next.sessionId || this.options.sessionAlive(next.sessionId)) break
    }
    this.persistQueue(key)
    if (next) this.grant(key, boardId, next.user, next.sessionId, next.ttlMs, true)
  }

  /** Releases locks whose monotonic deadline has passed (L4). */
  expire(): void {
    const now = this.monotonic()
    for (const held of [...this.held.values()]) {
      if (held.deadline <= now) this.drop(held, 'expired', held.lock.holder)
    }
  }

  /**
   * A member removed from a workspace, or downgraded to a role that cannot edit, loses their
   * locks and their places in queues on its boards at once; waiters are served (L12).
   */
  releaseMember(userId: string, boardIds: ReadonlySet<string>, by: LockHolder): void {
    for (const held of [...this.held.values()]) {
      if (held.lock.holder.id === userId && boardIds.has(held.boardId))
        this.drop(held, 'membership', by)
    }
    for (const [key, queue] of [...this.queues]) {
      const board = parseLockKey(key)?.boardId
      if (!board || !boardIds.has(board) || !queue.some((w) => w.user.id === userId)) continue
      this.queues.set(
        key,
        queue.filter((w) => w.user.id !== userId),
      )
      this.persistQueue(key)
    }
  }

  /** A dead live session loses its locks and its places in queues (L5). */
  releaseSession(sessionId: string): void {
    for (const held of [...this.held.values()]) {
      if (held.lock.sessionId === sessionId) this.drop(held, 'session', held.lock.holder)
    }
    for (const [key, queue] of [...this.queues]) {
      if (queue.some((w) => w.sessionId === sessionId)) {
        this.queues.set(
          key,
          queue.filter((w) => w.sessionId !== sessionId),
        )
        this.persistQueue(key)
      }
    }
  }

  get(key: string): Lock | null {
    this.expire()
    return this.held.get(key)?.lock ?? null
  }

  list(boardId: string): Lock[] {
    this.expire()
    return [...this.held.values()].filter((h) => h.boardId === boardId).map((h) => h.lock)
  }

  /**
   * The board's entities locked by someone other than `userId`, by entity ref
   * (`<entityType>/<entityId>`), or null when the board has no locks at all. Asked on every
   * update, so a board without locks costs one scan and no expiry work.
   */
  lockedByOthers(boardId: string, userId: string): Map<EntityRef, LockHolder> | null {
    if (!this.hasLocks(boardId)) return null
    this.expire()
    const found = new Map<EntityRef, LockHolder>()
    for (const held of this.held.values()) {
      if (held.boardId !== boardId || held.lock.holder.id === userId) continue
      const parsed = parseLockKey(held.lock.key)
      if (parsed) found.set(parsed.ref, held.lock.holder)
    }
    return found
  }

  private hasLocks(boardId: string): boolean {
    for (const held of this.held.values()) if (held.boardId === boardId) return true
    return false
  }
}

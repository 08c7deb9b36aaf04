/**
 * The lock service: one source of truth for entity locks (docs/locks.md, rules L1–L10).
 * All state changes are synchronous (one event loop, SQLite write-through in the same call),
 * so operations are linearizable: of simultaneous requests exactly one wins (L1). Expiry runs
 * on a monotonic clock (L4); fencing counters are stored and only grow (L2).
 */
import type { Db } from '../db/open.ts'
import { LoupeError } from '../errors.ts'
import type { Lock, LockHolder, Queued } from '../../shared/protocol/locks.ts'

export type ReleaseReason = 'released' | 'expired' | 'forced' | 'session'

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

interface Waiter {
  user: LockHolder
  sessionId: string | null
  ttlMs: number
  queuedAt: number
}

export type AcquireResult = { lock: Lock } | { queued: Queued }

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
  db: Db
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
  private readonly stmts
  private readonly monotonic: () => number
  private readonly wall: () => number
  /** Average observed hold time (ms), for wait estimates. */
  private averageHoldMs: number | null = null

  constructor(private readonly options: LockServiceOptions) {
    this.monotonic = options.monotonic ?? (() => performance.now())
    this.wall = options.wall ?? Date.now
    const { db } = options
    this.stmts = {
      nextToken: db.prepare<[string], { last_token: number }>(
        `INSERT INTO lock_fences (key, last_token) VALUES (?, 1)
         ON CONFLICT (key) DO UPDATE SET last_token = last_token + 1 RETURNING last_token`,
      ),
      upsert: db.prepare<
        [string, string, string, string, string | null, number, number, number, number]
      >(
        `INSERT INTO locks (key, board_id, holder_id, holder_name, session_id, fencing_token, acquired_at, expires_at, ttl_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET holder_id = excluded.holder_id, holder_name = excluded.holder_name,
           session_id = excluded.session_id, fencing_token = excluded.fencing_token,
           acquired_at = excluded.acquired_at, expires_at = excluded.expires_at, ttl_ms = excluded.ttl_ms`,
      ),
      renew: db.prepare<[number, number, string]>(
        'UPDATE locks SET expires_at = ?, ttl_ms = ? WHERE key = ?',
      ),
      remove: db.prepare<[string]>('DELETE FROM locks WHERE key = ?'),
      all: db.prepare<[], Record<string, string | number | null>>('SELECT * FROM locks'),
      clearQueue: db.prepare<[string]>('DELETE FROM lock_waiters WHERE key = ?'),
      addWaiter: db.prepare<[string, number, string, string, string | null, number, number]>(
        `INSERT INTO lock_waiters (key, position, user_id, user_name, session_id, ttl_ms, queued_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      waiters: db.prepare<[], Record<string, string | number | null>>(
        'SELECT * FROM lock_waiters ORDER BY key, position',
      ),
    }
    this.load()
  }

  /**
   * Locks survive a restart with their remaining time (L8). The remainder is read from the
   * stored wall-clock expiry once, clamped to the lock's TTL, then kept on the monotonic clock.
   */
  private load(): void {
    const now = this.wall()
    const mono = this.monotonic()
    for (const row of this.stmts.all.all()) {
      const ttlMs = Number(row.ttl_ms)
      const remaining = Math.min(ttlMs, Math.max(0, Number(row.expires_at) - now))
      const lock: Lock = {
        key: String(row.key),
        holder: { id: String(row.holder_id), name: String(row.holder_name) },
        acquiredAt: Number(row.acquired_at),
        expiresAt: now + remaining,
        fencingToken: Number(row.fencing_token),
        sessionId: row.session_id === null ? null : String(row.session_id),
      }
      this.held.set(lock.key, {
        lock,
        boardId: String(row.board_id),
        ttlMs,
        deadline: mono + remaining,
        grantedAt: mono,
      })
    }
    for (const row of this.stmts.waiters.all()) {
      const key = String(row.key)
      const queue = this.queues.get(key) ?? []
      queue.push({
        user: { id: String(row.user_id), name: String(row.user_name) },
        sessionId: row.session_id === null ? null : String(row.session_id),
        ttlMs: Number(row.ttl_ms),
        queuedAt: Number(row.queued_at),
      })
      this.queues.set(key, queue)
    }
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

  acquire(request: {
    key: string
    boardId: string
    user: LockHolder
    sessionId: string | null
    ttlMs?: number | undefined
    wait?: boolean | undefined
    requestId?: string | undefined
  }): AcquireResult {
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
    const lock = this.options.db.transaction((): Lock => {
      const token = (this.stmts.nextToken.get(key) as { last_token: number }).last_token
      const granted: Lock = {
        key,
        holder: user,
        acquiredAt: now,
        expiresAt: now + ttlMs,
        fencingToken: token,
        sessionId,
      }
      this.stmts.upsert.run(
        key,
        boardId,
        user.id,
        user.name,
        sessionId,
        token,
        now,
        now + ttlMs,
        ttlMs,
      )
      return granted
    })()
    const mono = this.monotonic()
    this.held.set(key, { lock, boardId, ttlMs, deadline: mono + ttlMs, grantedAt: mono })
    this.options.events.granted(lock, boardId, fromQueue)
    return lock
  }

  private extend(held: Held, ttlMs: number): Lock {
    const expiresAt = this.wall() + ttlMs
    this.stmts.renew.run(expiresAt, ttlMs, held.lock.key)
    held.deadline = this.monotonic() + ttlMs
    held.ttlMs = ttlMs
    held.lock = { ...held.lock, expiresAt }
    return held.lock
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
    this.options.db.transaction(() => {
      this.stmts.clearQueue.run(key)
      queue.forEach((w, i) =>
        this.stmts.addWaiter.run(key, i, w.user.id, w.user.name, w.sessionId, w.ttlMs, w.queuedAt),
      )
    })()
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
    this.stmts.remove.run(key)
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

  /** The board's locks by entity (`<entityType>/<entityId>`). */
  entityLocks(boardId: string): Map<string, Lock> {
    const found = new Map<string, Lock>()
    for (const held of this.held.values()) {
      if (held.boardId === boardId) found.set(held.lock.key.slice(boardId.length + 1), held.lock)
    }
    return found
  }

  /** Whether any lock is held on the board (checked on every update, so it is cheap). */
  hasLocks(boardId: string): boolean {
    for (const held of this.held.values()) if (held.boardId === boardId) return true
    return false
  }
}

/**
 * Locks of a cluster node (locks/node-locks.ts over cluster/redis): Redis decides, for every
 * node alike (RedisLockService), and what it changed is journaled to PostgreSQL and reported
 * (events, audit, notifications through LockActivity) before the caller is answered.
 *
 * Two things the single-node service gets for free are kept here:
 *  - Live sessions: the node's sessions are touched in Redis (deadline now + 2 × heartbeat)
 *    before every operation that names one and every half heartbeat, so Redis's reaper frees
 *    their locks only once they are dead everywhere (a node killed stops touching).
 *  - The rooms enforce locks on every edit synchronously, so each node keeps a table of the
 *    locks of the boards it serves: loaded when a board is claimed, changed by the changes this
 *    node makes at once, by other nodes' changes as their lock events arrive (one Redis hop
 *    after the change, before its caller is answered), and read again from Redis every
 *    `refreshMs` in case an event was missed. Until the event arrives, an edit of an entity
 *    another node just locked is let through: the edit guard, not the lock, is what that
 *    window loses (docs/cluster.md, "Locks"). Events of one key written by different nodes
 *    can arrive out of the order the locks changed in; they are ordered by fencing token
 *    (lockEventEffect), so a late end of an older grant does not free the newer one.
 */
import type { EventData } from '../../shared/protocol/events.ts'
import {
  lockEventEffect,
  type EntityRef,
  type Lock,
  type LockHolder,
} from '../../shared/protocol/locks.ts'
import type { EventBus } from '../events/bus.ts'
import type { LockDeps } from '../node-backend.ts'
import type {
  AcquireRequest,
  AcquireResult,
  LockEvents,
  ReleaseReason,
} from '../locks/lock-service.ts'
import type { NodeLocks } from '../locks/node-locks.ts'
import type { RedisConnection } from './redis/connection.ts'
import type { RedisLockSessions } from './redis/lock-sessions.ts'
import type { RedisLockService } from './redis/redis-lock-service.ts'
import { boardOf, entityOf } from './redis/lock-records.ts'

/** A board's locks: key → holder and the grant's fencing token. */
type Table = Map<string, { holder: LockHolder; token: number }>

/** Boards whose locks one refresh round trip reads. */
const REFRESH_BATCH = 500

export class ClusterLocks implements NodeLocks {
  /** Per board served here: its locks. */
  private readonly tables = new Map<string, Table>()
  /** Per board served here: the highest token ended per key (lockEventEffect). */
  private readonly ended = new Map<string, Map<string, number>>()
  private readonly timers: NodeJS.Timeout[] = []

  constructor(
    private readonly service: RedisLockService,
    private readonly sessions: RedisLockSessions,
    private readonly deps: LockDeps & {
      refreshMs: number
      redis: RedisConnection
      /** Who holds this process's sessions in Redis: `<nodeId>.<incarnation>`. */
      holder: string
    },
  ) {
    const touch = setInterval(() => void this.touchAll(), Math.max(50, deps.heartbeatMs / 2))
    const refresh = setInterval(() => void this.refreshAll(), deps.refreshMs)
    touch.unref()
    refresh.unref()
    this.timers.push(touch, refresh)
  }

  /** What the Redis service reports: the table learns of it, then people do (LockActivity). */
  static events(table: () => ClusterLocks, activity: LockEvents): LockEvents {
    return {
      granted(lock, boardId, fromQueue) {
        table().apply('lock.acquired', lock)
        activity.granted(lock, boardId, fromQueue)
      },
      released(lock: Lock, boardId: string, reason: ReleaseReason, by: LockHolder) {
        table().apply('lock.released', lock)
        activity.released(lock, boardId, reason, by)
      },
      queued: (...args) => activity.queued(...args),
      refused: (...args) => activity.refused(...args),
    }
  }

  /** A lock change, this node's or another's (as its event), in the board's table. */
  private apply(
    type: 'lock.acquired' | 'lock.released' | 'lock.expired',
    lock: Pick<Lock, 'key' | 'holder'> & { fencingToken?: number | undefined },
  ): void {
    const boardId = boardOf(lock.key)
    this.changed(boardId)
    const table = this.tables.get(boardId)
    const ended = this.ended.get(boardId)
    if (!table || !ended) return
    const held = table.get(lock.key)
    const effect = lockEventEffect(held?.token, ended, { type, ...lock })
    if (effect === 'hold')
      table.set(lock.key, { holder: lock.holder, token: lock.fencingToken ?? 0 })
    // An end without a token (from a node before ends had one) frees only its holder's lock.
    else if (
      effect === 'free' &&
      (lock.fencingToken !== undefined || held?.holder.id === lock.holder.id)
    )
      table.delete(lock.key)
  }

  /**
   * Per board served (or being read), how many changes the table has taken: a list read from
   * Redis while one arrived may predate it, and must not overwrite it.
   */
  private readonly versions = new Map<string, number>()

  private changed(boardId: string): void {
    const version = this.versions.get(boardId)
    if (version !== undefined) this.versions.set(boardId, version + 1)
  }

  /**
   * The other nodes' lock events (in order per board) keep the tables current. This node's
   * own changes are applied as they are made (events() above), not again here: a replay of
   * "grant X, release X" after "grant Y" would leave Y's lock out for a moment.
   */
  follow(bus: EventBus): () => void {
    return bus.listenElsewhere((_stream, _seq, event) => {
      if (event.type === 'lock.acquired')
        this.apply(event.type, event.data as EventData<'lock.acquired'>)
      else if (event.type === 'lock.released' || event.type === 'lock.expired')
        this.apply(event.type, event.data as EventData<'lock.released' | 'lock.expired'>)
    })
  }

  /**
   * Reads boards' locks from Redis (one round trip) into their tables, except a table that
   * took a change meanwhile (the read may predate it: 'stale', the table is kept) or a board
   * forgotten ('gone').
   */
  private async read(boardIds: readonly string[]): Promise<Map<string, 'read' | 'stale' | 'gone'>> {
    const before = boardIds.map((boardId) => this.versions.get(boardId))
    const lists = await this.service.listMany(boardIds)
    const outcomes = new Map<string, 'read' | 'stale' | 'gone'>()
    boardIds.forEach((boardId, i) => {
      const version = this.versions.get(boardId)
      const locks = lists.get(boardId)
      if (before[i] === undefined || version === undefined || !locks)
        return void outcomes.set(boardId, 'gone')
      if (version !== before[i]) return void outcomes.set(boardId, 'stale')
      this.fill(boardId, locks)
      outcomes.set(boardId, 'read')
    })
    return outcomes
  }

  private fill(boardId: string, locks: readonly Lock[]): void {
    this.tables.set(
      boardId,
      new Map(locks.map((lock) => [lock.key, { holder: lock.holder, token: lock.fencingToken }])),
    )
  }

  /** Reads a board's locks before its room serves anyone (called when the board is claimed). */
  async serve(boardId: string): Promise<void> {
    this.versions.set(boardId, 0)
    this.ended.set(boardId, new Map())
    for (let attempt = 0; attempt < 3; attempt++)
      if ((await this.read([boardId])).get(boardId) !== 'stale') return
    // Changing faster than a read: the last list is served; the next refresh corrects it.
    const locks = await this.service.list(boardId)
    if (this.versions.has(boardId)) this.fill(boardId, locks)
  }

  forget(boardId: string): void {
    this.tables.delete(boardId)
    this.versions.delete(boardId)
    this.ended.delete(boardId)
  }

  /** A re-read still running: the next one is skipped (Redis slow, or the node stalled). */
  private refreshing = false

  /**
   * Reads the tables of every board served again, REFRESH_BATCH boards per round trip. A
   * board whose table changed while its list was read keeps the table; the next refresh reads
   * it again.
   */
  private async refreshAll(): Promise<void> {
    if (!this.service.ready || this.refreshing) return
    this.refreshing = true
    try {
      const boards = [...this.tables.keys()]
      for (let i = 0; i < boards.length; i += REFRESH_BATCH)
        await this.read(boards.slice(i, i + REFRESH_BATCH))
    } catch {
      // Redis is away: keep what is known; the next refresh tries again.
    } finally {
      this.refreshing = false
    }
  }

  private async touch(sessionId: string | null, user: LockHolder): Promise<void> {
    if (!sessionId || !this.deps.sessionAlive(sessionId)) return
    await this.sessions.touch(sessionId, user, 2 * this.deps.heartbeatMs).catch(() => undefined)
  }

  private async touchAll(): Promise<void> {
    for (const { id, user } of this.deps.liveSessions())
      await this.sessions
        .touch(id, { id: user.id, name: user.name }, 2 * this.deps.heartbeatMs)
        .catch(() => undefined)
  }

  /**
   * Runs a change and answers once what it reported (events, audit rows, notifications) is
   * written, refusals included, as LockActivity.run does on one node. A node's changes run one
   * at a time: Redis orders them, but their journal writes race, and a release reported after
   * the grant that followed it would read backwards in the board's stream. (Changes made on
   * different nodes can still be reported out of Redis's order: docs/cluster.md, "Locks".)
   */
  private reported<T>(change: () => Promise<T>): Promise<T> {
    const run = this.order.then(async () => {
      try {
        return await change()
      } finally {
        await this.deps.activity.written()
      }
    })
    this.order = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  private order: Promise<void> = Promise.resolve()

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    await this.touch(request.sessionId, request.user)
    return this.reported(() => this.service.acquire(request))
  }

  async release(key: string, user: LockHolder, sessionId: string | null): Promise<Lock> {
    await this.touch(sessionId, user)
    return this.reported(() => this.service.release(key, user, sessionId))
  }

  async renew(key: string, user: LockHolder, sessionId: string | null, ttlMs?: number) {
    await this.touch(sessionId, user)
    return this.reported(() => this.service.renew(key, user, sessionId, ttlMs))
  }

  async cancel(key: string, user: LockHolder, sessionId: string | null): Promise<void> {
    await this.touch(sessionId, user)
    return this.reported(() => this.service.cancel(key, user, sessionId))
  }

  forceRelease(key: string, by: LockHolder): Promise<Lock> {
    return this.reported(() => this.service.forceRelease(key, by))
  }

  list(boardId: string): Promise<Lock[]> {
    return this.service.list(boardId)
  }

  /** The node Redis says holds a session, if Redis knows it. */
  private nodeOf(sessionId: string): Promise<string | null> {
    return this.deps.redis.client
      .hget(this.deps.redis.keys.session(sessionId), 'nodeId')
      .catch(() => null)
  }

  async releaseSession(sessionId: string): Promise<void> {
    // A session resumed on another node is that node's now: its death here is not its death.
    const at = await this.nodeOf(sessionId)
    if (at && at !== this.deps.holder) return
    // Dead at once for every node too, so none resumes it (its deadline would still run).
    await this.sessions.detach(sessionId, 1).catch(() => false)
    return this.reported(() => this.service.releaseSession(sessionId))
  }

  async adopt(sessionId: string, user: LockHolder) {
    // Only a session another node holds: one Redis names this node for is dead here.
    const at = await this.nodeOf(sessionId)
    if (!at || at === this.deps.holder) return null
    const touched = await this.sessions.touch(
      sessionId,
      { id: user.id, name: user.name },
      2 * this.deps.heartbeatMs,
    )
    return touched.ok ? { previousNode: touched.previousNode } : null
  }

  lockedByOthersNow(boardId: string, userId: string) {
    return this.service.lockedByOthers(boardId, userId)
  }

  sessionStarted(sessionId: string, user: LockHolder): Promise<void> {
    return this.touch(sessionId, { id: user.id, name: user.name })
  }

  ownsSession(userId: string, sessionId: string): Promise<boolean> {
    return this.sessions.owns(userId, sessionId)
  }

  releaseMember(userId: string, boardIds: ReadonlySet<string>, by: LockHolder): Promise<void> {
    return this.reported(() => this.service.releaseMember(userId, boardIds, by))
  }

  /** Every node's reaper expires locks and dead sessions (RedisLockService.startReaper). */
  async expire(): Promise<void> {}

  lockedByOthers(boardId: string, userId: string): ReadonlyMap<EntityRef, LockHolder> | null {
    const table = this.tables.get(boardId)
    if (!table || table.size === 0) return null
    const found = new Map<EntityRef, LockHolder>()
    for (const [key, { holder }] of table)
      if (holder.id !== userId) found.set(entityOf(key) as EntityRef, holder)
    return found
  }

  /** Redis keeps sessions itself: a restarted node has none to restore. */
  sessionsInUse(): Array<{ sessionId: string; user: LockHolder }> {
    return []
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer)
    this.service.stop()
  }
}

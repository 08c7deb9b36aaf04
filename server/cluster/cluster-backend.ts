/**
 * A cluster node's backend (node-backend.ts): PostgreSQL for everything durable (PgStores,
 * PgDocStore), Redis for board leases and locks. main.ts loads this module with import() only
 * when LOUPE_DATABASE_URL and LOUPE_REDIS_URL are set; nothing in single-machine mode imports
 * it. Opening it migrates the schema, connects both, and registers the node.
 *
 * Boards: a node serves a board's socket only while it owns the board (OwnedDocStore below):
 * its room claims the lease and bumps the PostgreSQL epoch before it loads, releases both when
 * it unloads, and a lease lost (renewals failing for lease/2, or taken) closes the room's
 * sockets with 1012 so clients reconnect to whoever serves it now.
 */
import { mkdirSync } from 'node:fs'
import type { Logger } from 'pino'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { LoupeError, unavailable } from '../errors.ts'
import type { ClusterConfig, Config } from '../config.ts'
import type { BoardLost, LockDeps, NodeBackend, ServiceState } from '../node-backend.ts'
import type { CompactResult, DocStore, DocUpdate, StoredDoc } from '../storage/doc-store.ts'
import { isStorageError } from '../storage/store-health.ts'
import type { RoomDoor } from '../realtime/connection.ts'
import type { Room } from '../realtime/room.ts'
import type { RoomManager } from '../realtime/rooms.ts'
import { BoardRelay } from './board-relay.ts'
import type { EventBus } from '../events/bus.ts'
import type { NodeNews } from '../node-news.ts'
import { ClusterLocks } from './cluster-locks.ts'
import { ClusterNews } from './cluster-news.ts'
import { PgDocStore } from './pg/doc-store.ts'
import { nextLockGeneration, PgLockJournal } from './pg/lock-journal.ts'
import { migrate } from './pg/migrations.ts'
import { PgStores } from './pg/pg-stores.ts'
import { PgPool } from './pg/pool.ts'
import { RedisConnection } from './redis/connection.ts'
import { RedisLockSessions } from './redis/lock-sessions.ts'
import { BoardOwnership } from './redis/ownership.ts'
import { RedisLockService } from './redis/redis-lock-service.ts'

/** The board is served by another node; this one must not write it (503, try again). */
export class BoardElsewhereError extends LoupeError {
  constructor(
    readonly boardId: string,
    readonly owner: string,
  ) {
    super(ErrorCode.unavailable, `board ${boardId} is served by node ${owner}`, {
      retryAfterSeconds: 1,
      reason: 'board_elsewhere',
    })
    this.name = 'BoardElsewhereError'
  }
}

/**
 * What claiming a board can fail with, for the doors: PostgreSQL down is storage (503, 4503),
 * as are domain errors themselves; anything else is Redis out of reach, so "unavailable, try
 * again" (503, 1012) rather than an internal error.
 */
function unreachable(error: unknown): unknown {
  if (error instanceof LoupeError || isStorageError(error)) return error
  return unavailable(`Redis cannot be reached to claim the board: ${(error as Error).message}`)
}

/**
 * PgDocStore behind the board's lease: a room claims before it loads and releases on unload;
 * a write without a room (a board created over HTTP) claims a board nobody serves for as long
 * as it takes.
 */
class OwnedDocStore implements DocStore {
  /** Boards whose rooms this node serves. */
  private readonly served = new Set<string>()

  constructor(
    private readonly docs: PgDocStore,
    private readonly ownership: BoardOwnership,
    private readonly locks: () => ClusterLocks | null,
  ) {}

  private async own(boardId: string): Promise<void> {
    let claimed
    try {
      claimed = await this.ownership.claim(boardId)
    } catch (error) {
      throw unreachable(error)
    }
    if (!claimed.owned) throw new BoardElsewhereError(boardId, claimed.owner)
  }

  async claim(boardId: string): Promise<void> {
    await this.own(boardId)
    this.served.add(boardId)
    try {
      await this.locks()?.serve(boardId)
    } catch (error) {
      // No room will run here: the lease must not be kept (and renewed) for nothing.
      this.unloaded(boardId)
      throw unreachable(error)
    }
  }

  unloaded(boardId: string): void {
    this.served.delete(boardId)
    this.docs.release(boardId)
    this.locks()?.forget(boardId)
    void this.ownership.release(boardId)
  }

  load(boardId: string): Promise<StoredDoc> {
    return this.docs.load(boardId)
  }

  async append(updates: readonly DocUpdate[]): Promise<void> {
    // A board served here that is no longer owned is fenced by the store, not claimed again.
    const passing = [...new Set(updates.map((u) => u.boardId))].filter(
      (id) => !this.served.has(id) && !this.ownership.owns(id),
    )
    for (const boardId of passing) await this.own(boardId)
    try {
      await this.docs.append(updates)
    } finally {
      // Still nobody's room here: let another node take it at once.
      for (const boardId of passing) if (!this.served.has(boardId)) this.unloaded(boardId)
    }
  }

  compact(boardId: string, fold: (stored: StoredDoc) => Uint8Array): Promise<CompactResult> {
    return this.docs.compact(boardId, fold)
  }

  pendingUpdates(boardId: string): Promise<number> {
    return this.docs.pendingUpdates(boardId)
  }

  foldedStateVector(boardId: string): Promise<Uint8Array | null> {
    return this.docs.foldedStateVector(boardId)
  }

  probe(): Promise<void> {
    return this.docs.probe()
  }
}

export class ClusterBackend implements NodeBackend {
  private readonly lostListeners: BoardLost[] = []
  private clusterLocks: ClusterLocks | null = null
  private readonly relay: BoardRelay
  private stopReaper: () => void = () => {}
  private constructor(
    readonly stores: PgStores,
    /** The store that writes: the one whose epochs the ownership's claims set. */
    private readonly docs: PgDocStore,
    private readonly pool: PgPool,
    private readonly redis: RedisConnection,
    private readonly ownership: BoardOwnership,
    private readonly cluster: ClusterConfig,
    private readonly log: Logger,
  ) {
    this.relay = new BoardRelay(redis, ownership, cluster.nodeId, log, cluster.leaseMs)
    ownership.onLost((boardId, why) => {
      this.docs.release(boardId)
      this.clusterLocks?.forget(boardId)
      log.warn({ boardId, why }, 'board lease lost: no longer serving it')
      for (const listener of this.lostListeners) listener(boardId, why)
    })
  }

  /** Connects to both services, migrates the schema and registers the node. */
  static async open(config: Config, log: Logger): Promise<ClusterBackend> {
    const cluster = config.cluster
    if (!cluster) throw new Error('cluster mode needs LOUPE_DATABASE_URL and LOUPE_REDIS_URL')
    // Nothing of the node's lives there but what it keeps for itself (the media folder is
    // LOUPE_MEDIA_DIR, shared); SQLite made it on one machine.
    mkdirSync(config.dataDir, { recursive: true })
    const pool = new PgPool({
      url: cluster.databaseUrl,
      applicationName: `loupe ${cluster.nodeId}`.slice(0, 63),
      onIdleError: (error) => log.warn({ err: error }, 'an idle PostgreSQL connection failed'),
    })
    // The group committer's own connections: a commit holds every update of its turn, and
    // behind a thousand queued visits, loads and index writes its relays would wait seconds.
    const commitPool = new PgPool({
      url: cluster.databaseUrl,
      max: 2,
      applicationName: `loupe ${cluster.nodeId} commits`.slice(0, 63),
      onIdleError: (error) => log.warn({ err: error }, 'an idle PostgreSQL connection failed'),
    })
    let redis: RedisConnection | null = null
    try {
      const migrated = await migrate(pool, { nodeId: cluster.nodeId })
      log.info({ postgres: pool.where, ...migrated }, 'PostgreSQL schema ready')
      const stores = new PgStores(pool, cluster.nodeId, {
        effectFailed: (error) => log.error({ err: error }, 'an after-commit effect failed'),
      })
      redis = await RedisConnection.open({
        url: cluster.redisUrl,
        prefix: cluster.redisPrefix,
        name: cluster.nodeId,
        onError: (error) => log.debug({ err: error }, 'Redis connection error'),
      })
      const docs = new PgDocStore(pool, cluster.nodeId, commitPool)
      const ownership = new BoardOwnership({
        connection: redis,
        nodeId: cluster.nodeId,
        leaseMs: cluster.leaseMs,
        takeOwnership: (boardId) => docs.takeOwnership(boardId),
        onError: (error) => log.warn({ err: error }, 'board lease work failed'),
      })
      const backend = new ClusterBackend(stores, docs, pool, redis, ownership, cluster, log)
      await ownership.start()
      log.info({ nodeId: cluster.nodeId, redisPrefix: cluster.redisPrefix }, 'cluster node ready')
      return backend
    } catch (error) {
      await redis?.close().catch(() => undefined)
      await pool.close().catch(() => undefined)
      await commitPool.close().catch(() => undefined)
      throw error
    }
  }

  docStore(): DocStore {
    return new OwnedDocStore(this.docs, this.ownership, () => this.clusterLocks)
  }

  locks(deps: LockDeps): ClusterLocks {
    const service = new RedisLockService({
      connection: this.redis,
      journal: new PgLockJournal(this.pool),
      nextGeneration: (runId) =>
        nextLockGeneration(this.pool, { runId, nodeId: this.cluster.nodeId }),
      defaultTtlMs: deps.defaultTtlMs,
      events: ClusterLocks.events(() => locks, deps.activity),
      restoredSessionGraceMs: Math.max(deps.heartbeatMs, 10_000),
      onError: (error) => this.log.warn({ err: error }, 'lock work failed'),
    })
    // Sessions are held by this process, not just this node id: a node restarted under its id
    // finds its clients' sessions held by its former self, and resumes them as any node would.
    const holder = `${this.cluster.nodeId}.${this.ownership.incarnation}`
    const locks: ClusterLocks = new ClusterLocks(
      service,
      new RedisLockSessions(this.redis, holder),
      { ...deps, refreshMs: 1000, redis: this.redis, holder },
    )
    this.clusterLocks = locks
    this.stopReaper = service.startReaper(500)
    return locks
  }

  async services(): Promise<Record<string, ServiceState>> {
    const postgres = await this.pool.health()
    // Up means every use of Redis works: commands, and hearing the other nodes.
    const redis: ServiceState =
      this.redis.health !== 'up'
        ? { state: 'down', error: 'Redis is unreachable' }
        : !this.relay.listening || this.news?.listening === false
          ? { state: 'down', error: 'not yet subscribed to the other nodes’ messages' }
          : { state: 'up' }
    return { postgres, redis }
  }

  async start(node: {
    rooms: RoomManager
    bus: EventBus
    local: NodeNews
    closeAll: () => void
    visitEnded: (userId: string, room: Room) => void
  }): Promise<NodeNews> {
    await this.relay.start(node.rooms, node.visitEnded)
    this.unfollow = this.clusterLocks?.follow(node.bus) ?? null
    node.rooms.presentElsewhere((boardId) => this.relay.presence(boardId))
    node.rooms.changesElsewhere((boardId, error) =>
      error instanceof BoardElsewhereError
        ? this.relay.changeElsewhere(boardId, (id) => this.docs.load(id))
        : Promise.resolve(null),
    )
    this.news = new ClusterNews(this.redis, this.cluster.nodeId, this.log, node.closeAll)
    return this.news.start(node.local, node.bus)
  }

  private news: ClusterNews | null = null
  private unfollow: (() => void) | null = null

  async elsewhere(boardId: string, error: unknown): Promise<RoomDoor | null> {
    return error instanceof BoardElsewhereError ? this.relay.open(boardId) : null
  }

  onBoardLost(listener: BoardLost): void {
    this.lostListeners.push(listener)
  }

  async close(): Promise<void> {
    await this.relay.stop()
    this.news?.stop()
    this.unfollow?.()
    this.stopReaper()
    this.clusterLocks?.stop()
    await this.ownership.stop()
    await this.redis.close()
    await this.stores.close()
    await this.docs.close()
  }
}

/**
 * What a node stores on and decides locks with: SQLite and the in-process lock service on one
 * machine (built here), PostgreSQL and Redis in cluster mode (cluster/cluster-backend.ts,
 * loaded by main.ts with import() only when LOUPE_DATABASE_URL is set, so a home install never
 * loads pg or ioredis). `createLoupeServer` is the same either way; only this differs.
 */
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { LockHolder } from '../shared/protocol/locks.ts'
import type { Config } from './config.ts'
import { openDb, type Db } from './db/open.ts'
import type { LockActivity } from './locks/lock-activity.ts'
import { LockService } from './locks/lock-service.ts'
import { LocalLocks, type NodeLocks } from './locks/node-locks.ts'
import { SqliteLockStore } from './locks/sqlite-lock-store.ts'
import type { EventBus } from './events/bus.ts'
import type { NodeNews } from './node-news.ts'
import type { RoomDoor } from './realtime/connection.ts'
import type { Room } from './realtime/room.ts'
import type { RoomManager } from './realtime/rooms.ts'
import type { DocStore } from './storage/doc-store.ts'
import type { OffThreadFold } from './storage/sqlite-doc-store.ts'
import { SqliteStores } from './storage/sqlite-stores.ts'
import { WalCheckpoints } from './storage/wal-checkpoints.ts'
import type { Stores } from './storage/stores.ts'

/** A service the node depends on, as /readyz names it. */
export interface ServiceState {
  state: 'up' | 'down'
  latencyMs?: number
  error?: string
}

export interface LockDeps {
  activity: LockActivity
  defaultTtlMs: number
  heartbeatMs: number
  /** Whether a live session of this node is alive (single node: the only ones there are). */
  sessionAlive(sessionId: string): boolean
  /** This node's live sessions, attached or within their resume window. */
  liveSessions(): Iterable<{ id: string; user: LockHolder }>
}

/** Why a node stops serving a board it served: it is another node's now. */
export type BoardLost = (boardId: string, why: string) => void

export interface NodeBackend {
  readonly stores: Stores
  /** Board documents; `offThread` folds big boards off the event loop where the store can. */
  docStore(offThread: OffThreadFold): DocStore
  locks(deps: LockDeps): NodeLocks
  /** The services this node needs, by name (cluster: postgres, redis); empty on one machine. */
  services(): Promise<Record<string, ServiceState>>
  /** Boards this node may no longer serve (cluster: a lost lease); their rooms must close. */
  onBoardLost(listener: BoardLost): void
  /**
   * Cluster mode, once the server is built: relays sockets between this node and the owners
   * of boards (cluster/board-relay.ts) and starts the news between nodes; resolves with the
   * news to tell (cluster/cluster-news.ts), which reaches this node's `local` too.
   */
  start?(node: {
    rooms: RoomManager
    bus: EventBus
    local: NodeNews
    /** Closes every socket of this node (1012): it may have missed news. */
    closeAll: () => void
    /** A user's last socket to a board left (history's "since your last visit"). */
    visitEnded: (userId: string, room: Room) => void
  }): Promise<NodeNews>
  /** Cluster mode: a door to the node that runs a board which failed to load here because of it. */
  elsewhere?(boardId: string, error: unknown): Promise<RoomDoor | null>
  /** After the server stopped: releases what the node holds, closes pools and connections. */
  close(): Promise<void>
}

/** One machine: SQLite in the data folder, locks decided in this process. */
export class SqliteBackend implements NodeBackend {
  readonly stores: SqliteStores
  /** WAL checkpoints on a thread of their own, not inside commits on the event loop. */
  readonly checkpoints: WalCheckpoints

  constructor(
    config: Config,
    log: Logger,
    private readonly wrapDocStore?: (db: Db) => DocStore,
  ) {
    const file = SqliteBackend.file(config)
    this.stores = new SqliteStores(openDb(file, { sync: config.syncMode }), {
      effectFailed: (error) => log.error({ err: error }, 'an after-commit effect failed'),
    })
    this.checkpoints = new WalCheckpoints(this.stores.db, file, log)
  }

  static file(config: Config): string {
    return join(config.dataDir, 'loupe.db')
  }

  get db(): Db {
    return this.stores.db
  }

  docStore(offThread: OffThreadFold): DocStore {
    return this.wrapDocStore ? this.wrapDocStore(this.db) : this.stores.docStore({ offThread })
  }

  locks(deps: LockDeps): NodeLocks {
    const service = new LockService({
      store: new SqliteLockStore(this.db),
      defaultTtlMs: deps.defaultTtlMs,
      sessionAlive: (sessionId) => deps.sessionAlive(sessionId),
      events: deps.activity,
    })
    return new LocalLocks(service, deps.activity)
  }

  async services(): Promise<Record<string, ServiceState>> {
    return {}
  }

  onBoardLost(): void {}

  close(): Promise<void> {
    this.checkpoints.stop()
    return this.stores.close()
  }
}

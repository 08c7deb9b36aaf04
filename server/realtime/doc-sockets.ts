/**
 * The document socket, `/ws/doc/<boardId>`: the y-websocket protocol, unchanged, so the stock
 * WebsocketProvider works against it. Access is decided before the socket opens; a refusal
 * is a close code sent right after the upgrade, before any document byte (docs/product.md).
 */
import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { isValidId } from '../../shared/ids.ts'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { LoupeError } from '../errors.ts'
import type { Role } from '../db/directory.ts'
import type { SocketDoor } from '../net/socket-door.ts'
import type { StampedUser } from './awareness.ts'
import {
  connectionBuckets,
  DocConnection,
  type ConnectionLimits,
  type ConnectionOwner,
  type ConnectionStats,
  type RoomDoor,
} from './connection.ts'
import { KeyedBuckets, type BucketShape } from '../net/rate.ts'
import { Room } from './room.ts'
import type { RoomManager } from './rooms.ts'

export interface BoardAccess {
  user: StampedUser
  role: Role
  workspaceId: string
}

export type AccessDecision =
  { ok: true; access: BoardAccess } | { ok: false; code: CloseCode; reason: string }

/** Decides who may open a board's socket; the auth layer provides one. */
export interface DocAuthorizer {
  authorize(boardId: string, token: string | undefined): Promise<AccessDecision>
}

export interface DocSocketOptions {
  rooms: RoomManager
  authorizer: DocAuthorizer
  /** maxConnectionsPerUser null: no per-user caps (home mode, where everyone is one user). */
  limits: ConnectionLimits & { maxConnectionsPerUser: number | null }
  pingMs: number
  stats: ConnectionStats
  /** While storage fails, new sockets are turned away (4503) so writers back off. */
  storeHealth?: { readonly refusing: boolean }
  /** A user's last socket to a board closed: their visit ends (history's "since last visit"). */
  visitEnded?: (userId: string, room: Room) => void
  /**
   * Cluster mode: the board failed to load here because another node runs it (`error` says
   * so); a door that relays the socket to that node, or null to refuse it.
   */
  elsewhere?: (boardId: string, error: unknown) => Promise<RoomDoor | null>
  log: Logger
}

export class DocSockets implements ConnectionOwner {
  private readonly connections = new Set<DocConnection>()
  /** Every connection's rate buckets have these rates and bursts. */
  private readonly buckets: BucketShape
  private readonly perUser = new Map<string, number>()
  private readonly pingTimer: NodeJS.Timeout
  private stopping = false
  /**
   * Connection attempts per user: a reconnect loop cannot hammer the server, yet the burst
   * after a restart (every tab reconnecting at once) fits, up to the user's socket cap.
   */
  private readonly attempts: KeyedBuckets

  constructor(private readonly options: DocSocketOptions) {
    this.buckets = connectionBuckets(options.limits)
    this.attempts = new KeyedBuckets(5, Math.max(30, options.limits.maxConnectionsPerUser ?? 0))
    this.pingTimer = setInterval(() => this.checkLiveness(), options.pingMs)
    this.pingTimer.unref()
  }

  get count(): number {
    return this.connections.size
  }

  route(door: SocketDoor): void {
    door.route(
      '/ws/doc/:boardId',
      async ({ params, query }) => {
        const boardId = params.boardId ?? ''
        const decision: AccessDecision = isValidId(boardId)
          ? await this.options.authorizer.authorize(boardId, query.get('token') ?? undefined)
          : { ok: false, code: CloseCode.notFound, reason: 'no such board' }
        return { boardId, decision }
      },
      (ws, socket, { boardId, decision }) => this.open(ws, socket, boardId, decision),
    )
  }

  private open(ws: WebSocket, socket: Socket, boardId: string, decision: AccessDecision): void {
    if (this.stopping) return ws.close(CloseCode.serverStopping, 'server stopping')
    if (!decision.ok) return ws.close(decision.code, decision.reason)
    if (this.options.storeHealth?.refusing)
      return ws.close(CloseCode.storageUnavailable, 'storage unavailable, retry later')
    const { user, role, workspaceId } = decision.access
    const cap = this.options.limits.maxConnectionsPerUser
    const mine = this.perUser.get(user.id) ?? 0
    if (cap !== null && (mine >= cap || !this.attempts.take(user.id))) {
      return ws.close(CloseCode.rateLimited, 'too many connections')
    }
    this.perUser.set(user.id, mine + 1)

    const { rooms, limits, stats, log } = this.options
    const connection = new DocConnection(
      ws,
      socket,
      user,
      role,
      workspaceId,
      limits,
      this.buckets,
      stats,
      log,
      this,
    )
    this.connections.add(connection)
    this.door(boardId).then(
      (room) => {
        if (!connection.isClosed) connection.attach(room)
        else if (room instanceof Room) rooms.release(room)
        else room.leave(connection)
      },
      (error: unknown) => {
        if (error instanceof LoupeError && error.code === ErrorCode.unavailable) {
          // Cluster mode: the board's node cannot be reached for now; the client retries.
          log.info({ boardId, reason: error.message }, 'board unavailable on this node')
          connection.close(CloseCode.serverStopping, error.message)
          return
        }
        log.error({ err: error, boardId }, 'board failed to load')
        connection.close(1011, 'board failed to load')
      },
    )
  }

  /** The board's room here, or (cluster mode) a relay to the node that runs it. */
  private async door(boardId: string): Promise<RoomDoor> {
    try {
      return await this.options.rooms.acquire(boardId)
    } catch (error) {
      const relayed = await this.options.elsewhere?.(boardId, error)
      if (relayed) return relayed
      throw error
    }
  }

  connectionClosed(connection: DocConnection, room: RoomDoor | null): void {
    if (!this.connections.delete(connection)) return
    const left = (this.perUser.get(connection.user.id) ?? 1) - 1
    if (left > 0) this.perUser.set(connection.user.id, left)
    else this.perUser.delete(connection.user.id)
    if (room instanceof Room) {
      const userId = connection.user.id
      if (![...room.peers].some((peer) => peer.user.id === userId))
        this.options.visitEnded?.(userId, room)
      this.options.rooms.release(room)
    }
  }

  /** Closes connections that did not answer the previous ping (ws keeps no such timer). */
  private checkLiveness(): void {
    this.attempts.prune()
    for (const connection of this.connections) {
      if (!connection.alive) {
        this.options.log.info({ user: connection.user.id }, 'doc socket missed its pong')
        connection.terminate()
        continue
      }
      connection.alive = false
      connection.ping()
    }
  }

  /**
   * A membership change reaches open sockets at once: a removed member's sockets close with
   * 4403; a new role applies to the next message (a downgrade to viewer stops writes).
   */
  applyMembership(workspaceId: string, userId: string, role: Role | null): void {
    for (const connection of [...this.connections]) {
      if (connection.user.id !== userId || connection.workspaceId !== workspaceId) continue
      if (role === null) connection.close(CloseCode.forbidden, 'removed from the workspace')
      else connection.role = role
    }
  }

  /** Closes every socket of a user (their tokens were ended: 4401, sign in again). */
  closeUser(userId: string, code: number, reason: string): void {
    for (const connection of [...this.connections])
      if (connection.user.id === userId) connection.close(code, reason)
  }

  /** Closes every open socket (they may reconnect at once): cluster mode, news was missed. */
  closeAll(code: number, reason: string): void {
    for (const connection of [...this.connections]) connection.close(code, reason)
  }

  /** Stops accepting sockets and closes the open ones with 1012. */
  stop(): void {
    this.stopping = true
    clearInterval(this.pingTimer)
    for (const connection of [...this.connections]) {
      connection.close(CloseCode.serverStopping, 'server stopping')
    }
  }
}

/**
 * One document-socket connection: receives frames under size and rate limits, hands them to
 * its room strictly in order (a queue drained by one loop, so an awaited step cannot reorder
 * a client's messages), and sends with a cap on what may queue up for a slow reader.
 */
import * as decoding from 'lib0/decoding'
import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import type { RawData, WebSocket } from 'ws'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { YMessage } from '../../shared/protocol/y-messages.ts'
import type { Role } from '../db/directory.ts'
import type { StampedUser } from './awareness.ts'
import { ProtocolError } from './errors.ts'
import { TokenBuckets, type BucketShape } from '../net/rate.ts'
import type { RoomPeer } from './room.ts'

/**
 * What a connection joins: the board's room, or in cluster mode a relay to the node that
 * runs it (cluster/board-relay.ts). Room is one.
 */
export interface RoomDoor {
  readonly boardId: string
  readonly peers: ReadonlySet<RoomPeer>
  join(peer: RoomPeer): void
  /** A returned promise must settle before the next message. */
  receive(peer: RoomPeer, message: Uint8Array): void | Promise<void>
  leave(peer: RoomPeer): void
}

export interface ConnectionLimits {
  maxMessageBytes: number
  messagesPerSecond: number
  bytesPerSecond: number
  awarenessPerSecond: number
  maxBufferedBytes: number
}

export interface ConnectionStats {
  bytesIn(n: number): void
  bytesOut(n: number): void
}

/** Told when a connection has closed, with the room it was in (doc-sockets.ts). */
export interface ConnectionOwner {
  connectionClosed(connection: DocConnection, room: RoomDoor | null): void
}

/** Frames waiting for the room before a connection is dropped as flooding. */
const MAX_INBOX = 1024
/** Rate buckets hold this many seconds of allowance, so short bursts pass. */
const BURST_SECONDS = 2

const OPEN = 1

/** The three rate buckets of a connection (`TokenBuckets` indices). */
const MESSAGES = 0
const BYTES = 1
const AWARENESS = 2

/** The buckets' rates and bursts for these limits, shared by every connection under them. */
export function connectionBuckets(limits: ConnectionLimits): BucketShape {
  return {
    rates: [limits.messagesPerSecond, limits.bytesPerSecond, limits.awarenessPerSecond],
    bursts: [
      limits.messagesPerSecond * BURST_SECONDS,
      Math.max(limits.bytesPerSecond * BURST_SECONDS, limits.maxMessageBytes),
      limits.awarenessPerSecond,
    ],
  }
}

/**
 * The connection on each socket. Its listeners are functions shared by every socket, which
 * find their connection here, rather than four closures per socket: an idle server holds
 * thousands of sockets, and what each keeps is what bounds how many it can hold.
 */
const connectionOf = new WeakMap<WebSocket, DocConnection>()

export class DocConnection implements RoomPeer {
  private ownIds: Set<number> | null = null
  /** Cleared by each liveness ping, set again by the pong (or any message). */
  alive = true
  private room: RoomDoor | null = null
  private inbox: Uint8Array[] = []
  private draining = false
  private closed = false
  private readonly buckets: TokenBuckets
  private deferredAwareness: Uint8Array | null = null
  private awarenessTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`: relayed frames, encoded once per room, are written to it. */
    private readonly socket: Socket,
    readonly user: StampedUser,
    public role: Role,
    readonly workspaceId: string,
    private readonly limits: ConnectionLimits,
    /** `connectionBuckets(limits)`, made once for all connections. */
    buckets: BucketShape,
    private readonly stats: ConnectionStats,
    private readonly log: Logger,
    private readonly owner: ConnectionOwner,
  ) {
    this.buckets = new TokenBuckets(buckets)
    connectionOf.set(ws, this)
    ws.on('message', DocConnection.received)
    ws.on('pong', DocConnection.ponged)
    ws.on('close', DocConnection.socketClosed)
    ws.on('error', DocConnection.socketFailed)
  }

  private static received(this: WebSocket, data: RawData, isBinary: boolean): void {
    connectionOf.get(this)?.onMessage(data, isBinary)
  }

  private static ponged(this: WebSocket): void {
    const connection = connectionOf.get(this)
    if (connection) connection.alive = true
  }

  private static socketClosed(this: WebSocket): void {
    connectionOf.get(this)?.onClose()
  }

  private static socketFailed(this: WebSocket, error: Error): void {
    connectionOf.get(this)?.log.debug({ err: error }, 'doc socket error')
  }

  /** Awareness client ids this connection has published states for (made at the first). */
  get clientIds(): Set<number> {
    return (this.ownIds ??= new Set())
  }

  get canWrite(): boolean {
    return this.role !== 'viewer'
  }

  get isClosed(): boolean {
    return this.closed
  }

  get boardId(): string | null {
    return this.room?.boardId ?? null
  }

  ping(): void {
    if (!this.closed && this.ws.readyState === OPEN) this.ws.ping()
  }

  /** Joins the room once it is loaded; frames that arrived meanwhile are handled now. */
  attach(room: RoomDoor): void {
    if (this.closed) return
    this.room = room
    room.join(this)
    void this.drain()
  }

  send(message: Uint8Array): void {
    if (!this.writable()) return
    this.stats.bytesOut(message.byteLength)
    this.ws.send(message)
  }

  /**
   * Writes a frame encoded once for many peers (relay.ts): the bytes `ws.send` would write
   * for the message, written straight to the socket. `ws` writes each of its frames whole and
   * at once (no compression, nothing queued), so frames from both paths never interleave.
   */
  sendFrame(frame: Uint8Array, messageBytes: number): void {
    if (!this.writable()) return
    this.stats.bytesOut(messageBytes)
    this.socket.write(frame)
  }

  private writable(): boolean {
    if (this.closed || this.ws.readyState !== OPEN) return false
    // The cap applies to what is already waiting, so one large message (a big board's
    // sync step 2) always goes out. Everything waits in the socket: ws queues nothing itself.
    const buffered = this.socket.writableLength
    if (buffered <= this.limits.maxBufferedBytes) return true
    // Dropping a document update would break convergence; dropping the connection does
    // not: the client reconnects and its sync step 1 fetches everything it missed.
    this.log.warn({ user: this.user.id, buffered }, 'slow reader dropped')
    this.terminate()
    return false
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.ws.close(code, reason.slice(0, 120))
    this.onClose()
  }

  terminate(): void {
    this.ws.terminate()
    this.onClose()
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return
    this.alive = true
    if (!isBinary || !Buffer.isBuffer(data)) {
      return this.fail(
        new ProtocolError(CloseCode.malformed, 'expected a binary y-websocket message'),
      )
    }
    this.stats.bytesIn(data.byteLength)
    if (data.byteLength > this.limits.maxMessageBytes) {
      return this.fail(
        new ProtocolError(CloseCode.tooLarge, `message over ${this.limits.maxMessageBytes} bytes`),
      )
    }
    if (!this.buckets.take(MESSAGES) || !this.buckets.take(BYTES, data.byteLength)) {
      return this.fail(
        new ProtocolError(CloseCode.rateLimited, 'too many messages or bytes per second'),
      )
    }
    const message = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    if (
      message[0] === YMessage.awareness &&
      this.carriesOwnAwareness(message) &&
      !this.buckets.take(AWARENESS)
    ) {
      // Over the awareness rate: keep only the newest state and apply it when allowed.
      this.deferredAwareness = message
      this.awarenessTimer ??= setTimeout(
        () => this.releaseAwareness(),
        this.buckets.waitMs(AWARENESS),
      )
      return
    }
    if (this.inbox.length >= MAX_INBOX) {
      return this.fail(new ProtocolError(CloseCode.rateLimited, 'too many messages waiting'))
    }
    this.inbox.push(message)
    if (!this.draining) void this.drain()
  }

  /**
   * Whether an awareness message is about this connection's own client (or a first claim),
   * as opposed to the echo y-websocket clients send of every change they receive. Only own
   * states are rate-limited, so an echo can never displace the client's newest state.
   */
  private carriesOwnAwareness(message: Uint8Array): boolean {
    try {
      const decoder = decoding.createDecoder(message)
      decoding.readVarUint(decoder) // message type
      decoding.readVarUint(decoder) // payload length
      if (decoding.readVarUint(decoder) === 0) return false
      const clientId = decoding.readVarUint(decoder)
      return !this.ownIds || this.ownIds.size === 0 || this.ownIds.has(clientId)
    } catch {
      return true // let the room refuse it
    }
  }

  private releaseAwareness(): void {
    this.awarenessTimer = null
    const message = this.deferredAwareness
    this.deferredAwareness = null
    if (!message || this.closed) return
    this.buckets.take(AWARENESS)
    this.inbox.push(message)
    if (!this.draining) void this.drain()
  }

  private async drain(): Promise<void> {
    const room = this.room
    if (!room || this.draining) return
    this.draining = true
    try {
      while (this.inbox.length > 0 && !this.closed) {
        const message = this.inbox.shift() as Uint8Array
        const pending = room.receive(this, message)
        if (pending) await pending
      }
    } catch (error) {
      this.fail(error)
    } finally {
      this.draining = false
    }
  }

  private fail(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.log.info(
        { user: this.user.id, code: error.code, reason: error.message },
        'doc socket refused',
      )
      this.close(error.code, error.message)
    } else {
      this.log.error({ err: error, user: this.user.id }, 'doc socket failed')
      this.close(1011, 'internal error')
    }
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    this.inbox = []
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer)
    const room = this.room
    room?.leave(this)
    this.owner.connectionClosed(this, room)
  }
}

/**
 * A live session: who it is, what it subscribes to, and the socket it is attached to (none
 * while it waits to be resumed). A session outlives its socket by one heartbeat interval, so a
 * client that reconnects with its sessionId keeps its subscriptions (and, with locks, its locks).
 */
import type { WebSocket } from 'ws'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { ServerMessage } from '../../shared/protocol/live.ts'
import type { User } from '../db/directory.ts'

export interface Subscription {
  /** Event types to deliver; null delivers every type. */
  types: ReadonlySet<string> | null
  /** The last sequence sent: later deliveries at or below it are duplicates, dropped. */
  delivered: number
  /** Events that arrived while the subscription was replaying, sent once it is done. */
  held: Array<{ seq: number; event: LoupeEvent }> | null
}

const OPEN = 1

export class LiveSession {
  readonly subscriptions = new Map<string, Subscription>()
  socket: WebSocket | null = null
  /** Pings sent since the last pong. */
  unanswered = 0
  /** When the socket went away (monotonic ms), or null while attached. */
  detachedAt: number | null = null

  constructor(
    readonly id: string,
    readonly user: User,
  ) {}

  send(message: ServerMessage): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message))
  }

  /**
   * Sends a committed event of a stream this session subscribes to: held while the
   * subscription replays, dropped if it was sent already (the replay may have read it).
   */
  deliver(stream: string, seq: number, event: LoupeEvent): void {
    const subscription = this.subscriptions.get(stream)
    if (!subscription) return
    if (subscription.held) return void subscription.held.push({ seq, event })
    if (seq <= subscription.delivered) return
    subscription.delivered = seq
    if (subscription.types === null || subscription.types.has(event.type))
      this.send({ type: 'event', stream, seq, event })
  }
}

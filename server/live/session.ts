/**
 * A live session: who it is, what it subscribes to, and the socket it is attached to (none
 * while it waits to be resumed). A session outlives its socket by one heartbeat interval, so a
 * client that reconnects with its sessionId keeps its subscriptions (and, with locks, its locks).
 */
import type { WebSocket } from 'ws'
import type { ServerMessage } from '../../shared/protocol/live.ts'
import type { User } from '../db/directory.ts'

export interface Subscription {
  /** Event types to deliver; null delivers every type. */
  types: ReadonlySet<string> | null
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

  wants(stream: string, type: string): boolean {
    const subscription = this.subscriptions.get(stream)
    return !!subscription && (subscription.types === null || subscription.types.has(type))
  }
}

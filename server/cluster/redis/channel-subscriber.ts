/**
 * A node's subscription to one Redis pub/sub channel, which knows whether it is listening.
 *
 * Pub/sub keeps nothing for a subscriber that is away, so "connected" is not enough: after a
 * reconnect, ioredis says `ready` before its own re-subscribe has reached Redis, and what is
 * published in between is lost without a trace. Here the subscription is made again on every
 * connect and counted as listening only once Redis confirmed it; callers that must not lose a
 * reply (a socket relayed to another node) wait for that, and every loss of the connection is
 * reported once, so whatever relied on the channel can start over.
 */
import type { Redis } from 'ioredis'
import type { RedisConnection } from './connection.ts'

export interface ChannelHandlers {
  message(payload: Buffer): void
  /** The subscription was listening and no longer is: messages may have been missed. */
  lost(): void
  /** Subscribing failed (it is tried again at the next connect). */
  error?(error: Error): void
}

export class ChannelSubscriber {
  private readonly client: Redis
  private current = false
  private readonly waiters = new Set<(listening: boolean) => void>()
  private stopped = false

  constructor(
    connection: RedisConnection,
    private readonly channel: string,
    private readonly handlers: ChannelHandlers,
  ) {
    this.client = connection.client.duplicate({
      enableOfflineQueue: true,
      autoResubscribe: false,
    })
    this.client.on('messageBuffer', (_channel: Buffer, payload: Buffer) =>
      this.handlers.message(payload),
    )
    this.client.on('error', () => {})
    this.client.on('ready', () => void this.subscribe())
    this.client.on('close', () => {
      if (!this.current) return
      this.current = false
      this.handlers.lost()
    })
  }

  /** Connects and resolves once listening (rejects after `timeoutMs`). */
  async start(timeoutMs = 5000): Promise<void> {
    this.client.connect().catch(() => {
      // Failed attempts are retried by the connection's retry strategy.
    })
    if (!(await this.whenListening(timeoutMs)))
      throw new Error(`not subscribed to ${this.channel} after ${timeoutMs} ms`)
  }

  get listening(): boolean {
    return this.current
  }

  /** True once listening, false if that takes longer than `timeoutMs`. */
  whenListening(timeoutMs: number): Promise<boolean> {
    if (this.current) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (listening: boolean) => {
        clearTimeout(timer)
        this.waiters.delete(done)
        resolve(listening)
      }
      const timer = setTimeout(() => done(false), timeoutMs)
      this.waiters.add(done)
    })
  }

  private async subscribe(): Promise<void> {
    try {
      await this.client.subscribe(this.channel)
    } catch (error) {
      this.handlers.error?.(error as Error)
      return
    }
    if (this.stopped || this.client.status !== 'ready') return
    this.current = true
    for (const waiter of [...this.waiters]) waiter(true)
  }

  stop(): void {
    this.stopped = true
    this.current = false
    for (const waiter of [...this.waiters]) waiter(false)
    this.client.disconnect()
  }
}

/**
 * A minimal client for Loupe's live socket (`/ws/live`, JSON text messages): hello, then
 * request/reply by `id`. Answers the server's pings so a long run is never closed for
 * missed heartbeats. Anything unexpected is counted in the shared ClientLog.
 */
import { randomUUID } from 'node:crypto'
import WebSocket from 'ws'
import type { ClientLog } from './client.ts'

export interface LiveReply {
  ok: boolean
  result?: unknown
  error?: { code?: string }
  /** performance.now() when the socket delivered the reply, before JSON parsing. */
  arrivedAt: number
}

interface ServerMessage {
  type?: string
  id?: string | number
  ok?: boolean
  result?: unknown
  error?: { code?: string }
  t?: number
}

export class LiveClient {
  private readonly pending = new Map<string, (r: LiveReply | null) => void>()
  private welcomed: (() => void) | undefined
  private closing = false
  private seq = 0
  /**
   * Request ids are unique across clients, not only per socket: Loupe remembers acquire
   * replies by user + request id (not session) for idempotent retries, so with auth off
   * (one user) two sessions both counting from r1 would be handed each other's replies.
   */
  private readonly idPrefix = randomUUID().slice(0, 8)

  private constructor(
    readonly ws: WebSocket,
    private readonly log: ClientLog,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      const arrivedAt = performance.now()
      if (isBinary) return log.error('live: unexpected binary message')
      this.onMessage(data.toString('utf8'), arrivedAt)
    })
    ws.on('close', (code) => {
      if (!this.closing) log.close(code)
      for (const settle of this.pending.values()) settle(null)
      this.pending.clear()
    })
    ws.on('error', (err) => log.error(`live: ${err.message}`))
  }

  /** Opens the socket and waits for `welcome`; rejects on close, error or timeout. */
  static async connect(url: string, log: ClientLog, timeoutMs = 15_000): Promise<LiveClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs })
    const c = new LiveClient(ws, log)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('live: no welcome in time')), timeoutMs)
      c.welcomed = () => {
        clearTimeout(timer)
        resolve()
      }
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', v: 1 })))
      ws.once('close', (code) => {
        clearTimeout(timer)
        reject(new Error(`live: closed before welcome (${code})`))
      })
    })
    return c
  }

  private onMessage(text: string, arrivedAt: number): void {
    let m: ServerMessage
    try {
      m = JSON.parse(text) as ServerMessage
    } catch {
      return this.log.error('live: unparsable message')
    }
    if (m.type === 'reply' && m.id !== undefined) {
      const settle = this.pending.get(String(m.id))
      this.pending.delete(String(m.id))
      settle?.({ ok: m.ok === true, result: m.result, error: m.error, arrivedAt })
    } else if (m.type === 'ping') {
      this.ws.send(JSON.stringify({ type: 'pong', t: m.t ?? 0 }))
    } else if (m.type === 'welcome') {
      this.welcomed?.()
    } else if (m.type === 'error') {
      this.log.error(`live error message: ${m.error?.code ?? '?'}`)
    }
  }

  /** Sends one request; resolves with the reply, or null if the socket closed first. */
  request(type: string, body: Record<string, unknown>): Promise<LiveReply | null> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve(null)
    const id = `${this.idPrefix}-${++this.seq}`
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      this.ws.send(JSON.stringify({ type, id, ...body }))
    })
  }

  /** Graceful close with a bounded wait, then terminate. */
  async close(waitMs = 2000): Promise<void> {
    this.closing = true
    if (this.ws.readyState === WebSocket.CLOSED) return
    const done = new Promise<void>((r) => this.ws.once('close', () => r()))
    this.ws.close(1000)
    const timer = setTimeout(() => this.ws.terminate(), waitMs)
    await done
    clearTimeout(timer)
  }
}

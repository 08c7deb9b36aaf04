/**
 * One simulated y-websocket client on a raw `ws` socket. Deliberately thin: by default
 * it keeps no Y.Doc and hands received updates to the scenario, so a single load
 * generator process can host thousands of them.
 */
import WebSocket from 'ws'
import * as Y from 'yjs'
import type { AwarenessEntry } from './protocol.ts'
import {
  EMPTY_STATE_VECTOR,
  EMPTY_UPDATE,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
  decodeMessage,
  encodeAwareness,
  encodeSync,
} from './protocol.ts'
import { nowMs } from '../stats.ts'

/** Counters shared by all clients of a run; anything unexpected ends up here, not in a crash. */
export class ClientLog {
  readonly unexpectedCloses: Record<string, number> = {}
  readonly errors: Record<string, number> = {}
  authDenied = 0
  textMessages = 0
  messagesIn = 0
  decodeErrors = 0

  close(code: number): void {
    const k = String(code)
    this.unexpectedCloses[k] = (this.unexpectedCloses[k] ?? 0) + 1
  }

  error(msg: string): void {
    const k = msg.slice(0, 80)
    this.errors[k] = (this.errors[k] ?? 0) + 1
  }
}

export interface ClientOptions {
  /** With a doc: its state vector goes in step 1, its local changes are sent. */
  doc?: Y.Doc
  /** Apply received updates to `doc` (costly at scale; only for clients that must hold state). */
  applyRemote?: boolean
  onUpdate?: (update: Uint8Array, arrivedAt: number) => void
  onAwareness?: (payload: Uint8Array, arrivedAt: number) => void
}

export class BenchClient {
  synced = false
  /** Set by the scenario's close(); a close after this is not recorded as unexpected. */
  private closing = false
  private awareness: AwarenessEntry | null = null
  private syncWaiters: Array<() => void> = []
  readonly opened: Promise<void>

  private constructor(
    readonly ws: WebSocket,
    private readonly opts: ClientOptions,
    private readonly log: ClientLog,
  ) {
    this.opened = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('close', (code) => reject(new Error(`closed before open (${code})`)))
      ws.once('error', (err) => reject(err))
    })
    // Callers that never await `opened` (fire-and-forget clients) must not trip unhandled rejections.
    this.opened.catch(() => undefined)
    ws.on('open', () =>
      this.send(
        encodeSync(SYNC_STEP1, opts.doc ? Y.encodeStateVector(opts.doc) : EMPTY_STATE_VECTOR),
      ),
    )
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary))
    ws.on('close', (code) => {
      if (!this.closing) log.close(code)
      this.releaseWaiters()
    })
    ws.on('error', (err) => log.error(err.message))
    if (opts.doc) {
      opts.doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== this) this.send(encodeSync(SYNC_UPDATE, update))
      })
    }
  }

  static create(url: string, log: ClientLog, opts: ClientOptions = {}): BenchClient {
    // No permessage-deflate: compression would measure zlib, and stock y-websocket clients
    // in browsers negotiate it only if the server offers it; the reference server does not.
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 15_000 })
    ws.binaryType = 'nodebuffer'
    return new BenchClient(ws, opts, log)
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  /** Resolves true once the server's step 2 arrived, false on timeout or close. */
  whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true)
    if (this.ws.readyState >= WebSocket.CLOSING) return Promise.resolve(false)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.synced), timeoutMs)
      this.syncWaiters.push(() => {
        clearTimeout(timer)
        resolve(this.synced)
      })
    })
  }

  private releaseWaiters(): void {
    const w = this.syncWaiters
    this.syncWaiters = []
    for (const f of w) f()
  }

  send(buf: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(buf)
  }

  sendUpdate(update: Uint8Array): void {
    this.send(encodeSync(SYNC_UPDATE, update))
  }

  setAwareness(entry: AwarenessEntry): void {
    this.awareness = entry
    this.send(encodeAwareness([entry]))
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    // Taken before any decoding so the latency excludes this client's own parsing work.
    const arrivedAt = nowMs()
    this.log.messagesIn++
    if (!isBinary) {
      this.log.textMessages++
      return
    }
    try {
      const msg = decodeMessage(data)
      switch (msg.kind) {
        case 'sync':
          this.onSync(msg.subtype, msg.payload, arrivedAt)
          break
        case 'awareness':
          this.opts.onAwareness?.(msg.payload, arrivedAt)
          break
        case 'auth':
          if (msg.denied) this.log.authDenied++
          break
        case 'query-awareness':
          if (this.awareness) this.send(encodeAwareness([this.awareness]))
          break
        case 'other':
          break
      }
    } catch (err) {
      this.log.decodeErrors++
      this.log.error(`decode: ${(err as Error).message}`)
    }
  }

  private onSync(subtype: number, payload: Uint8Array, arrivedAt: number): void {
    const doc = this.opts.doc
    if (subtype === SYNC_STEP1) {
      // The server asks for what we have that it lacks; a client without a doc has nothing.
      this.send(encodeSync(SYNC_STEP2, doc ? Y.encodeStateAsUpdate(doc, payload) : EMPTY_UPDATE))
      return
    }
    if (doc && this.opts.applyRemote) Y.applyUpdate(doc, payload, this)
    this.opts.onUpdate?.(payload, arrivedAt)
    if (subtype === SYNC_STEP2 && !this.synced) {
      this.synced = true
      this.releaseWaiters()
    }
  }

  /** Graceful close with a bounded wait, then a hard terminate so shutdown never hangs. */
  async close(waitMs = 2000): Promise<void> {
    this.closing = true
    if (this.ws.readyState === WebSocket.CLOSED) return
    const done = new Promise<void>((r) => this.ws.once('close', () => r()))
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate()
    else this.ws.close(1000)
    const timer = setTimeout(() => this.ws.terminate(), waitMs)
    await done
    clearTimeout(timer)
  }
}

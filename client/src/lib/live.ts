/**
 * The live socket (shared/protocol/live.ts): hello with a resumable session, pongs, requests
 * matched by id, stream subscriptions that resume from the last sequence seen (so a reconnect
 * leaves no gap), notifications and commit acknowledgements. Reconnects with backoff.
 */
import {
  LIVE_PROTOCOL_VERSION,
  type ClientRequestBody,
  type ServerMessage,
} from '../../../shared/protocol/live.ts'
import { CloseCode } from '../../../shared/protocol/close-codes.ts'
import { currentToken, refresh } from './api.ts'

type EventMessage = Extract<ServerMessage, { type: 'event' }>

export interface Live {
  request<T = unknown>(message: ClientRequestBody): Promise<T>
  /** Events of `stream` after `afterSeq` (replayed), then live; null starts at now. */
  subscribe(
    stream: string,
    onEvent: (message: EventMessage) => void,
    onReset?: () => void,
    afterSeq?: number,
  ): () => void
  onMessage(listener: (message: ServerMessage) => void): () => void
  readonly connected: () => boolean
  close(): void
}

export class LiveRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message)
  }
}

export function makeLive(onStatus: (connected: boolean) => void = () => {}): Live {
  let ws: WebSocket | null = null
  let closed = false
  let welcomed = false
  let backoff = 250
  let nextId = 1
  let retry: ReturnType<typeof setTimeout> | undefined
  // Back online: reconnect now rather than at the end of the backoff.
  const onOnline = () => {
    if (closed || (ws && ws.readyState <= WebSocket.OPEN)) return
    clearTimeout(retry)
    backoff = 250
    connect()
  }
  window.addEventListener('online', onOnline)
  const pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; message: object }
  >()
  const listeners = new Set<(message: ServerMessage) => void>()
  interface Stream {
    lastSeq: number | null
    listeners: Set<{ onEvent: (m: EventMessage) => void; onReset?: (() => void) | undefined }>
  }
  const streams = new Map<string, Stream>()

  const send = (message: object) => {
    if (ws?.readyState === WebSocket.OPEN && welcomed) ws.send(JSON.stringify(message))
  }

  const resubscribe = (stream: string) => {
    const sub = streams.get(stream)
    if (!sub) return
    const afterSeq = sub.lastSeq ?? undefined
    void live
      .request({ type: 'subscribe', stream, ...(afterSeq !== undefined ? { afterSeq } : {}) })
      .then(
        (result) => {
          const { lastSeq } = result as { lastSeq: number }
          if (sub.lastSeq === null) sub.lastSeq = lastSeq
        },
        () => {},
      )
  }

  const connect = () => {
    if (closed) return
    const token = currentToken()
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/live${token ? `?token=${encodeURIComponent(token)}` : ''}`
    const socket = new WebSocket(url)
    ws = socket
    socket.onopen = () => {
      const sessionId = sessionStorage.getItem('loupe-live-session') ?? undefined
      socket.send(
        JSON.stringify({
          type: 'hello',
          v: LIVE_PROTOCOL_VERSION,
          ...(sessionId ? { sessionId } : {}),
        }),
      )
    }
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as ServerMessage
      switch (message.type) {
        case 'welcome':
          welcomed = true
          backoff = 250
          sessionStorage.setItem('loupe-live-session', message.sessionId)
          onStatus(true)
          for (const { message: m } of pending.values()) send(m)
          for (const stream of streams.keys()) resubscribe(stream)
          break
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong', t: message.t }))
          break
        case 'reply': {
          const waiting = pending.get(String(message.id))
          if (!waiting) break
          pending.delete(String(message.id))
          if (message.ok) waiting.resolve(message.result)
          else
            waiting.reject(
              new LiveRequestError(message.error.code, message.error.message, message.error),
            )
          break
        }
        case 'event': {
          const sub = streams.get(message.stream)
          if (sub && (sub.lastSeq === null || message.seq > sub.lastSeq)) {
            sub.lastSeq = message.seq
            for (const listener of sub.listeners) listener.onEvent(message)
          }
          break
        }
        case 'reset': {
          const sub = streams.get(message.stream)
          if (sub) {
            sub.lastSeq = message.lastSeq
            for (const listener of sub.listeners) listener.onReset?.()
          }
          break
        }
        default:
          break
      }
      for (const listener of listeners) listener(message)
    }
    socket.onclose = (event) => {
      welcomed = false
      onStatus(false)
      // 4403 (removed from one workspace) is no reason to leave: the socket is the user's.
      if (closed || event.code === CloseCode.unsupportedVersion) return
      // 4401: the token lapsed (or there was none offline); refresh, then try again.
      if (event.code === CloseCode.unauthorized) void refresh()
      retry = setTimeout(connect, backoff)
      backoff = Math.min(backoff * 2, 5000)
    }
  }

  const live: Live = {
    request<T>(message: ClientRequestBody) {
      const id = `c${nextId++}`
      const full = { ...message, id }
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, message: full })
        send(full)
      })
    },
    subscribe(stream, onEvent, onReset, afterSeq) {
      const listener = { onEvent, onReset }
      let sub = streams.get(stream)
      if (!sub) {
        sub = { lastSeq: afterSeq ?? null, listeners: new Set() }
        streams.set(stream, sub)
        sub.listeners.add(listener)
        if (welcomed) resubscribe(stream)
      } else {
        sub.listeners.add(listener)
      }
      const current = sub
      return () => {
        current.listeners.delete(listener)
        if (current.listeners.size > 0 || streams.get(stream) !== current) return
        streams.delete(stream)
        void live.request({ type: 'unsubscribe', stream }).catch(() => {})
      }
    },
    onMessage(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    connected: () => welcomed,
    close() {
      closed = true
      clearTimeout(retry)
      window.removeEventListener('online', onOnline)
      ws?.close()
    },
  }
  connect()
  return live
}

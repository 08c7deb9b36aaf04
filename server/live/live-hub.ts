/**
 * The live socket, `/ws/live` (docs/product.md, "Live socket"): JSON messages for what is not a
 * CRDT — event streams with durable replay, notifications, heartbeats. One per client.
 */
import type { Hono } from 'hono'
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { RawData, WebSocket } from 'ws'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { isEventType, parseStream, type LoupeEvent } from '../../shared/protocol/events.ts'
import {
  clientMessage,
  LIVE_PROTOCOL_VERSION,
  type ClientMessage,
} from '../../shared/protocol/live.ts'
import type { Auth } from '../auth/auth.ts'
import type { Directory, User } from '../db/directory.ts'
import { socketRoute } from '../net/socket-route.ts'
import { badRequest, forbidden, LoupeError, unavailable } from '../errors.ts'
import type { EventBus } from '../events/bus.ts'
import type { Notification, NotificationStore } from '../notifications/notification-store.ts'
import type { LockApi } from '../locks/lock-api.ts'
import { TokenBucket } from '../net/rate.ts'
import { LiveSession } from './session.ts'

export interface LiveHubOptions {
  auth: Auth
  directory: Directory
  bus: EventBus
  notifications: NotificationStore
  heartbeatMs: number
  messagesPerSecond: number
  log: Logger
  /** Lock requests (`lock.acquire` and friends) go here; their session is this socket's. */
  locks?: LockApi
  /** Told when a session dies, so what it held (locks) is freed (DESIGN: within 4 × heartbeat). */
  sessionDied?: (sessionId: string) => void
}

/** Live messages are small JSON; anything larger is refused with 4413. */
const MAX_LIVE_MESSAGE = 64 * 1024
const REPLAY_PAGE = 1000
const MISSED_PINGS_ALLOWED = 3

export class LiveHub {
  private readonly sessions = new Map<string, LiveSession>()
  private readonly sockets = new Set<WebSocket>()
  private readonly timer: NodeJS.Timeout
  private stopping = false

  constructor(private readonly options: LiveHubOptions) {
    this.timer = setInterval(() => this.heartbeat(), options.heartbeatMs)
    this.timer.unref()
    options.bus.listen((stream, seq, event) => this.deliver(stream, seq, event))
  }

  get sessionCount(): number {
    return this.sessions.size
  }

  route(app: Hono): void {
    socketRoute(
      app,
      '/ws/live',
      (c) => this.options.auth.identifyToken(c.req.query('token')),
      (ws, user) => this.open(ws, user),
    )
  }

  private open(ws: WebSocket, user: User | null): void {
    if (this.stopping) return ws.close(CloseCode.serverStopping, 'server stopping')
    if (!user) return ws.close(CloseCode.unauthorized, 'missing or invalid token')
    this.sockets.add(ws)
    const rate = new TokenBucket(this.options.messagesPerSecond, this.options.messagesPerSecond * 2)
    let session: LiveSession | null = null
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary || !Buffer.isBuffer(data))
        return ws.close(CloseCode.malformed, 'expected JSON text')
      if (data.byteLength > MAX_LIVE_MESSAGE)
        return ws.close(CloseCode.tooLarge, 'message too large')
      if (!rate.take()) return ws.close(CloseCode.rateLimited, 'too many messages per second')
      session = this.receive(ws, user, session, data.toString('utf8'))
    })
    ws.on('close', () => {
      this.sockets.delete(ws)
      if (session && session.socket === ws) {
        session.socket = null
        session.detachedAt = performance.now()
      }
    })
    ws.on('error', (error) => this.options.log.debug({ err: error }, 'live socket error'))
  }

  /** Handles one message; returns the connection's session (set by hello). */
  private receive(
    ws: WebSocket,
    user: User,
    session: LiveSession | null,
    text: string,
  ): LiveSession | null {
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      sendTo(ws, {
        type: 'error',
        error: { code: 'bad_request', message: 'messages must be JSON objects' },
      })
      return session
    }
    const parsed = clientMessage.safeParse(raw)
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id
      const type = (raw as { type?: unknown } | null)?.type
      const error = {
        code: 'bad_request',
        message:
          typeof type === 'string'
            ? `malformed or unknown message ${type}`
            : 'a message needs a type',
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      }
      if (typeof id === 'string' || typeof id === 'number')
        sendTo(ws, { type: 'reply', id, ok: false, error })
      else sendTo(ws, { type: 'error', error })
      return session
    }
    const message = parsed.data
    if (message.type === 'hello') return this.hello(ws, user, message)
    if (!session) {
      sendTo(ws, { type: 'error', error: { code: 'hello_first', message: 'send hello first' } })
      return session
    }
    this.handle(session, message)
    return session
  }

  private hello(
    ws: WebSocket,
    user: User,
    message: Extract<ClientMessage, { type: 'hello' }>,
  ): LiveSession | null {
    if (message.v !== LIVE_PROTOCOL_VERSION) {
      const which = message.v < LIVE_PROTOCOL_VERSION ? 'too old' : 'too new'
      ws.close(
        CloseCode.unsupportedVersion,
        `client ${which}: this server speaks v${LIVE_PROTOCOL_VERSION}; reload`,
      )
      return null
    }
    let session = message.sessionId ? this.sessions.get(message.sessionId) : undefined
    const resumed = !!session && session.user.id === user.id
    if (!session || !resumed) {
      session = new LiveSession(randomUUID(), user)
      this.sessions.set(session.id, session)
    }
    // A resumed session moves to this socket; an older socket of it is let go.
    if (session.socket && session.socket !== ws)
      session.socket.close(1000, 'session resumed elsewhere')
    session.socket = ws
    session.detachedAt = null
    session.unanswered = 0
    session.send({
      type: 'welcome',
      v: LIVE_PROTOCOL_VERSION,
      sessionId: session.id,
      heartbeatMs: this.options.heartbeatMs,
      resumed,
    })
    return session
  }

  private handle(session: LiveSession, message: Exclude<ClientMessage, { type: 'hello' }>): void {
    switch (message.type) {
      case 'pong':
        session.unanswered = 0
        return
      case 'subscribe':
      case 'unsubscribe':
      case 'notifications.read':
      case 'lock.acquire':
      case 'lock.release':
      case 'lock.renew':
      case 'lock.cancel':
        try {
          const result = this.request(session, message)
          if (message.type !== 'subscribe')
            session.send({ type: 'reply', id: message.id, ok: true, result })
        } catch (error) {
          // A domain error is the refusal; anything else is a bug and surfaces as one.
          if (!(error instanceof LoupeError)) throw error
          const refusal = error
          session.send({
            type: 'reply',
            id: message.id,
            ok: false,
            error: { ...refusal.details, code: refusal.code, message: refusal.message },
          })
        }
        return
      default:
        return assertNever(message)
    }
  }

  private request(session: LiveSession, message: Extract<ClientMessage, { id: unknown }>): unknown {
    switch (message.type) {
      case 'subscribe':
        return this.subscribe(session, message)
      case 'unsubscribe':
        session.subscriptions.delete(message.stream)
        return { stream: message.stream }
      case 'notifications.read': {
        this.options.notifications.markRead(session.user.id, message.ids)
        return { unreadCount: this.options.notifications.unreadCount(session.user.id) }
      }
      case 'lock.acquire':
        return this.lockApi().acquire(
          session.user,
          {
            key: message.key,
            ttlMs: message.ttlMs,
            wait: message.wait,
            requestId: String(message.id),
          },
          session.id,
        )
      case 'lock.release':
        return { lock: this.lockApi().release(session.user, message.key, session.id) }
      case 'lock.renew':
        return { lock: this.lockApi().renew(session.user, message.key, session.id, message.ttlMs) }
      case 'lock.cancel':
        this.lockApi().cancel(session.user, message.key, session.id)
        return { key: message.key }
      default:
        return assertNever(message)
    }
  }

  /**
   * Subscribes, replaying from the durable log first. All of it runs synchronously (SQLite
   * is synchronous), so no event can be emitted between the replay and the live part: no gap
   * and no duplicate at the seam.
   */
  private subscribe(
    session: LiveSession,
    message: Extract<ClientMessage, { type: 'subscribe' }>,
  ): void {
    const { stream } = message
    this.authorizeStream(session.user, stream)
    const unknown = message.types?.find((t) => !isEventType(t))
    if (unknown) throw badRequest(`unknown event type ${unknown}`)
    const info = this.options.bus.info(stream)
    session.send({
      type: 'reply',
      id: message.id,
      ok: true,
      result: { stream, epoch: info.epoch, lastSeq: info.lastSeq },
    })
    const types = message.types ? new Set(message.types) : null
    session.subscriptions.set(stream, { types })
    const afterSeq = message.afterSeq
    if (afterSeq === undefined || stream === 'system') return
    if (afterSeq < info.firstSeq - 1 || afterSeq > info.lastSeq) {
      // The log no longer reaches back that far (or the client is ahead of a reset log).
      session.send({ type: 'reset', stream, epoch: info.epoch, lastSeq: info.lastSeq })
      return
    }
    for (let after = afterSeq; ;) {
      const page = this.options.bus.log.read(stream, after, REPLAY_PAGE)
      for (const { seq, event } of page) {
        if (!types || types.has(event.type)) session.send({ type: 'event', stream, seq, event })
        after = seq
      }
      if (page.length < REPLAY_PAGE) break
    }
  }

  /** A user gets only the streams of workspaces they belong to; `system` is for owners. */
  private authorizeStream(user: User, stream: string): void {
    const parsed = parseStream(stream)
    if (!parsed) throw badRequest('stream must be workspace:<id>, board:<id> or system')
    const { auth, directory } = this.options
    let allowed: boolean
    if (parsed.kind === 'system') {
      allowed = !auth.enabled || directory.workspacesOf(user.id).some((w) => w.role === 'owner')
    } else {
      const workspaceId =
        parsed.kind === 'workspace' ? parsed.id : directory.board(parsed.id)?.workspaceId
      allowed =
        !!workspaceId && !!directory.workspace(workspaceId) && !!auth.roleIn(user, workspaceId)
    }
    if (!allowed) throw forbidden(`not allowed to read ${stream}`)
  }

  private deliver(stream: string, seq: number, event: LoupeEvent): void {
    for (const session of this.sessions.values()) {
      if (session.wants(stream, event.type)) session.send({ type: 'event', stream, seq, event })
    }
  }

  pushNotification(userId: string, notification: Notification): void {
    for (const session of this.sessions.values()) {
      if (session.user.id === userId) session.send({ type: 'notification', notification })
    }
  }

  /** Closes a user's live sockets (removed from a workspace: 4403, docs/product.md). */
  closeUser(userId: string, code: number, reason: string): void {
    for (const session of this.sessions.values()) {
      if (session.user.id !== userId) continue
      session.socket?.close(code, reason)
      // Subscriptions may include the workspace they lost; a reconnect starts clean.
      session.subscriptions.clear()
    }
  }

  private lockApi(): LockApi {
    if (!this.options.locks) throw unavailable('locks are not available')
    return this.options.locks
  }

  /** Whether a session is alive: attached, or detached but still within its resume window. */
  sessionAlive(sessionId: string): boolean {
    return this.sessions.has(sessionId)
  }

  ownsSession(userId: string, sessionId: string): boolean {
    return this.sessions.get(sessionId)?.user.id === userId
  }

  /**
   * Sessions that held locks before a restart come back as closed sockets at this moment
   * (L8): each may resume within the usual window, or dies and frees its locks.
   */
  restoreSessions(sessions: ReadonlyArray<{ sessionId: string; user: User }>): void {
    const now = performance.now()
    for (const { sessionId, user } of sessions) {
      if (this.sessions.has(sessionId)) continue
      const session = new LiveSession(sessionId, user)
      session.detachedAt = now
      this.sessions.set(sessionId, session)
    }
  }

  /** Tells users whose board changes are committed, so their clients can say "saved". */
  docCommitted(boardId: string, userIds: ReadonlySet<string>, stateVector: Uint8Array): void {
    let encoded: string | null = null
    for (const session of this.sessions.values()) {
      if (!userIds.has(session.user.id)) continue
      encoded ??= Buffer.from(stateVector).toString('base64')
      session.send({ type: 'doc.committed', boardId, stateVector: encoded })
    }
  }

  /** Tells the sender of an edit to a locked entity who holds it (docs/product.md). */
  lockedEdit(userId: string, key: string, holder: { id: string; name: string }): void {
    for (const session of this.sessions.values()) {
      if (session.user.id === userId) {
        session.send({
          type: 'error',
          error: { code: 'locked', message: `${key} is locked by ${holder.name}`, key, holder },
        })
      }
    }
  }

  /** Sessions with a subscription to `stream` (the system figures are sent only if any). */
  hasSubscribers(stream: string): boolean {
    for (const session of this.sessions.values()) if (session.subscriptions.has(stream)) return true
    return false
  }

  /**
   * Every heartbeatMs: ping attached sessions, close those that missed 3 pings (4408), and
   * end sessions detached for longer than one interval (docs/product.md: dead within 4 × heartbeat).
   */
  private heartbeat(): void {
    const now = performance.now()
    for (const session of [...this.sessions.values()]) {
      if (session.socket) {
        if (session.unanswered >= MISSED_PINGS_ALLOWED) {
          session.socket.close(CloseCode.heartbeatMissed, 'heartbeat missed')
          continue
        }
        session.unanswered++
        session.send({ type: 'ping', t: Date.now() })
      } else if (
        session.detachedAt !== null &&
        now - session.detachedAt >= this.options.heartbeatMs
      ) {
        this.sessions.delete(session.id)
        this.options.sessionDied?.(session.id)
      }
    }
  }

  stop(): void {
    this.stopping = true
    clearInterval(this.timer)
    for (const ws of this.sockets) ws.close(CloseCode.serverStopping, 'server stopping')
  }
}

function sendTo(ws: WebSocket, message: object): void {
  if (ws.readyState === 1) ws.send(JSON.stringify(message))
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`)
}

/**
 * The live socket, `/ws/live` (docs/product.md, "Live socket"): JSON messages for what is not
 * a CRDT — event streams with durable replay, notifications, heartbeats, locks. One per client.
 *
 * This file accepts sockets: it checks each frame (text, size, rate), parses it against the
 * shared schema, and binds the socket to a session with `hello`. The rest has its own room:
 * sessions.ts (who is connected, resume), dispatch.ts (requests and replies), fan-out.ts
 * (pushes and the heartbeat).
 */
import type { Logger } from 'pino'
import type { RawData, WebSocket } from 'ws'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import {
  clientMessage,
  LIVE_PROTOCOL_VERSION,
  type ClientMessage,
} from '../../shared/protocol/live.ts'
import type { User } from '../db/directory.ts'
import { TokenBucket } from '../net/rate.ts'
import type { SocketDoor } from '../net/socket-door.ts'
import { LiveDispatch, type DispatchDeps } from './dispatch.ts'
import { LiveFanOut } from './fan-out.ts'
import type { LiveSession } from './session.ts'
import { LiveSessions } from './sessions.ts'

export interface LiveHubOptions extends DispatchDeps {
  heartbeatMs: number
  messagesPerSecond: number
  log: Logger
  /** Told when a session dies, so what it held (locks) is freed (within 4 × heartbeat). */
  sessionDied?: (sessionId: string) => void
  /**
   * Cluster mode: whether a session this node does not know is alive on another node for this
   * user, now moved here (its locks and waits stay its own).
   */
  resumeElsewhere?: (sessionId: string, user: User) => Promise<boolean>
  /** Cluster mode: a new session is made known to the other nodes before it is welcomed. */
  sessionStarted?: (sessionId: string, user: User) => Promise<void>
}

/** Live messages are small JSON; anything larger is refused with 4413. */
export const MAX_LIVE_MESSAGE = 64 * 1024

export class LiveHub {
  readonly sessions = new LiveSessions()
  readonly push = new LiveFanOut(this.sessions)
  private readonly dispatch: LiveDispatch
  private readonly sockets = new Set<WebSocket>()
  private readonly timer: NodeJS.Timeout
  private stopping = false

  constructor(private readonly options: LiveHubOptions) {
    this.dispatch = new LiveDispatch(options)
    this.timer = setInterval(
      () => this.push.heartbeat(options.heartbeatMs, (id) => options.sessionDied?.(id)),
      options.heartbeatMs,
    )
    this.timer.unref()
    options.bus.listen((stream, seq, event) => this.push.deliver(stream, seq, event))
  }

  route(door: SocketDoor): void {
    door.route(
      '/ws/live',
      ({ query }) => this.options.auth.identifyToken(query.get('token') ?? undefined),
      (ws, _socket, user) => this.open(ws, user),
    )
  }

  private open(ws: WebSocket, user: User | null): void {
    if (this.stopping) return ws.close(CloseCode.serverStopping, 'server stopping')
    if (!user) return ws.close(CloseCode.unauthorized, 'missing or invalid token')
    this.sockets.add(ws)
    const burst = this.options.messagesPerSecond * 2
    const rate = new TokenBucket(this.options.messagesPerSecond, burst)
    let session: LiveSession | null = null
    // Requests are answered strictly in order: each waits for the one before (reading the
    // store is asynchronous). No more may wait than one burst of the rate limit.
    let inbox = Promise.resolve()
    let waiting = 0
    const receive = async (message: ClientMessage) => {
      try {
        if (message.type === 'hello') session = await this.hello(ws, user, message)
        else if (!session)
          sendTo(ws, { type: 'error', error: { code: 'hello_first', message: 'send hello first' } })
        else if (message.type === 'pong') session.unanswered = 0
        else await this.dispatch.handle(session, message)
      } catch (error) {
        // An exception here would escape into ws and end the process: end this socket only.
        this.options.log.error({ err: error }, 'live socket failed')
        ws.close(1011, 'internal error')
      }
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary || !Buffer.isBuffer(data))
        return ws.close(CloseCode.malformed, 'expected JSON text')
      if (data.byteLength > MAX_LIVE_MESSAGE)
        return ws.close(CloseCode.tooLarge, 'message too large')
      if (!rate.take()) return ws.close(CloseCode.rateLimited, 'too many messages per second')
      const message = parse(ws, data.toString('utf8'))
      if (!message) return
      // A pong says only that the client is there: it waits for nothing.
      if (message.type === 'pong' && session) return void (session.unanswered = 0)
      if (waiting >= burst) return ws.close(CloseCode.rateLimited, 'too many requests waiting')
      waiting++
      inbox = inbox.then(() => receive(message)).finally(() => waiting--)
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

  private async hello(
    ws: WebSocket,
    user: User,
    message: Extract<ClientMessage, { type: 'hello' }>,
  ): Promise<LiveSession | null> {
    if (message.v !== LIVE_PROTOCOL_VERSION) {
      const which = message.v < LIVE_PROTOCOL_VERSION ? 'too old' : 'too new'
      ws.close(
        CloseCode.unsupportedVersion,
        `client ${which}: this server speaks v${LIVE_PROTOCOL_VERSION}; reload`,
      )
      return null
    }
    const asked = message.sessionId
    if (
      asked &&
      !this.sessions.alive(asked) &&
      (await this.options.resumeElsewhere?.(asked, user).catch(() => false))
    )
      this.sessions.adopt(asked, user)
    const { session, resumed } = this.sessions.attach(user, message.sessionId)
    // A resumed session moves to this socket; an older socket of it is let go.
    if (session.socket && session.socket !== ws)
      session.socket.close(1000, 'session resumed elsewhere')
    if (!resumed) await this.options.sessionStarted?.(session.id, user).catch(() => undefined)
    if (ws.readyState !== ws.OPEN) {
      // The socket went while Redis was asked: the session is detached, as after any drop,
      // and ends once its window passes.
      if (!session.socket || session.socket === ws) {
        session.socket = null
        session.detachedAt ??= performance.now()
      }
      return null
    }
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

  /** Lets a session go without ending it (cluster mode: it was resumed on another node). */
  letGo(sessionId: string): void {
    for (const session of this.sessions.all()) {
      if (session.id !== sessionId) continue
      session.socket?.close(1000, 'session resumed elsewhere')
      this.sessions.end(sessionId)
    }
  }

  /** Closes a user's live sockets (removed from a workspace: 4403, docs/product.md). */
  closeUser(userId: string, code: number, reason: string): void {
    for (const session of this.sessions.ofUser(userId)) {
      session.socket?.close(code, reason)
      // Subscriptions may include the workspace they lost; a reconnect starts clean.
      session.subscriptions.clear()
    }
  }

  stop(): void {
    this.stopping = true
    clearInterval(this.timer)
    for (const ws of this.sockets) ws.close(CloseCode.serverStopping, 'server stopping')
  }
}

/** Parses a frame against the shared schema; a bad one is answered and yields null. */
function parse(ws: WebSocket, text: string): ClientMessage | null {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    sendTo(ws, {
      type: 'error',
      error: { code: 'bad_request', message: 'messages must be JSON objects' },
    })
    return null
  }
  const parsed = clientMessage.safeParse(raw)
  if (parsed.success) return parsed.data
  const id = (raw as { id?: unknown } | null)?.id
  const type = (raw as { type?: unknown } | null)?.type
  const error = {
    code: 'bad_request',
    message:
      typeof type === 'string' ? `malformed or unknown message ${type}` : 'a message needs a type',
    issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  }
  if (typeof id === 'string' || typeof id === 'number')
    sendTo(ws, { type: 'reply', id, ok: false, error })
  else sendTo(ws, { type: 'error', error })
  return null
}

function sendTo(ws: WebSocket, message: object): void {
  if (ws.readyState === 1) ws.send(JSON.stringify(message))
}

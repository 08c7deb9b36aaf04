/**
 * Requests on the live socket, once a session exists: subscriptions with replay from the
 * durable log, notifications read, and lock requests (the session is the lock's owner).
 * Every request gets exactly one reply; a domain error (server/errors.ts) is its refusal.
 */
import { isEventType, parseStream } from '../../shared/protocol/events.ts'
import type { Logger } from 'pino'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import type { ClientRequest } from '../../shared/protocol/live.ts'
import type { Auth } from '../auth/auth.ts'
import type { DirectoryRepo, User } from '../storage/directory-repo.ts'
import { badRequest, forbidden, LoupeError, unavailable } from '../errors.ts'
import type { EventBus } from '../events/bus.ts'
import type { LockApi } from '../locks/lock-api.ts'
import type { NotificationRepo } from '../storage/notification-repo.ts'
import { isStorageError } from '../storage/store-health.ts'
import type { LiveSession, Subscription } from './session.ts'

type LiveRequest = ClientRequest

const REPLAY_PAGE = 1000

export interface DispatchDeps {
  log: Logger
  auth: Auth
  directory: DirectoryRepo
  bus: EventBus
  notifications: NotificationRepo
  locks?: LockApi | undefined
}

export class LiveDispatch {
  constructor(private readonly deps: DispatchDeps) {}

  /**
   * Answers one request; a subscription sends its own reply before its replay. The live hub
   * hands a socket's requests over one at a time, so replies keep the order of requests.
   */
  async handle(session: LiveSession, message: LiveRequest): Promise<void> {
    try {
      const result = await this.request(session, message)
      if (message.type !== 'subscribe')
        session.send({ type: 'reply', id: message.id, ok: true, result })
    } catch (error) {
      // A domain error is the refusal. Anything else (a failing disk, a bug) is logged and
      // still answered: the socket and the process carry on.
      const refusal = error instanceof LoupeError ? error : unexpected(error, this.deps.log)
      session.send({
        type: 'reply',
        id: message.id,
        ok: false,
        error: { ...refusal.details, code: refusal.code, message: refusal.message },
      })
    }
  }

  private async request(session: LiveSession, message: LiveRequest): Promise<unknown> {
    const { user, id: sessionId } = session
    switch (message.type) {
      case 'subscribe':
        return this.subscribe(session, message)
      case 'unsubscribe':
        session.subscriptions.delete(message.stream)
        return { stream: message.stream }
      case 'notifications.read':
        await this.deps.notifications.markRead(user.id, message.ids)
        return { unreadCount: await this.deps.notifications.unreadCount(user.id) }
      case 'lock.acquire': {
        const { key, ttlMs, wait } = message
        return this.locks().acquire(
          user,
          { key, ttlMs, wait, requestId: String(message.id) },
          sessionId,
        )
      }
      case 'lock.release':
        return { lock: await this.locks().release(user, message.key, sessionId) }
      case 'lock.renew':
        return { lock: await this.locks().renew(user, message.key, sessionId, message.ttlMs) }
      case 'lock.cancel':
        await this.locks().cancel(user, message.key, sessionId)
        return { key: message.key }
      default:
        return assertNever(message)
    }
  }

  private locks(): LockApi {
    if (!this.deps.locks) throw unavailable('locks are not available')
    return this.deps.locks
  }

  /**
   * Subscribes, replaying from the durable log first, with no gap and no duplicate at the
   * seam although the log is read asynchronously (docs/cluster.md, "The live socket"): the
   * subscription is registered before the log is read, holding whatever is committed
   * meanwhile; the reply and the replay go out; then the held events that are newer than
   * the last one sent, and from then on each event once, in sequence order.
   */
  private async subscribe(
    session: LiveSession,
    message: Extract<LiveRequest, { type: 'subscribe' }>,
  ) {
    const { stream } = message
    await this.authorizeStream(session.user, stream)
    const unknown = message.types?.find((t) => !isEventType(t))
    if (unknown) throw badRequest(`unknown event type ${unknown}`)
    const subscription: Subscription = {
      types: message.types ? new Set(message.types) : null,
      delivered: 0,
      held: [],
    }
    session.subscriptions.set(stream, subscription)
    try {
      const info = await this.deps.bus.info(stream)
      session.send({
        type: 'reply',
        id: message.id,
        ok: true,
        result: { stream, epoch: info.epoch, lastSeq: info.lastSeq },
      })
      // Without a replay the subscription starts after what the reply names.
      subscription.delivered = info.lastSeq
      const afterSeq = message.afterSeq
      if (afterSeq !== undefined && stream !== 'system') {
        if (afterSeq < info.firstSeq - 1 || afterSeq > info.lastSeq) {
          // The log no longer reaches back that far (or the client is ahead of a reset log).
          session.send({ type: 'reset', stream, epoch: info.epoch, lastSeq: info.lastSeq })
        } else {
          subscription.delivered = afterSeq
          await this.replay(session, stream, subscription)
        }
      }
    } catch (error) {
      if (session.subscriptions.get(stream) === subscription) session.subscriptions.delete(stream)
      throw error
    }
    const held = subscription.held ?? []
    subscription.held = null
    for (const { seq, event } of held) session.deliver(stream, seq, event)
  }

  /** Sends the log after `subscription.delivered`, page by page, up to its end. */
  private async replay(session: LiveSession, stream: string, subscription: Subscription) {
    for (;;) {
      const page = await this.deps.bus.log.read(stream, subscription.delivered, REPLAY_PAGE)
      for (const { seq, event } of page) {
        subscription.delivered = seq
        if (!subscription.types || subscription.types.has(event.type))
          session.send({ type: 'event', stream, seq, event })
      }
      if (page.length < REPLAY_PAGE) return
    }
  }

  /**
   * A user gets only the streams of workspaces they belong to, and of boards they may see (a
   * guest: their board's only); `system` is for owners.
   */
  private async authorizeStream(user: User, stream: string): Promise<void> {
    const parsed = parseStream(stream)
    if (!parsed) throw badRequest('stream must be workspace:<id>, board:<id> or system')
    const { auth, directory } = this.deps
    let allowed: boolean
    if (parsed.kind === 'system') {
      allowed =
        !auth.enabled || (await directory.workspacesOf(user.id)).some((w) => w.role === 'owner')
    } else if (parsed.kind === 'workspace') {
      allowed = !!(await directory.workspace(parsed.id)) && !!(await auth.roleIn(user, parsed.id))
    } else {
      // A board's stream: members of its workspace, and the guests of that board.
      const board = await directory.board(parsed.id)
      allowed =
        !!board &&
        !!(await directory.workspace(board.workspaceId)) &&
        !!(await auth.roleOnBoard(user, board))
    }
    if (!allowed) throw forbidden(`not allowed to read ${stream}`)
  }
}

function unexpected(error: unknown, log: Logger): LoupeError {
  if (isStorageError(error)) {
    log.error({ err: error }, 'live request failed: storage unavailable')
    return unavailable('storage is unavailable right now; try again later')
  }
  log.error({ err: error }, 'live request failed')
  return new LoupeError(ErrorCode.internal, 'internal error')
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`)
}

/**
 * News between nodes (node-news.ts), over one Redis pub/sub channel: what happened on one node
 * that sockets on the others must hear — events committed (for live subscribers), pushed
 * notifications, "saved" confirmations and refused edits of users whose live socket is on
 * another node, membership changes and ended share links (their sockets close everywhere).
 * Each node applies its own news at once and publishes it; the others apply it when it arrives.
 *
 * Pub/sub loses what is published while a node's subscription is down. Events are safe (the
 * next one past a gap reads the gap from the log, event-order.ts; a reconnecting client replays
 * from its afterSeq). Closing sockets is not: while Redis is away a node could miss that a
 * guest's link was revoked, so a node whose subscription dropped closes every live and document
 * socket it holds (1012): each reconnect passes the door again, against PostgreSQL.
 *
 * "Saved" news goes out at most every SAVED_EVERY_MS: every commit of a board says it, and one
 * pub/sub message per commit was a Redis round of work on every node, this one included, for
 * each update (a tenth of a core at 50 updates a second). The first of a quiet spell goes out
 * with its turn; what follows within the spell goes out together at its end, per board the
 * latest state vector (a board's only grows) for everyone whose changes were committed since.
 * This node's own sockets hear at once.
 */
import type { Logger } from 'pino'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { LockHolder } from '../../shared/protocol/locks.ts'
import type { Notification } from '../../shared/protocol/notifications.ts'
import type { Role } from '../../shared/roles.ts'
import type { EventBus } from '../events/bus.ts'
import type { NodeNews } from '../node-news.ts'
import { ChannelSubscriber } from './redis/channel-subscriber.ts'
import type { RedisConnection } from './redis/connection.ts'
import { EventOrder } from './event-order.ts'

/** "Saved" news to the other nodes at most this often (the first of a quiet spell at once). */
export const SAVED_EVERY_MS = 100

type News =
  | { k: 'event'; stream: string; seq: number; event: LoupeEvent }
  | { k: 'guests'; userIds: string[]; reason: string }
  | { k: 'member'; workspaceId: string; userId: string; role: Role | null }
  | { k: 'notification'; userId: string; notification: Notification }
  | { k: 'saved'; boardId: string; userIds: string[]; stateVector: string }
  | { k: 'locked'; userId: string; key: string; holder: LockHolder }
  | { k: 'forbidden'; userId: string; paths: string[] }
  | { k: 'moved'; sessionId: string }

export class ClusterNews {
  private readonly subscriber: ChannelSubscriber
  private readonly channel: string
  private local: NodeNews | null = null

  constructor(
    private readonly redis: RedisConnection,
    private readonly nodeId: string,
    private readonly log: Logger,
    /** Every socket of this node closes (1012): it may have missed news. */
    private readonly missedNews: () => void,
  ) {
    this.channel = `${redis.keys.prefix}news`
    this.subscriber = new ChannelSubscriber(redis, this.channel, {
      message: (payload) => this.arrived(payload.toString()),
      lost: () => {
        log.warn('news from other nodes interrupted: closing this node’s sockets')
        this.missedNews()
      },
      error: (error) => log.warn({ err: error }, 'could not subscribe to news from other nodes'),
    })
  }

  /** Whether news from the other nodes is being heard (for `/readyz`). */
  get listening(): boolean {
    return this.subscriber.listening
  }

  /** Applies news here and on every other node; events go through `bus` in order. */
  async start(local: NodeNews, bus: EventBus): Promise<NodeNews> {
    this.local = local
    const order = (this.order = new EventOrder(
      (stream, afterSeq, limit) => bus.log.read(stream, afterSeq, limit),
      (error) => this.log.error({ err: error }, 'live events could not be ordered'),
    ))
    bus.inCluster(
      (stream, seq, event) => this.publish({ k: 'event', stream, seq, event }),
      (stream, seq, event, deliver) => order.push(stream, seq, event, deliver),
    )
    this.bus = bus
    await this.subscriber.start()
    const publish = (news: News) => this.publish(news)
    return {
      guestsEnded(userIds, reason) {
        local.guestsEnded(userIds, reason)
        publish({ k: 'guests', userIds: [...userIds], reason })
      },
      membership(workspaceId, userId, role) {
        local.membership(workspaceId, userId, role)
        publish({ k: 'member', workspaceId, userId, role })
      },
      notification(userId, notification) {
        local.notification(userId, notification)
        publish({ k: 'notification', userId, notification })
      },
      docCommitted: (boardId, userIds, stateVector) => {
        local.docCommitted(boardId, userIds, stateVector)
        this.saved(boardId, userIds, stateVector)
      },
      lockedEdit(userId, key, holder) {
        local.lockedEdit(userId, key, holder)
        publish({ k: 'locked', userId, key, holder })
      },
      forbiddenEdit(userId, paths) {
        local.forbiddenEdit(userId, paths)
        publish({ k: 'forbidden', userId, paths: [...paths] })
      },
      // Only the others: here is where the session just moved to.
      sessionMoved(sessionId) {
        publish({ k: 'moved', sessionId })
      },
    }
  }

  private bus: EventBus | null = null
  /** News of this turn, published together once it ends (a commit of a thousand boards is one message). */
  private outbox: News[] = []

  private publish(news: News): void {
    this.outbox.push(news)
    if (this.outbox.length === 1) queueMicrotask(() => this.flush())
  }

  /** Per board, what is saved since the last "saved" news went out (SAVED_EVERY_MS). */
  private readonly savedSince = new Map<string, { userIds: Set<string>; stateVector: Uint8Array }>()
  /** The spell after a "saved" news went out; until it ends, more wait for its end. */
  private savedSpell: NodeJS.Timeout | null = null

  private saved(boardId: string, userIds: ReadonlySet<string>, stateVector: Uint8Array): void {
    const since = this.savedSince.get(boardId)
    if (since) for (const userId of userIds) since.userIds.add(userId)
    this.savedSince.set(boardId, { userIds: since?.userIds ?? new Set(userIds), stateVector })
    if (!this.savedSpell) this.publishSaved()
  }

  private publishSaved(): void {
    this.savedSpell = null
    if (this.savedSince.size === 0) return
    for (const [boardId, { userIds, stateVector }] of this.savedSince) {
      const encoded = Buffer.from(stateVector).toString('base64')
      this.publish({ k: 'saved', boardId, userIds: [...userIds], stateVector: encoded })
    }
    this.savedSince.clear()
    this.savedSpell = setTimeout(() => this.publishSaved(), SAVED_EVERY_MS)
    this.savedSpell.unref()
  }

  private flush(): void {
    const list = this.outbox
    this.outbox = []
    // `from` first: a node skips its own messages by their start, without parsing them.
    const text = JSON.stringify({ from: this.nodeId, list })
    this.redis.client.publish(this.channel, text).catch((error: unknown) => {
      const kinds = [...new Set(list.map((news) => news.k))]
      this.log.warn({ err: error, kinds }, 'news not published to other nodes')
    })
  }

  private arrived(text: string): void {
    if (!this.local || text.startsWith(this.ownPrefix)) return
    let list: News[]
    try {
      list = (JSON.parse(text) as { list: News[] }).list
    } catch {
      return
    }
    if (!Array.isArray(list)) return
    for (const news of list) this.apply(news)
  }

  private get ownPrefix(): string {
    return `{"from":${JSON.stringify(this.nodeId)},`
  }

  private apply(news: News): void {
    const local = this.local
    if (!local) return
    try {
      switch (news.k) {
        case 'event':
          return this.bus?.deliverFromElsewhere(news.stream, news.seq, news.event)
        case 'guests':
          return local.guestsEnded(news.userIds, news.reason)
        case 'member':
          return local.membership(news.workspaceId, news.userId, news.role)
        case 'notification':
          return local.notification(news.userId, news.notification)
        case 'saved':
          return local.docCommitted(
            news.boardId,
            new Set(news.userIds),
            new Uint8Array(Buffer.from(news.stateVector, 'base64')),
          )
        case 'locked':
          return local.lockedEdit(news.userId, news.key, news.holder)
        case 'forbidden':
          return local.forbiddenEdit(news.userId, news.paths)
        case 'moved':
          return local.sessionMoved(news.sessionId)
        default:
          news satisfies never
      }
    } catch (error) {
      this.log.error({ err: error }, 'news from another node failed')
    }
  }

  private order: EventOrder | null = null

  stop(): void {
    if (this.savedSpell) clearTimeout(this.savedSpell)
    this.savedSpell = null
    this.order?.stop()
    this.subscriber.stop()
  }
}

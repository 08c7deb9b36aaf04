/**
 * Timers that keep a running server tidy: event-log retention (at start and hourly) and the
 * owners' live figures (every 5 s, only while someone subscribes to `system`).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { SYSTEM_ACTOR } from '../shared/protocol/events.ts'
import type { Config } from './config.ts'
import type { Accounts } from './db/accounts.ts'
import type { EventBus } from './events/bus.ts'
import type { EventLog } from './events/event-log.ts'
import type { LiveHub } from './live/live-hub.ts'
import type { LockService } from './locks/lock-service.ts'
import type { Metrics } from './metrics.ts'
import type { DocSockets } from './realtime/doc-sockets.ts'
import type { RoomManager } from './realtime/rooms.ts'

const HOUR = 3600 * 1000

export function startBackgroundWork(deps: {
  config: Config
  bus: EventBus
  eventLog: EventLog
  live: LiveHub
  metrics: Metrics
  docSockets: DocSockets
  rooms: RoomManager
  locks: LockService
  accounts: Accounts
  /** Share links: guests of a link found revoked or expired are cut off. */
  links?: { endDue(): void }
  log: Logger
}) {
  const { config, bus, eventLog, live, metrics, docSockets, rooms, locks, accounts, log } = deps
  // Expiry is checked on every lock operation too; this catches locks nobody asks about.
  const expiryTimer = setInterval(() => locks.expire(), 1000)
  expiryTimer.unref()
  const prune = () => {
    try {
      const removed = eventLog.prune(config.eventRetention)
      if (removed > 0) log.info({ removed }, 'event log pruned')
      accounts.pruneExpired()
    } catch (error) {
      log.error({ err: error }, 'pruning failed')
    }
  }
  prune()
  const pruneTimer = setInterval(prune, HOUR)
  pruneTimer.unref()

  // A password reset (possibly by the admin CLI, another process) ends the user's tokens in
  // the database; their open sockets, authorised by those tokens, close here (4401).
  let epochs = accounts.tokenEpochs()
  const epochTimer = setInterval(() => {
    try {
      const now = accounts.tokenEpochs()
      for (const [userId, epoch] of now) {
        if ((epochs.get(userId) ?? 0) >= epoch) continue
        log.info({ user: userId }, 'tokens ended: closing the user’s sockets')
        docSockets.closeUser(userId, CloseCode.unauthorized, 'signed out: sign in again')
        live.closeUser(userId, CloseCode.unauthorized, 'signed out: sign in again')
      }
      epochs = now
    } catch (error) {
      log.error({ err: error }, 'token epoch check failed')
    }
  }, config.tokenCheckMs)
  epochTimer.unref()

  // An expired share link has no moment of its own: its guests are found and cut off here.
  const linkTimer = setInterval(() => {
    try {
      deps.links?.endDue()
    } catch (error) {
      log.error({ err: error }, 'share link check failed')
    }
  }, config.tokenCheckMs)
  linkTimer.unref()

  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const figuresTimer = setInterval(() => {
    if (!live.push.hasSubscribers('system')) return
    const memory = process.memoryUsage()
    bus.emit('system.figures', {
      actor: SYSTEM_ACTOR,
      data: {
        connections: docSockets.count,
        liveSessions: live.sessions.count,
        rooms: rooms.size,
        commitP99Ms: metrics.recentCommitP99(),
        eventLoopLagMs: Math.round(lag.percentile(99) / 1e4) / 100,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
      },
    })
    lag.reset()
  }, config.systemFiguresMs)
  figuresTimer.unref()

  return {
    stop() {
      clearInterval(pruneTimer)
      clearInterval(epochTimer)
      clearInterval(linkTimer)
      clearInterval(expiryTimer)
      clearInterval(figuresTimer)
      lag.disable()
    },
  }
}

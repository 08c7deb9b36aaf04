/**
 * Timers that keep a running server tidy: event-log retention (at start and hourly) and the
 * owners' live figures (every 5 s, only while someone subscribes to `system`).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { SYSTEM_ACTOR } from '../shared/protocol/events.ts'
import type { Config } from './config.ts'
import type { EventBus } from './events/bus.ts'
import type { EventStore } from './events/event-store.ts'
import type { LiveHub } from './live/live-hub.ts'
import type { Metrics } from './metrics.ts'
import type { DocSockets } from './realtime/doc-sockets.ts'
import type { RoomManager } from './realtime/rooms.ts'
import type { AccountsRepo } from './storage/accounts-repo.ts'

const HOUR = 3600 * 1000

export function startBackgroundWork(deps: {
  config: Config
  bus: EventBus
  eventLog: EventStore
  live: LiveHub
  metrics: Metrics
  docSockets: DocSockets
  rooms: RoomManager
  /** Frees locks past their TTL (with what that means to people) in one store transaction. */
  expireLocks: () => Promise<void>
  accounts: AccountsRepo
  /** Share links: guests of a link found revoked or expired are cut off. */
  links?: { endDue(): Promise<void> }
  log: Logger
}) {
  const { config, bus, eventLog, live, metrics, docSockets, rooms, accounts, log } = deps
  // Expiry is checked on every lock operation too; this catches locks nobody asks about.
  const expiryTimer = every(1000, deps.expireLocks, (error) =>
    log.error({ err: error }, 'lock expiry failed'),
  )
  const prune = async () => {
    try {
      const removed = await eventLog.prune(config.eventRetention)
      if (removed > 0) log.info({ removed }, 'event log pruned')
      await accounts.pruneExpired()
    } catch (error) {
      log.error({ err: error }, 'pruning failed')
    }
  }
  void prune()
  const pruneTimer = setInterval(() => void prune(), HOUR)
  pruneTimer.unref()

  // A password reset (possibly by the admin CLI, another process) ends the user's tokens in
  // the database; their open sockets, authorised by those tokens, close here (4401). Checks
  // never overlap: one that is still reading is not started again.
  let epochs: Map<string, number> | null = null
  const checkEpochs = async () => {
    const now = await accounts.tokenEpochs()
    for (const [userId, epoch] of epochs ? now : []) {
      if ((epochs?.get(userId) ?? 0) >= epoch) continue
      log.info({ user: userId }, 'tokens ended: closing the user’s sockets')
      docSockets.closeUser(userId, CloseCode.unauthorized, 'signed out: sign in again')
      live.closeUser(userId, CloseCode.unauthorized, 'signed out: sign in again')
    }
    epochs = now
  }
  const epochTimer = every(config.tokenCheckMs, checkEpochs, (error) =>
    log.error({ err: error }, 'token epoch check failed'),
  )
  void checkEpochs().catch((error: unknown) =>
    log.error({ err: error }, 'token epoch check failed'),
  )

  // An expired share link has no moment of its own: its guests are found and cut off here.
  const linkTimer = every(
    config.tokenCheckMs,
    async () => deps.links?.endDue(),
    (error) => log.error({ err: error }, 'share link check failed'),
  )

  // The lag monitor wakes the loop every 10 ms and holds a 0.7 MB histogram: it runs only while
  // someone watches the figures (the first figures after it starts cover less than a period).
  let lag: ReturnType<typeof monitorEventLoopDelay> | null = null
  const figuresTimer = setInterval(() => {
    if (!live.push.hasSubscribers('system')) {
      lag?.disable()
      lag = null
      return
    }
    if (!lag) {
      lag = monitorEventLoopDelay({ resolution: 10 })
      lag.enable()
    }
    const memory = process.memoryUsage()
    const figures = bus.emit('system.figures', {
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
    figures.catch((error: unknown) => log.error({ err: error }, 'system figures not sent'))
    lag.reset()
  }, config.systemFiguresMs)
  figuresTimer.unref()

  return {
    stop() {
      clearInterval(pruneTimer)
      epochTimer.stop()
      linkTimer.stop()
      expiryTimer.stop()
      clearInterval(figuresTimer)
      lag?.disable()
    },
  }
}

/** Runs `work` every `ms`, skipping a round while the previous one is still running. */
function every(ms: number, work: () => Promise<unknown>, failed: (error: unknown) => void) {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    work()
      .catch(failed)
      .finally(() => (running = false))
  }, ms)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}

/**
 * `createLoupeServer(config)` builds one isolated server — its own database, rooms, sockets
 * and metrics — so tests can run several in one process. Only main.ts reads the environment.
 */
import { existsSync, readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { createApp } from './app.ts'
import { LocalAuth, type Auth } from './auth/auth.ts'
import { AuthService, newSetupCode } from './auth/service.ts'
import { TokenAuth } from './auth/token-auth.ts'
import { AccessTokens, loadSecret } from './auth/tokens.ts'
import { BoardAccess } from './auth/board-access.ts'
import type { Config } from './config.ts'
import { LinkService } from './auth/link-service.ts'
import type { Db } from './db/open.ts'
import { createLogger } from './log.ts'
import { Metrics } from './metrics.ts'
import { GroupCommitter } from './realtime/committer.ts'
import { DocSockets } from './realtime/doc-sockets.ts'
import { RoomManager } from './realtime/rooms.ts'
import { LARGE_UPDATE_BYTES, SLICE_STRUCTS, UpdateWorker } from './realtime/update-worker-pool.ts'
import { warmUpYjs } from './realtime/warm-up.ts'
import type { DocStore } from './storage/doc-store.ts'
import { StoreHealth } from './storage/store-health.ts'
import type { Readiness } from './http/routes/health.ts'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import type { EventData } from '../shared/protocol/events.ts'
import { BoardActivity } from './events/activity.ts'
import { EventBus } from './events/bus.ts'
import { LiveHub } from './live/live-hub.ts'
import { LockActivity } from './locks/lock-activity.ts'
import { LockApi } from './locks/lock-api.ts'
import { MediaStore } from './media/media-store.ts'
import { configureHttpTimeouts } from './net/http-limits.ts'
import { SocketDoor } from './net/socket-door.ts'
import { createHttpServer } from './net/http-door.ts'
import { colorFor } from '../shared/colors.ts'
import { atLeast } from '../shared/roles.ts'
import { startBackgroundWork } from './background.ts'
import { createHistory, type History } from './history/history.ts'
import { ObservedDocStore } from './storage/observed-doc-store.ts'
import { Search } from './search/search.ts'
import { Notifier } from './notifications/notifier.ts'
import { SqliteBackend, type NodeBackend } from './node-backend.ts'
import type { NodeNews } from './node-news.ts'
import type { User } from './storage/directory-repo.ts'

export interface LoupeServer {
  /** Starts listening; resolves with the bound port (config.port 0 picks a free one). */
  listen(): Promise<number>
  /** Graceful stop: refuse new work, close sockets with 1012, flush, close the database. */
  close(): Promise<void>
  readonly url: string
  readonly log: Logger
  readonly rooms: RoomManager
  /** The SQLite file (one machine; in cluster mode no such file is written). */
  readonly dbFile: string
}

export interface ServerOptions {
  log?: Logger
  /**
   * Builds the board store on the server's database (default: SQLite). Tests wrap the real
   * store to hold back or fail commits and watch what is relayed meanwhile.
   */
  docStore?: (db: Db) => DocStore
  /**
   * What the node stores on and decides locks with (node-backend.ts); default SQLite in the
   * data folder. main.ts passes the cluster's when LOUPE_DATABASE_URL is set.
   */
  backend?: NodeBackend
}

export function createLoupeServer(config: Config, options: ServerOptions = {}): LoupeServer {
  const log = options.log ?? createLogger(config.logLevel)
  const backend: NodeBackend = options.backend ?? new SqliteBackend(config, log, options.docStore)
  const dbFile = SqliteBackend.file(config)
  const { stores } = backend
  const { directory } = stores
  // Slices large updates and folds big boards for compaction, off the event loop.
  const updateWorker = new UpdateWorker(SLICE_STRUCTS)
  // History and search follow boards from what is committed, so they watch the store.
  const store: DocStore = new ObservedDocStore(
    backend.docStore(updateWorker),
    {
      committed: (updates) => {
        history.committed(updates)
        search.committed(updates)
      },
      beforeCompaction: (boardId) => history.checkpoints.beforeCompaction(boardId),
    },
    (error) => log.error({ err: error }, 'a commit observer failed'),
  )
  const tokens = new AccessTokens(loadSecret(config.dataDir, config.jwtSecret))
  const auth: Auth = config.auth
    ? new TokenAuth(tokens, stores.accounts, directory, stores.shareLinks)
    : new LocalAuth(directory)
  const bus = new EventBus(stores)
  const notifier = new Notifier(stores)
  const activity = new BoardActivity(stores, bus, notifier)
  const authService = new AuthService({
    stores,
    tokens,
    audit: stores.audit,
    refreshReuseGraceMs: config.refreshReuseGraceMs,
    setupCode: config.setupCode ?? newSetupCode(),
    loginAttempts: config.limits.loginAttempts,
    log,
  })

  // Read at scrape time, after everything below exists.
  const metrics: Metrics = new Metrics(
    {
      connections: () => docSockets.count,
      rooms: () => rooms.size,
      liveSessions: () => live.sessions.count,
      skippedRows: () => storeHealth.skippedRowCount,
      storageFailing: () => storeHealth.failing !== null,
    },
    { token: config.metricsToken },
  )
  const storeHealth = new StoreHealth(() => store.probe())
  const committer: GroupCommitter = new GroupCommitter(
    store,
    metrics.commits,
    storeHealth,
    (error) => log.error({ err: error }, 'a commit listener failed'),
  )
  const rooms: RoomManager = new RoomManager(
    {
      store,
      committer,
      skippedRow: (boardId) => storeHealth.skippedRow(boardId),
      large: { minBytes: LARGE_UPDATE_BYTES, slicer: updateWorker },
      log,
      maxDocBytes: config.limits.maxDocBytes,
      maxAwarenessBytes: config.limits.maxAwarenessBytes,
      awarenessFlushMs: config.awarenessFlushMs,
      compactAfterUpdates: config.compactAfterUpdates,
      stats: metrics.updates,
      activity: (boardId, actor, derived) =>
        void activity
          .record(boardId, actor, derived)
          .catch((error: unknown) => log.error({ err: error, boardId }, 'activity not recorded')),
      forbidden: (userId, paths) => news.forbiddenEdit(userId, paths),
      committedFor: (boardId, userIds, stateVector) =>
        news.docCommitted(boardId, userIds, stateVector),
      locks: {
        lockedByOthers: (boardId, userId) => lockService.lockedByOthers(boardId, userId),
        violated: (userId, key, holder) => news.lockedEdit(userId, key, holder),
      },
    },
    { idleMs: config.roomIdleMs, hibernateMs: config.roomHibernateMs },
    log,
  )
  // Cluster mode: a board whose lease this node lost is someone else's now; its clients
  // reconnect (1012) and find it there.
  backend.onBoardLost((boardId) =>
    rooms.drop(boardId, CloseCode.serverStopping, 'board moved to another node; reconnect'),
  )
  // An archived board's sockets close (4404) wherever its room runs: the event reaches every
  // node (cluster mode), and sockets relayed to the room close with its peers.
  bus.listen((_stream, _seq, event) => {
    if (event.type !== 'board.archived') return
    const room = rooms.loaded((event.data as EventData<'board.archived'>).boardId)
    if (room) for (const peer of [...room.peers]) peer.close(CloseCode.notFound, 'board archived')
  })
  const docSockets: DocSockets = new DocSockets({
    rooms,
    authorizer: new BoardAccess(auth, directory),
    limits: {
      ...config.limits,
      // In home mode every connection is the one local owner; a per-user cap would cap the house.
      maxConnectionsPerUser: config.auth ? config.limits.maxConnectionsPerUser : null,
    },
    pingMs: config.pingMs,
    stats: metrics.bytes,
    storeHealth,
    visitEnded: (userId, room) => history.sinceLastVisit.visitEnded(userId, room),
    ...(backend.elsewhere
      ? {
          elsewhere: (boardId: string, error: unknown) =>
            backend.elsewhere?.(boardId, error) ?? Promise.resolve(null),
        }
      : {}),
    log,
  })
  const lockEvents = new LockActivity({
    stores,
    bus,
    notifier,
    failed: (error) => log.error({ err: error }, 'a lock change was not recorded'),
  })
  const lockService = backend.locks({
    activity: lockEvents,
    defaultTtlMs: config.lockTtlMs,
    heartbeatMs: config.heartbeatMs,
    sessionAlive: (sessionId) => live.sessions.alive(sessionId),
    liveSessions: () => [...live.sessions.all()].map(({ id, user }) => ({ id, user })),
  })
  const locks = new LockApi(lockService, {
    auth,
    directory,
    maxTtlMs: config.lockMaxTtlMs,
  })
  const live: LiveHub = new LiveHub({
    locks,
    sessionDied: (sessionId) =>
      void lockService
        .releaseSession(sessionId)
        .catch((error: unknown) =>
          log.error({ err: error }, 'a dead session’s locks were not released'),
        ),
    ...(lockService.adopt
      ? {
          // Cluster mode: a session alive on another node resumes here, its locks with it.
          resumeElsewhere: async (sessionId: string, user: User) => {
            const adopted = await lockService.adopt?.(sessionId, user)
            if (!adopted) return false
            if (adopted.previousNode) news.sessionMoved(sessionId)
            return true
          },
          sessionStarted: (sessionId: string, user: User) =>
            lockService.sessionStarted?.(sessionId, user) ?? Promise.resolve(),
        }
      : {}),
    auth,
    directory,
    bus,
    notifications: stores.notifications,
    heartbeatMs: config.heartbeatMs,
    messagesPerSecond: config.limits.messagesPerSecond,
    log,
  })
  const history: History = createHistory({
    versions: stores.versions,
    visits: stores.visits,
    source: { rooms, store },
    directory,
    bus,
    audit: stores.audit,
    config,
    lockedByOthers: (boardId, userId) =>
      lockService.lockedByOthersNow
        ? lockService.lockedByOthersNow(boardId, userId)
        : lockService.lockedByOthers(boardId, userId),
    log,
  })
  const search: Search = new Search(stores.search, {
    auth,
    directory,
    source: { rooms, store },
    log,
  })
  // What sockets must hear, on this node (and, in cluster mode, on every other: node-news.ts).
  const localNews: NodeNews = {
    guestsEnded(userIds, reason) {
      for (const userId of userIds) {
        docSockets.closeUser(userId, CloseCode.forbidden, reason)
        live.closeUser(userId, CloseCode.forbidden, reason)
      }
    },
    membership(workspaceId, userId, role) {
      docSockets.applyMembership(workspaceId, userId, role)
      if (role === null) live.closeUser(userId, CloseCode.forbidden, 'removed from a workspace')
    },
    notification: (userId, notification) => live.push.pushNotification(userId, notification),
    docCommitted: (boardId, userIds, vector) => live.push.docCommitted(boardId, userIds, vector),
    lockedEdit: (userId, key, holder) => live.push.lockedEdit(userId, key, holder),
    forbiddenEdit: (userId, paths) => live.push.forbiddenEdit(userId, paths),
    sessionMoved: (sessionId) => live.letGo(sessionId),
  }
  let news: NodeNews = localNews
  notifier.onNotification((userId, notification) => news.notification(userId, notification))
  live.sessions.restore(
    lockService
      .sessionsInUse()
      .map(({ sessionId, user }) => ({ sessionId, user: { ...user, color: colorFor(user.id) } })),
  )
  const linkService = new LinkService({
    stores,
    authService,
    attempts: config.limits.loginAttempts,
    log,
  })
  // A revoked or expired share link ends its guests' access at once (docs/product.md).
  linkService.onGuestsEnded((userIds, reason) => news.guestsEnded(userIds, reason))
  authService.onMembershipChange(async (change) => {
    news.membership(change.workspaceId, change.user.id, change.to)
    // Who may no longer edit holds no lock there: others must not wait out a 30-minute TTL.
    if (change.to === null || !atLeast(change.to, 'editor')) {
      const boards = new Set(
        (await directory.boardsOf(change.workspaceId, true)).map((board) => board.id),
      )
      await lockService.releaseMember(change.user.id, boards, change.actor)
    }
    const who = { userId: change.user.id, name: change.user.name }
    const about = { actor: change.actor, workspaceId: change.workspaceId }
    if (change.from === null && change.to)
      await bus.emit('member.joined', { ...about, data: { ...who, role: change.to } })
    else if (change.to === null) await bus.emit('member.removed', { ...about, data: who })
    else if (change.from)
      await bus.emit('member.role_changed', {
        ...about,
        data: { ...who, from: change.from, to: change.to },
      })
  })
  const background = startBackgroundWork({
    config,
    bus,
    eventLog: stores.events,
    live,
    metrics,
    docSockets,
    rooms,
    expireLocks: () => lockService.expire(),
    accounts: stores.accounts,
    links: linkService,
    log,
  })

  let stopping = false
  const clientDir =
    config.clientDir && existsSync(join(config.clientDir, 'index.html'))
      ? config.clientDir
      : undefined
  const readiness: Readiness = {
    async check() {
      const problems: string[] = []
      if (stopping) problems.push('server is stopping')
      const storeProblems = await stores.problems()
      problems.push(...storeProblems)
      const services = await backend.services()
      for (const [name, service] of Object.entries(services))
        if (service.state === 'down') problems.push(`${name} is down: ${service.error ?? '?'}`)
      // A failing store recovers by itself when a write works again; with no writer about,
      // readiness tries one (at most one a second).
      if (storeProblems.length === 0) await storeHealth.recheck()
      problems.push(...storeHealth.problems())
      const warnings = storeHealth.warnings()
      // The API and sockets serve without the web client (`npm start` builds it).
      if (config.clientDir && !clientDir) warnings.push('web client is not built')
      return { problems, warnings, services }
    },
  }

  const app = createApp({
    config,
    version: packageVersion(),
    auth,
    authService,
    stores,
    directory,
    store,
    rooms,
    docSockets,
    live,
    bus,
    audit: stores.audit,
    notifications: stores.notifications,
    notifier,
    locks,
    shareLinks: stores.shareLinks,
    linkService,
    media: new MediaStore(stores.media, config.mediaDir ?? join(config.dataDir, 'media')),
    metrics,
    readiness,
    log,
    clientDir,
    history: history.board,
    sinceLastVisit: history.sinceLastVisit,
    search,
  })

  // Messages are bounded per frame by our own check (4413, docs/product.md); ws's hard cap sits
  // above it so ws's 1009 only meets what is far too large to even buffer.
  const door = new SocketDoor(
    {
      maxPayload:
        config.limits.maxMessageBytes + Math.max(config.limits.maxMessageBytes, 1024 * 1024),
      perMessageDeflate: false,
    },
    log,
  )
  // Health is answered on the Node server; the rest loads the Hono adapter when first asked.
  const httpServer: Server = createHttpServer(app, readiness, log)
  configureHttpTimeouts(httpServer, config)
  // WebSocket upgrades are taken on the Node server, outside the Hono app (socket-door.ts).
  docSockets.route(door)
  live.route(door)
  door.attach(httpServer)
  let port = config.port

  return {
    get url() {
      return `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`
    },
    log,
    rooms,
    dbFile,
    async listen() {
      // Warm the path a first client takes (Yjs), so the first board after a restart loads as
      // fast as later ones. The HTTP adapter is not warmed: it loads at the first API request
      // (net/http-door.ts), so a server at rest does without it.
      warmUpYjs()
      if (backend.start)
        news = await backend.start({
          rooms,
          bus,
          local: localNews,
          visitEnded: (userId, room) => history.sinceLastVisit.visitEnded(userId, room),
          closeAll: () => {
            docSockets.closeAll(CloseCode.serverStopping, 'reconnect: news was missed')
            for (const session of live.sessions.all())
              session.socket?.close(CloseCode.serverStopping, 'reconnect: news was missed')
          },
        })
      const ownerMissing = config.auth && !(await stores.accounts.hasOwner())
      return new Promise<number>((resolve, reject) => {
        httpServer.once('error', reject)
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject)
          port = (httpServer.address() as AddressInfo).port
          log.info(
            { port, host: config.host, auth: config.auth, dataDir: config.dataDir },
            'Loupe listening',
          )
          if (ownerMissing) {
            log.warn(
              { setupCode: authService.setupCode },
              `First start: create the owner with setup code ${authService.setupCode} (open the web app, or POST /api/setup)`,
            )
          }
          // Boards whose index fell behind (a crash between a commit and its indexing).
          void search.catchUp().then(
            (boards) => boards > 0 && log.info({ boards }, 'search index caught up'),
            (error: unknown) => log.error({ err: error }, 'search catch-up failed'),
          )
          resolve(port)
        })
      })
    },
    async close() {
      if (stopping) return
      stopping = true
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()))
      background.stop()
      live.stop()
      docSockets.stop()
      await rooms.closeAll()
      await committer.drain()
      await history.checkpoints.closeAll()
      await search.indexer.stop()
      await updateWorker.close()
      await door.closeAll(2000)
      httpServer.closeAllConnections()
      lockService.stop()
      await closed
      await backend.close()
      log.info('Loupe stopped')
    },
  }
}

function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url)
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

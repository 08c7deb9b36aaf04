/**
 * Composes the Hono app: health, the JSON API, both sockets and the web client. Everything
 * it needs is passed in; nothing here reads the environment.
 */
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import { ErrorCode } from '../shared/protocol/errors.ts'
import type { Auth } from './auth/auth.ts'
import type { AuthService } from './auth/service.ts'
import type { LinkService } from './auth/link-service.ts'
import type { Config } from './config.ts'
import type { EventBus } from './events/bus.ts'
import { requireUser, type AppEnv } from './http/context.ts'
import { errorBody, errorHandler } from './http/errors.ts'
import { activityRoutes } from './http/routes/activity.ts'
import { authRoutes } from './http/routes/auth.ts'
import { boardRoutes } from './http/routes/boards.ts'
import { capabilityRoutes } from './http/routes/capabilities.ts'
import { healthRoutes, type Readiness } from './http/routes/health.ts'
import { historyRoutes } from './http/routes/history.ts'
import type { BoardHistory } from './history/board-history.ts'
import type { SinceLastVisit } from './history/since-last-visit.ts'
import { searchRoutes } from './http/routes/search.ts'
import { reportRoutes } from './http/routes/reports.ts'
import type { Search } from './search/search.ts'
import { linkJoinRoutes, linkRoutes } from './http/routes/links.ts'
import { lockRoutes } from './http/routes/locks.ts'
import { mediaDownloadRoutes, mediaUploadRoutes } from './http/routes/media.ts'
import type { MediaStore } from './media/media-store.ts'
import type { LockApi } from './locks/lock-api.ts'
import { inviteAcceptRoutes, memberRoutes } from './http/routes/members.ts'
import { presenceRoutes } from './http/routes/presence.ts'
import { boundedBodies } from './net/http-limits.ts'
import type { LiveHub } from './live/live-hub.ts'
import { requestLog } from './log.ts'
import type { Metrics } from './metrics.ts'
import type { Notifier } from './notifications/notifier.ts'
import type { DocSockets } from './realtime/doc-sockets.ts'
import type { RoomManager } from './realtime/rooms.ts'
import type { AuditRepo } from './storage/audit-repo.ts'
import type { DirectoryRepo } from './storage/directory-repo.ts'
import type { DocStore } from './storage/doc-store.ts'
import type { NotificationRepo } from './storage/notification-repo.ts'
import type { ShareLinksRepo } from './storage/share-links-repo.ts'
import type { Stores } from './storage/stores.ts'

export interface AppDeps {
  config: Config
  version: string
  auth: Auth
  authService: AuthService
  stores: Stores
  directory: DirectoryRepo
  store: DocStore
  rooms: RoomManager
  docSockets: DocSockets
  live: LiveHub
  bus: EventBus
  audit: AuditRepo
  notifications: NotificationRepo
  notifier: Notifier
  locks: LockApi
  shareLinks: ShareLinksRepo
  linkService: LinkService
  media: MediaStore
  metrics: Metrics
  readiness: Readiness
  log: Logger
  /** Built web client to serve at /, if any. */
  clientDir: string | undefined
  history: BoardHistory
  sinceLastVisit: SinceLastVisit
  search: Search
}

const STREAMED_IMPORT = /^\/api\/workspaces\/[^/]+\/boards\/import$/

export function createApp(deps: AppDeps) {
  const { auth, directory, rooms, log, config } = deps
  const app = new Hono()
  app.onError(errorHandler(log))
  app.use(requestLog(log))
  // Every body is small and read whole before any handler sees it, except the two that stream
  // to their own limits: media uploads (LOUPE_MAX_UPLOAD_BYTES) and board imports (max doc size).
  app.use(
    boundedBodies({
      maxBytes: config.limits.maxJsonBytes,
      timeoutMs: config.requestTimeoutMs,
      streamed: (method, path) =>
        method === 'POST' && (path === '/api/media' || STREAMED_IMPORT.test(path)),
    }),
  )

  // The sockets (/ws/doc/<id>, /ws/live) are upgraded on the Node server, not here (server.ts).
  app.route('/', healthRoutes(deps.readiness, deps.metrics))

  // Doors that need no token come first: capabilities, setup, sign-in, invite and link joins.
  app.route('/api', capabilityRoutes({ version: deps.version, config, routes: () => app.routes }))
  if (auth.enabled) app.route('/api', authRoutes(deps.authService))
  app.route('/api', inviteAcceptRoutes(auth, deps.authService))
  app.route('/api', linkJoinRoutes(deps.linkService))
  app.route('/api', mediaDownloadRoutes(deps))
  // Downloads a browser starts by following a link: the token may come as ?token=.
  app.route('/api', reportRoutes(deps))
  const api = new Hono<AppEnv>()
  api.use(requireUser(auth))
  api.route('/', boardRoutes({ ...deps, maxDocBytes: config.limits.maxDocBytes }))
  api.route('/', memberRoutes({ ...deps, publicUrl: config.publicUrl }))
  api.route('/', linkRoutes({ ...deps, publicUrl: config.publicUrl }))
  api.route('/', presenceRoutes(auth, directory, rooms))
  api.route('/', activityRoutes(deps))
  api.route('/', historyRoutes(deps))
  api.route('/', searchRoutes(deps))
  api.route('/', mediaUploadRoutes({ ...deps, maxBytes: config.limits.maxUploadBytes }))
  api.route(
    '/',
    // A live session on another node (cluster mode) may name its locks here too.
    lockRoutes(
      deps.locks,
      async (userId, sessionId) =>
        deps.live.sessions.owns(userId, sessionId) ||
        ((await deps.locks.service.ownsSession?.(userId, sessionId)) ?? false),
    ),
  )
  app.route('/api', api)
  app.all('/api/*', (c) =>
    c.json(errorBody(ErrorCode.notFound, `no route ${c.req.method} ${c.req.path}`), 404),
  )

  if (deps.clientDir) {
    const root = deps.clientDir
    app.use('*', serveStatic({ root }))
    // Client-side routes: any other GET gets the app shell.
    app.get('*', serveStatic({ root, path: 'index.html' }))
  }
  app.notFound((c) =>
    c.json(errorBody(ErrorCode.notFound, `no route ${c.req.method} ${c.req.path}`), 404),
  )
  return app
}

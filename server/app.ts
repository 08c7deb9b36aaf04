/**
 * Composes the Hono app: health, the JSON API, the document socket and the web client.
 * Everything it needs is passed in; nothing here reads the environment.
 */
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import { ErrorCode } from '../shared/protocol/errors.ts'
import type { Auth } from './auth/auth.ts'
import type { AuthService } from './auth/service.ts'
import type { Directory } from './db/directory.ts'
import { requireUser, type AppEnv } from './http/context.ts'
import { errorBody, errorHandler } from './http/errors.ts'
import { authRoutes } from './http/routes/auth.ts'
import { boardRoutes } from './http/routes/boards.ts'
import { healthRoutes, type Readiness } from './http/routes/health.ts'
import { inviteAcceptRoutes, memberRoutes } from './http/routes/members.ts'
import { presenceRoutes } from './http/routes/presence.ts'
import { requestLog } from './log.ts'
import type { Metrics } from './metrics.ts'
import type { DocSockets } from './realtime/doc-sockets.ts'
import type { RoomManager } from './realtime/rooms.ts'
import type { DocStore } from './storage/doc-store.ts'

export interface AppDeps {
  auth: Auth
  authService: AuthService
  directory: Directory
  store: DocStore
  rooms: RoomManager
  docSockets: DocSockets
  metrics: Metrics
  readiness: Readiness
  log: Logger
  maxDocBytes: number
  publicUrl: string | undefined
  /** Built web client to serve at /, if any. */
  clientDir: string | undefined
}

export function createApp(deps: AppDeps) {
  const { auth, directory, rooms, log } = deps
  const app = new Hono()
  app.onError(errorHandler(log))
  app.use(requestLog(log))

  app.route('/', healthRoutes(deps.readiness, deps.metrics))
  deps.docSockets.route(app)

  // Doors that need no token come first: setup, sign-in, invite acceptance.
  if (auth.enabled) app.route('/api', authRoutes(deps.authService))
  app.route('/api', inviteAcceptRoutes(auth, deps.authService))
  const api = new Hono<AppEnv>()
  api.use(requireUser(auth))
  api.route('/', boardRoutes({ ...deps }))
  api.route('/', memberRoutes(auth, directory, deps.authService, deps.publicUrl))
  api.route('/', presenceRoutes(auth, directory, rooms))
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

export type App = ReturnType<typeof createApp>

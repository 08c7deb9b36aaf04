import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { ErrorCode } from '../../../shared/protocol/errors.ts'
import type { Metrics } from '../../metrics.ts'
import { errorBody } from '../errors.ts'

export interface Readiness {
  /**
   * `problems` make the server not ready (empty when it is); `warnings` name what is wrong
   * or missing but does not stop serving.
   */
  check(): Promise<{
    problems: string[]
    warnings: string[]
    /** The services the node depends on, by name (cluster mode: `postgres`, `redis`). */
    services?: Record<string, { state: 'up' | 'down' }>
  }>
}

/** What a health path answers: status and JSON body. */
export interface HealthAnswer {
  status: 200 | 503
  body: Record<string, unknown>
}

/** The health paths, answered alike by the Hono routes and by the server's own door (net/http-door.ts). */
export const HEALTH_PATHS = ['/healthz', '/readyz'] as const

/** Liveness checks nothing but the event loop; readiness checks what serving needs. */
export async function healthAnswer(
  readiness: Readiness,
  path: (typeof HEALTH_PATHS)[number],
): Promise<HealthAnswer> {
  if (path === '/healthz') return { status: 200, body: { ok: true } }
  const { problems, warnings, services = {} } = await readiness.check()
  return problems.length === 0
    ? { status: 200, body: { ready: true, warnings, ...services } }
    : { status: 503, body: { ready: false, problems, warnings, ...services } }
}

export function healthRoutes(readiness: Readiness, metrics: Metrics) {
  const app = new Hono()
  for (const path of HEALTH_PATHS) {
    app.get(path, async (c) => {
      const { status, body } = await healthAnswer(readiness, path)
      return c.json(body, status)
    })
  }
  app.get('/metrics', async (c) => {
    const refusal = metricsRefusal(metrics.access.token, {
      authorization: c.req.header('authorization'),
      remoteAddress: peerAddress(c),
      proxied: PROXY_HEADERS.some((name) => c.req.header(name) !== undefined),
    })
    if (refusal === 401)
      return c.json(
        errorBody(
          ErrorCode.unauthorized,
          'metrics need Authorization: Bearer <LOUPE_METRICS_TOKEN>',
        ),
        401,
        { 'www-authenticate': 'Bearer realm="loupe-metrics"' },
      )
    if (refusal === 403)
      return c.json(
        errorBody(
          ErrorCode.forbidden,
          'metrics answer only on this machine (127.0.0.1, ::1); set LOUPE_METRICS_TOKEN to scrape from elsewhere',
        ),
        403,
      )
    const { body, contentType } = await metrics.render()
    return c.body(body, 200, { 'content-type': contentType })
  })
  return app
}

/** Headers a reverse proxy adds: a request carrying one did not start on this machine. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip']

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/** Whether a socket's peer address is this machine's loopback (127.0.0.1 or ::1). */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.has(address)
}

/**
 * Who may read /metrics. With a token configured: only a request with that bearer token
 * (compared in constant time), from anywhere — else 401. Without one: only a direct request
 * from 127.0.0.1 or ::1 that no proxy forwarded — else 403 (a reverse proxy on the same
 * machine connects from loopback, so its forwarding headers are what gives it away).
 */
export function metricsRefusal(
  token: string | undefined,
  request: {
    authorization: string | undefined
    remoteAddress: string | undefined
    proxied: boolean
  },
): 401 | 403 | null {
  if (token !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? '')
    return match && sameSecret(match[1] as string, token) ? null : 401
  }
  return isLoopback(request.remoteAddress) && !request.proxied ? null : 403
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(given), digest(expected))
}

function peerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress
}

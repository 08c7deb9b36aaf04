/**
 * The Node HTTP server's request handler: liveness and readiness are answered here, every
 * other request by the Hono app through node-server, which is loaded at the first of them.
 *
 * node-server subclasses the global `Request` and `Response` when it loads, and touching
 * those loads Node's fetch implementation (undici, with web streams): about 3 MB that a server
 * nobody has used since it started — only probed for health, as a home server at rest is —
 * never needs. The first other request pays for loading it, once (about 40 ms).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { errorBody } from '../http/errors.ts'
import { HEALTH_PATHS, healthAnswer, type Readiness } from '../http/routes/health.ts'

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>
type Listener = (incoming: IncomingMessage, outgoing: ServerResponse) => unknown

export function createHttpServer(app: { fetch: Fetch }, readiness: Readiness, log: Logger): Server {
  let hono: Promise<Listener> | null = null
  const honoListener = () =>
    (hono ??= import('@hono/node-server').then(({ getRequestListener }) =>
      getRequestListener(app.fetch),
    ))
  return createServer((incoming, outgoing) => {
    const path = healthPath(incoming)
    if (path) return void answerHealth(path, incoming, outgoing, readiness, log)
    honoListener().then(
      (listener) => listener(incoming, outgoing),
      (error: unknown) => {
        log.error({ err: error }, 'could not load the HTTP adapter')
        sendJson(outgoing, 500, errorBody(ErrorCode.internal, 'internal error'), false)
      },
    )
  })
}

function healthPath(incoming: IncomingMessage): (typeof HEALTH_PATHS)[number] | null {
  if (incoming.method !== 'GET' && incoming.method !== 'HEAD') return null
  const url = incoming.url ?? ''
  const query = url.indexOf('?')
  const path = query < 0 ? url : url.slice(0, query)
  return HEALTH_PATHS.find((p) => p === path) ?? null
}

/** As the Hono routes answer (http/routes/health.ts), logged as the request log does (log.ts). */
async function answerHealth(
  path: (typeof HEALTH_PATHS)[number],
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  readiness: Readiness,
  log: Logger,
): Promise<void> {
  const started = performance.now()
  let status: number
  try {
    const answer = await healthAnswer(readiness, path)
    status = answer.status
    sendJson(outgoing, status, answer.body, incoming.method === 'HEAD')
  } catch (error) {
    log.error({ err: error, path }, 'request failed')
    status = 500
    sendJson(outgoing, status, errorBody(ErrorCode.internal, 'internal error'), false)
  }
  const ms = Math.round((performance.now() - started) * 10) / 10
  log[status >= 500 ? 'error' : 'debug']({ method: incoming.method, path, status, ms }, 'request')
}

function sendJson(outgoing: ServerResponse, status: number, body: unknown, head: boolean): void {
  if (outgoing.headersSent) return void outgoing.end()
  const text = JSON.stringify(body)
  outgoing.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  outgoing.end(head ? undefined : text)
}

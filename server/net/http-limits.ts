/**
 * How long, and for how much, the HTTP door waits on a client (docs/operations.md, "Slow
 * clients and request bodies"):
 *
 * - headers must arrive in full within `headersTimeoutMs` of a request's first byte (or of the
 *   connection, for its first request): Node answers 408 and closes. This is what stops a
 *   client trickling its headers a byte at a time (slowloris), and one that connects and sends
 *   nothing;
 * - a connection on which no byte moves either way for `idleTimeoutMs` is closed. This covers
 *   a stalled upload or download and an idle connection; a slow but steady one is never idle;
 * - a kept-alive connection waits `keepAliveTimeoutMs` for its next request;
 * - every request body other than a media upload or a board import is at most `maxBytes` and
 *   must arrive within `requestTimeoutMs` (`boundedBodies`, 413 or 408, then closed).
 *
 * Node's own `requestTimeout` (the whole request, body included) is off: a 512 MiB upload on a
 * slow home link may take an hour, so uploads and imports are bounded by their size limits and
 * by the idle timeout only. WebSockets are not touched by any of these once upgraded (`ws` turns
 * the socket's idle timer off; they have their own pings).
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Context, MiddlewareHandler } from 'hono'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import type { Config } from '../config.ts'
import { badRequest, LoupeError, tooLarge } from '../errors.ts'
import { errorBody } from '../http/errors.ts'

type Timeouts = Pick<Config, 'headersTimeoutMs' | 'idleTimeoutMs' | 'keepAliveTimeoutMs'>

/** Sets the node server's timeouts; call before `listen()`. */
export function configureHttpTimeouts(server: Server, config: Timeouts): void {
  server.headersTimeout = config.headersTimeoutMs
  server.requestTimeout = 0
  server.keepAliveTimeout = config.keepAliveTimeoutMs
  // Node checks the headers deadline on this interval (default 30 s), so a late client would
  // be cut up to 30 s after its deadline. It is read when the server starts listening.
  ;(server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.max(25, Math.min(1000, Math.floor(config.headersTimeoutMs / 4)))
  server.setTimeout(config.idleTimeoutMs)
}

/** How long a refused client has to read its answer before its connection is cut. */
export const LINGER_MS = 2000

/**
 * Marks the answer to a request whose body will not be read to its end `Connection: close`,
 * and closes the connection gently once the answer is sent: our side is shut (FIN), nothing
 * more is read — the client's writes stall instead of failing, so it reads the answer — and
 * the socket is destroyed after `LINGER_MS`. Destroying it at once, as Node does, makes the
 * kernel answer the unread bytes with a reset, and a client still writing its body (fetch, a
 * browser) then reports a network error instead of the 413.
 */
export function closeAfterAnswer(c: Context): void {
  c.header('connection', 'close')
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  const socket = incoming?.socket as Socket | undefined
  if (!incoming || !socket || incoming.complete) return
  let closing = false
  // Node calls this once the answer that says `Connection: close` has been written.
  socket.destroySoon = () => {
    if (closing) return
    closing = true
    socket.end()
    socket.pause()
    // Node's request reader (and node-server's drain) would start reading again.
    socket.resume = () => socket
    const timer = setTimeout(() => socket.destroy(), LINGER_MS)
    socket.once('close', () => clearTimeout(timer))
  }
}

/**
 * Reads every request body (except those `streamed` names, which read their own with their own
 * limits) before the handler does, refusing it once it passes `maxBytes` — on the declared
 * Content-Length before reading anything, or while a chunked body arrives — and when it has
 * not arrived within `timeoutMs`. A refused body is not read further (`closeAfterAnswer`).
 */
export function boundedBodies(options: {
  maxBytes: number
  timeoutMs: number
  streamed: (method: string, path: string) => boolean
}): MiddlewareHandler {
  const { maxBytes, timeoutMs } = options
  const refuse = () =>
    tooLarge(`request bodies may be at most ${maxBytes} bytes (uploads have their own limit)`, {
      limit: maxBytes,
    })
  return async (c, next) => {
    const method = c.req.method
    if (method === 'GET' || method === 'HEAD') return next()
    const length = c.req.header('content-length')
    const chunked = c.req.header('transfer-encoding') !== undefined
    if (!chunked && (length === undefined || Number(length) === 0)) return next()
    if (options.streamed(method, c.req.path)) return next()
    if (!chunked && Number(length) > maxBytes) {
      closeAfterAnswer(c)
      throw refuse()
    }
    const body = c.req.raw.body
    if (!body) return next()

    const reader = body.getReader()
    const chunks: Uint8Array[] = []
    let total = 0
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'late')))
    try {
      for (;;) {
        const read = reader.read()
        const step = await Promise.race([read, late])
        if (step === 'late') {
          read.catch(() => {})
          closeAfterAnswer(c)
          const message = `the request body did not arrive within ${timeoutMs} ms`
          return c.json(errorBody(ErrorCode.badRequest, message), 408)
        }
        if (step.done) break
        total += step.value.byteLength
        // Not reader.cancel(): that destroys the socket before the 413 can be sent.
        if (total > maxBytes) {
          closeAfterAnswer(c)
          throw refuse()
        }
        chunks.push(step.value)
      }
    } catch (error) {
      if (error instanceof LoupeError) throw error
      throw badRequest('the request body was cut off')
    } finally {
      clearTimeout(timer)
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks) })
    return next()
  }
}

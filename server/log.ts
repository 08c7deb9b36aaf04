import { pino, type DestinationStream, type Logger } from 'pino'
import { createMiddleware } from 'hono/factory'

/** Fields that may carry credentials; pino replaces them before a line is written. */
const redact = [
  'token',
  'accessToken',
  'refreshToken',
  'password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.password',
  'headers.authorization',
  'headers.cookie',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact, base: { service: 'loupe' } }, destination)
}

/**
 * One line per HTTP request. The path is logged without its query string: tokens travel in
 * query strings (browsers cannot set headers on a WebSocket) and must never reach a log.
 */
export function requestLog(log: Logger) {
  return createMiddleware(async (c, next) => {
    const started = performance.now()
    await next()
    const ms = Math.round((performance.now() - started) * 10) / 10
    const level = c.res.status >= 500 ? 'error' : 'debug'
    log[level]({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request')
  })
}

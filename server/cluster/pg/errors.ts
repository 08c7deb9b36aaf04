/**
 * Telling "PostgreSQL cannot do its work now" (down, restarting, out of disk, a read-only
 * standby after a failover) from a bug or bad input. The first is what storage health
 * (storage/store-health.ts) counts as failing and what clients see as 503 or a close code; the
 * second must surface as itself. Messages never carry the connection URL's password.
 */

/** SQLSTATE classes and codes that mean the server cannot serve writes now. */
const UNAVAILABLE_STATES = [
  /^08/, // connection exception
  /^53/, // insufficient resources: disk full, out of memory, too many connections
  /^57P0[1-4]$/, // admin or crash shutdown, cannot connect now, database dropped
  /^58/, // system error (I/O)
  /^25006$/, // read-only transaction: a standby, e.g. after a failover
]

/** Node's socket errors when the server is unreachable. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/** node-postgres reports a lost or unopened connection by message only. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /^Client was closed/,
]

export function isPgUnavailable(error: unknown): boolean {
  if (error instanceof PgUnavailableError) return true
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') {
    if (UNAVAILABLE_ERRNO.has(code)) return true
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_STATES.some((state) => state.test(code)))
      return true
  }
  const message = error instanceof Error ? error.message : ''
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true
  // A wrapped error (a failed migration step) is unavailable if what it wraps is.
  const cause = error instanceof Error ? error.cause : undefined
  return cause !== undefined && cause !== error && isPgUnavailable(cause)
}

/** PostgreSQL could not do the work; `cause` is node-postgres's error. */
export class PgUnavailableError extends Error {
  readonly code = 'POSTGRES_UNAVAILABLE'
  /** The server's SQLSTATE or Node's errno, when there was one. */
  readonly reason: string | undefined

  constructor(where: string, cause: unknown) {
    const reason = (cause as { code?: unknown } | null)?.code
    const message = cause instanceof Error ? cause.message : String(cause)
    super(
      `PostgreSQL at ${where} is unavailable: ${typeof reason === 'string' ? `${reason} ` : ''}${message}`,
      {
        cause,
      },
    )
    this.name = 'PgUnavailableError'
    this.reason = typeof reason === 'string' ? reason : undefined
  }
}

/** host:port/database of a postgres:// URL, for messages (never the user or password). */
export function describeUrl(url: string): string {
  const parsed = new URL(url)
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname || '/'}`
}

/**
 * The HTTP door for errors: domain errors (server/errors.ts) become the JSON body from shared/
 * with the status their code means, at one boundary (`onError`), so handlers never build error
 * responses by hand.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import type { z } from 'zod'
import { isValidId } from '../../shared/ids.ts'
import { ErrorCode, type ErrorBody } from '../../shared/protocol/errors.ts'
import { badRequest, LoupeError } from '../errors.ts'
import { isStorageError } from '../storage/store-health.ts'

/** The status of every error code; a new code does not compile until it has one. */
export const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  invalid_id: 400,
  bad_key: 400,
  ttl_too_long: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 409,
  not_holder: 409,
  not_queued: 409,
  invite_expired: 410,
  invite_used_up: 410,
  link_expired: 410,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
}

export function errorBody(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): ErrorBody {
  return { error: { ...details, code, message } }
}

export function errorHandler(log: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof LoupeError) {
      const retryAfter = error.details.retryAfterSeconds
      if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter))
      return c.json(errorBody(error.code, error.message, error.details), statusOf[error.code])
    }
    if (isStorageError(error)) {
      log.error({ err: error, path: c.req.path }, 'request failed: storage unavailable')
      c.header('Retry-After', '5')
      return c.json(
        errorBody(ErrorCode.unavailable, 'storage is unavailable right now; try again later'),
        503,
      )
    }
    log.error({ err: error, path: c.req.path }, 'request failed')
    return c.json(errorBody(ErrorCode.internal, 'internal error'), 500)
  }
}

/** Reads and validates a JSON body; every problem is named in the 400. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown
  try {
    raw = await c.req.json()
  } catch {
    throw badRequest('the body must be JSON')
  }
  const result = schema.safeParse(raw)
  if (!result.success) {
    throw badRequest('invalid request body', {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    })
  }
  return result.data
}

/** A path id, checked before it reaches any query (no traversal, no other board's data). */
export function idParam(c: Context, name: string): string {
  const value = c.req.param(name)
  if (!isValidId(value)) {
    throw new LoupeError(ErrorCode.invalidId, `${name} must be 1-64 letters, digits, - or _`)
  }
  return value
}

/**
 * Errors are thrown as HttpError and turned into the JSON body from shared/ at one boundary
 * (`onError`), so handlers never build error responses by hand.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import type { z } from 'zod'
import { isValidId } from '../../shared/ids.ts'
import { ErrorCode, type ErrorBody } from '../../shared/protocol/errors.ts'

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new HttpError(400, ErrorCode.badRequest, message, details)
export const notFound = (message: string) => new HttpError(404, ErrorCode.notFound, message)
export const forbidden = (message: string) => new HttpError(403, ErrorCode.forbidden, message)
export const conflict = (message: string) => new HttpError(409, ErrorCode.conflict, message)

export function errorBody(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): ErrorBody {
  return { error: { ...details, code, message } }
}

export function errorHandler(log: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof HttpError) {
      const retryAfter = error.details.retryAfterSeconds
      if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter))
      return c.json(errorBody(error.code, error.message, error.details), error.status)
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
    throw new HttpError(400, ErrorCode.invalidId, `${name} must be 1-64 letters, digits, - or _`)
  }
  return value
}

/**
 * Domain errors: what went wrong, named by a code from shared/protocol/errors.ts, with no idea
 * of HTTP or sockets. Services throw them; each door maps them once — HTTP to a status
 * (http/errors.ts), the live socket to a refused reply.
 */
import { ErrorCode } from '../shared/protocol/errors.ts'

export class LoupeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields for the error body (`holder`, `issues`, `retryAfterSeconds`, …). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'LoupeError'
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new LoupeError(ErrorCode.badRequest, message, details)
export const unauthorized = (message: string) => new LoupeError(ErrorCode.unauthorized, message)
export const forbidden = (message: string) => new LoupeError(ErrorCode.forbidden, message)
export const notFound = (message: string) => new LoupeError(ErrorCode.notFound, message)
export const conflict = (message: string) => new LoupeError(ErrorCode.conflict, message)
export const tooLarge = (message: string, details?: Record<string, unknown>) =>
  new LoupeError(ErrorCode.tooLarge, message, details)
export const unavailable = (message: string) => new LoupeError(ErrorCode.unavailable, message)
/** Too many attempts; the caller may try again after `retryAfterSeconds`. */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new LoupeError(ErrorCode.rateLimited, message, { retryAfterSeconds })

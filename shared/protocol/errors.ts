/** The JSON body of every HTTP error (docs/product.md, "HTTP API"). */
export interface ErrorBody {
  error: {
    code: string
    message: string
    [detail: string]: unknown
  }
}

/** Error codes of the HTTP API and of refused live-socket requests; a client may switch on them. */
export const ErrorCode = {
  badRequest: 'bad_request',
  invalidId: 'invalid_id',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  tooLarge: 'too_large',
  rateLimited: 'rate_limited',
  unavailable: 'unavailable',
  internal: 'internal',
  inviteExpired: 'invite_expired',
  inviteUsedUp: 'invite_used_up',
  linkExpired: 'link_expired',
  unsupportedMediaType: 'unsupported_media_type',
  // Lock refusals (docs/locks.md).
  locked: 'locked',
  notHolder: 'not_holder',
  notQueued: 'not_queued',
  badKey: 'bad_key',
  ttlTooLong: 'ttl_too_long',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** The JSON body of every HTTP error (DESIGN.md, "HTTP API"). */
export interface ErrorBody {
  error: {
    code: string
    message: string
    [detail: string]: unknown
  }
}

/** Error codes the HTTP API answers with; a client may switch on them. */
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
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

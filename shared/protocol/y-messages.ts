/**
 * Message numbers of the y-websocket protocol, which the document socket speaks unchanged
 * (y-protocols PROTOCOL.md). Each message is `varUint type` followed by its payload.
 */
export const YMessage = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const

export type YMessage = (typeof YMessage)[keyof typeof YMessage]

/** Sub-types of a sync message (y-protocols/sync). */
export const YSync = {
  step1: 0,
  step2: 1,
  update: 2,
} as const

export type YSync = (typeof YSync)[keyof typeof YSync]

/** Sub-types of an auth message (y-protocols/auth). */
export const YAuth = {
  permissionDenied: 0,
} as const

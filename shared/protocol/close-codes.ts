/**
 * WebSocket close codes used by both Loupe sockets (docs/product.md, "Document socket" and
 * "Live socket"). 4xxx codes mirror the HTTP status of the same meaning so a client can
 * map them without a table; 1012 is the standard "service restart".
 */
export const CloseCode = {
  /** A message that cannot be decoded or an update that cannot be applied. */
  malformed: 4400,
  /** No token, or an invalid or expired one. */
  unauthorized: 4401,
  /** Authenticated but not a member of the board's workspace, or removed while connected. */
  forbidden: 4403,
  /** The board does not exist or is archived. */
  notFound: 4404,
  /** The live session missed its heartbeats. */
  heartbeatMissed: 4408,
  /** A single message, or the document it would produce, is larger than allowed. */
  tooLarge: 4413,
  /** The client speaks a protocol version this server does not. */
  unsupportedVersion: 4426,
  /** Messages or bytes per second over the connection's limit. */
  rateLimited: 4429,
  /**
   * The server cannot store changes right now (a full disk, a failing database): nothing the
   * client sent was relayed or lost on its side. Reconnect with back-off; until storage works
   * again new document sockets get this code at once.
   */
  storageUnavailable: 4503,
  /**
   * The server is stopping; reconnect later. In cluster mode also: the board moved to another
   * node, or its node cannot be reached yet (Redis away); the reconnect finds where it is served.
   */
  serverStopping: 1012,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/**
 * Close codes after which reconnecting as before cannot help. 4401 is not among them: a
 * client that refreshes its token may come back.
 */
export const finalCloseCodes: ReadonlySet<number> = new Set([
  CloseCode.forbidden,
  CloseCode.notFound,
  CloseCode.tooLarge,
  CloseCode.unsupportedVersion,
])

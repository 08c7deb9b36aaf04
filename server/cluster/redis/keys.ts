/**
 * The Redis key layout of cluster mode (docs/cluster.md, "Redis"). Every key starts with a
 * configurable prefix (`loupe:`); per-board keys carry the hash tag `{b:<boardId>}` so one
 * board's keys share a slot. Ids are percent-encoded, so a `:`, `{` or glob character inside
 * an id can never make two keys collide or match a pattern meant for others.
 *
 * The Lua library builds the same keys (`enc` and `bkey` in lock-core.lua); a test checks that
 * both spell them alike.
 */

/** Percent-encodes every byte outside `A-Z a-z 0-9 - . _ ~` (UTF-8), like lock-core.lua's `enc`. */
export function encodeId(id: string): string {
  return id.replace(/[^A-Za-z0-9\-._~]/gu, (char) =>
    [...Buffer.from(char, 'utf8')]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  )
}

/** Escapes glob characters, so a prefix can start a SCAN pattern literally. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`)
}

export class RedisKeys {
  constructor(readonly prefix = 'loupe:') {
    if (prefix.length === 0) throw new Error('the Redis key prefix must not be empty')
  }

  /** `{runId, gen, state, since}`: the lock generation (docs/cluster.md, "Generations"). */
  get gen(): string {
    return `${this.prefix}gen`
  }

  /** A node's registry entry: JSON {incarnation, pid, startedAt}, kept alive with a TTL. */
  node(nodeId: string): string {
    return `${this.prefix}node:${encodeId(nodeId)}`
  }

  /** The start of every key of one board. */
  board(boardId: string): string {
    return `${this.prefix}{b:${encodeId(boardId)}}:`
  }

  /** The board's ownership lease: `<encoded nodeId>.<incarnation>`. */
  owner(boardId: string): string {
    return `${this.board(boardId)}owner`
  }

  /** entity ref (`task/t1`) → JSON lock record. */
  locks(boardId: string): string {
    return `${this.board(boardId)}locks`
  }

  /** entity ref → the low 32 bits of its fencing tokens in this generation. */
  fence(boardId: string): string {
    return `${this.board(boardId)}fence`
  }

  /** Waiters for one entity, scored by ticket (first come, first served). */
  queue(boardId: string, entity: string): string {
    return `${this.board(boardId)}q:${encodeId(entity)}`
  }

  /** Incremented by every lock change on the board, so a cached lock table knows it is stale. */
  lockVersion(boardId: string): string {
    return `${this.board(boardId)}lockver`
  }

  /** Live sessions' deadlines (sessionId → Redis ms). */
  get sessionDeadlines(): string {
    return `${this.prefix}sessdeadline`
  }

  session(sessionId: string): string {
    return `${this.prefix}sess:${encodeId(sessionId)}`
  }

  /** Lock keys (`<boardId>/<entity>`) → expiry (Redis ms), for the reaper. */
  get lockExpiries(): string {
    return `${this.prefix}lockexp`
  }

  /**
   * Patterns of every key that holds lock state (not leases, sessions' own hashes or the
   * generation): what a rebuild clears before it restores the journal.
   */
  lockStatePatterns(): string[] {
    const p = globLiteral(this.prefix)
    return [
      `${p}{b:*}:locks`,
      `${p}{b:*}:fence`,
      `${p}{b:*}:q:*`,
      `${p}{b:*}:qinfo`,
      `${p}{b:*}:ticket`,
      `${p}sess:*:locks`,
      `${p}sess:*:waits`,
      `${p}req:*`,
    ]
  }
}

/**
 * Live sessions as the cluster's locks see them (docs/locks.md L5): a session is alive while
 * its deadline, kept in Redis on Redis's clock, is in the future. The node holding a session's
 * socket refreshes it to now + 2 × heartbeat at each ping; when the socket goes, it sets
 * now + 1 heartbeat (the window to resume, on any node) and stops. Every node's reaper
 * (RedisLockService.startReaper) frees the locks of sessions whose deadline passed, so a
 * session whose node died is freed too.
 */
import type { LockHolder } from '../../../shared/protocol/locks.ts'
import type { RedisConnection } from './connection.ts'

export type TouchResult =
  | {
      ok: true
      /** The node that had the session before, if another one: tell it to let go. */ previousNode:
        string | null
    }
  | { ok: false; reason: 'dead' | 'other_user' }

export class RedisLockSessions {
  constructor(
    private readonly connection: RedisConnection,
    private readonly nodeId: string,
  ) {}

  /**
   * Starts, refreshes or resumes the session for `ttlMs`. A session that belongs to another
   * user, or whose deadline has passed (its locks are being freed), is refused.
   */
  async touch(sessionId: string, user: LockHolder, ttlMs: number): Promise<TouchResult> {
    const reply = JSON.parse(
      String(
        await this.connection.fcall('session_touch', [
          this.connection.keys.prefix,
          sessionId,
          user.id,
          user.name,
          this.nodeId,
          Math.max(1, Math.round(ttlMs)),
        ]),
      ),
    ) as { r: 'ok' | 'dead' | 'other_user'; previousNode?: string }
    if (reply.r !== 'ok') return { ok: false, reason: reply.r }
    const previous = reply.previousNode ?? ''
    return { ok: true, previousNode: previous === '' || previous === this.nodeId ? null : previous }
  }

  /** The socket closed: the session may still resume within `graceMs`, then it is dead. */
  async detach(sessionId: string, graceMs: number): Promise<boolean> {
    const done = await this.connection.fcall('session_detach', [
      this.connection.keys.prefix,
      sessionId,
      Math.max(1, Math.round(graceMs)),
    ])
    return done === 1
  }

  async info(sessionId: string): Promise<{ userId: string | null; alive: boolean }> {
    const reply = JSON.parse(
      String(
        await this.connection.fcallReadOnly('session_info', [
          this.connection.keys.prefix,
          sessionId,
        ]),
      ),
    ) as { userId: string; alive: boolean }
    return { userId: reply.userId === '' ? null : reply.userId, alive: reply.alive }
  }

  async alive(sessionId: string): Promise<boolean> {
    return (await this.info(sessionId)).alive
  }

  /** Whether `sessionId` is a live session of `userId` (HTTP lock requests may name one). */
  async owns(userId: string, sessionId: string): Promise<boolean> {
    const info = await this.info(sessionId)
    return info.alive && info.userId === userId
  }
}

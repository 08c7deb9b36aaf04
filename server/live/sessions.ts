/**
 * The live sessions of this server, by id. A session outlives its socket by one heartbeat
 * interval (docs/product.md, "Live socket"), so this registry, not the sockets, is what the
 * rest of the server asks about: is a session alive, which sessions belong to a user.
 */
import { randomUUID } from 'node:crypto'
import type { User } from '../db/directory.ts'
import { LiveSession } from './session.ts'

export class LiveSessions {
  private readonly byId = new Map<string, LiveSession>()

  get count(): number {
    return this.byId.size
  }

  all(): IterableIterator<LiveSession> {
    return this.byId.values()
  }

  *ofUser(userId: string): Generator<LiveSession> {
    for (const session of this.byId.values()) if (session.user.id === userId) yield session
  }

  /** Resumes the user's session `sessionId` if it is still alive, or starts a new one. */
  attach(user: User, sessionId: string | undefined): { session: LiveSession; resumed: boolean } {
    const found = sessionId ? this.byId.get(sessionId) : undefined
    if (found && found.user.id === user.id) return { session: found, resumed: true }
    const session = new LiveSession(randomUUID(), user)
    this.byId.set(session.id, session)
    return { session, resumed: false }
  }

  /**
   * Takes on a session another node started (cluster mode: it was found alive there for this
   * user), so `attach` resumes it here.
   */
  adopt(sessionId: string, user: User): void {
    if (!this.byId.has(sessionId)) this.byId.set(sessionId, new LiveSession(sessionId, user))
  }

  /** Whether a session is alive: attached, or detached but still within its resume window. */
  alive(sessionId: string): boolean {
    return this.byId.has(sessionId)
  }

  owns(userId: string, sessionId: string): boolean {
    return this.byId.get(sessionId)?.user.id === userId
  }

  /**
   * Sessions that held locks before a restart come back detached at this moment (L8): each
   * may resume within the usual window, or dies and frees its locks.
   */
  restore(sessions: ReadonlyArray<{ sessionId: string; user: User }>): void {
    const now = performance.now()
    for (const { sessionId, user } of sessions) {
      if (this.byId.has(sessionId)) continue
      const session = new LiveSession(sessionId, user)
      session.detachedAt = now
      this.byId.set(sessionId, session)
    }
  }

  end(sessionId: string): void {
    this.byId.delete(sessionId)
  }
}

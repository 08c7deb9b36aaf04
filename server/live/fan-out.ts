/**
 * What the server pushes to live sessions unasked: stream events to their subscribers,
 * notifications and "saved" confirmations to a user's sessions, and the heartbeat that keeps
 * sessions honest (docs/product.md, "Live socket": 3 missed pings close the socket with 4408;
 * a detached session is dead one interval later).
 */
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { LockHolder } from '../../shared/protocol/locks.ts'
import type { Notification } from '../../shared/protocol/notifications.ts'
import type { LiveSessions } from './sessions.ts'

const MISSED_PINGS_ALLOWED = 3
/** Refused paths told per update (the first ones, outermost first). */
const MAX_FORBIDDEN_PATHS = 20

export class LiveFanOut {
  constructor(private readonly sessions: LiveSessions) {}

  deliver(stream: string, seq: number, event: LoupeEvent): void {
    for (const session of this.sessions.all()) session.deliver(stream, seq, event)
  }

  pushNotification(userId: string, notification: Notification): void {
    for (const session of this.sessions.ofUser(userId))
      session.send({ type: 'notification', notification })
  }

  /** Tells users whose board changes are committed, so their clients can say "saved". */
  docCommitted(boardId: string, userIds: ReadonlySet<string>, stateVector: Uint8Array): void {
    let encoded: string | null = null
    for (const session of this.sessions.all()) {
      if (!userIds.has(session.user.id)) continue
      encoded ??= Buffer.from(stateVector).toString('base64')
      session.send({ type: 'doc.committed', boardId, stateVector: encoded })
    }
  }

  /** Tells the sender of an edit to a locked entity who holds it (docs/product.md). */
  lockedEdit(userId: string, key: string, holder: LockHolder): void {
    for (const session of this.sessions.ofUser(userId)) {
      session.send({
        type: 'error',
        error: { code: 'locked', message: `${key} is locked by ${holder.name}`, key, holder },
      })
    }
  }

  /**
   * Tells a reviewer where a change of theirs was refused by their role (and reverted): one
   * error per path, at most MAX_FORBIDDEN_PATHS per update, so a runaway client is not flooded.
   */
  forbiddenEdit(userId: string, paths: readonly string[]): void {
    for (const session of this.sessions.ofUser(userId)) {
      for (const path of paths.slice(0, MAX_FORBIDDEN_PATHS)) {
        session.send({
          type: 'error',
          error: { code: 'forbidden', message: `your role does not allow changing ${path}`, path },
        })
      }
    }
  }

  /** Sessions with a subscription to `stream` (the system figures are sent only if any). */
  hasSubscribers(stream: string): boolean {
    for (const session of this.sessions.all()) if (session.subscriptions.has(stream)) return true
    return false
  }

  /**
   * One heartbeat: ping attached sessions, close those that missed 3 pings (4408), and end
   * sessions detached for longer than one interval; `died` frees what they held.
   */
  heartbeat(heartbeatMs: number, died: (sessionId: string) => void): void {
    const now = performance.now()
    for (const session of [...this.sessions.all()]) {
      if (session.socket) {
        if (session.unanswered >= MISSED_PINGS_ALLOWED) {
          session.socket.close(CloseCode.heartbeatMissed, 'heartbeat missed')
          continue
        }
        session.unanswered++
        session.send({ type: 'ping', t: Date.now() })
      } else if (session.detachedAt !== null && now - session.detachedAt >= heartbeatMs) {
        this.sessions.end(session.id)
        died(session.id)
      }
    }
  }
}

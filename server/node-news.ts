/**
 * What every node must hear of, whichever node it happened on (docs/cluster.md, "News"):
 * a user's live sessions and sockets may be on any node. On one machine the news goes straight
 * to this process's sockets; in cluster mode (cluster/cluster-news.ts) it is also published to
 * the other nodes, which apply it to theirs.
 */
import type { LockHolder } from '../shared/protocol/locks.ts'
import type { Notification } from '../shared/protocol/notifications.ts'
import type { Role } from '../shared/roles.ts'

export interface NodeNews {
  /** Share-link guests whose access ended (revoked or expired link): their sockets close, 4403. */
  guestsEnded(userIds: readonly string[], reason: string): void
  /** A member's role changed (null: removed): sockets follow at once. */
  membership(workspaceId: string, userId: string, role: Role | null): void
  notification(userId: string, notification: Notification): void
  /** The owner committed these users' changes (their clients say "saved"). */
  docCommitted(boardId: string, userIds: ReadonlySet<string>, stateVector: Uint8Array): void
  lockedEdit(userId: string, key: string, holder: LockHolder): void
  forbiddenEdit(userId: string, paths: readonly string[]): void
  /** A live session was resumed on another node: the node that had it lets it go, not ends it. */
  sessionMoved(sessionId: string): void
}

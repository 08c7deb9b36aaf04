import type { Actor } from '../../shared/protocol/events.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Directory } from '../db/directory.ts'
import type { Notifier } from '../notifications/notifier.ts'
import type { EventBus } from './bus.ts'
import type { Derived } from './derive.ts'

/**
 * What a committed board change means to people: its events go to the board's stream and
 * its notification intents to the notifier, attributed to the user whose connection sent it.
 * A verdict is also an audit row: it is a decision someone may have to account for.
 */
export class BoardActivity {
  constructor(
    private readonly bus: EventBus,
    private readonly notifier: Notifier,
    private readonly directory: Directory,
    private readonly audit: AuditLog,
  ) {}

  record(boardId: string, actor: Actor, derived: Derived): void {
    for (const event of derived.events)
      this.bus.emit(event.type, { actor, boardId, data: event.data as never })
    const workspaceId = this.directory.board(boardId)?.workspaceId
    if (!workspaceId) return
    for (const event of derived.events) {
      if (event.type !== 'review.verdict') continue
      const data = event.data as { mediaId: string }
      this.audit.record({
        action: 'review.verdict',
        actor,
        workspaceId,
        target: `${boardId}/media/${data.mediaId}`,
        data: { boardId, ...event.data },
      })
    }
    for (const intent of derived.notify) {
      this.notifier.notify(workspaceId, {
        userId: intent.userId,
        type: intent.type,
        actor,
        boardId,
        threadId: intent.threadId ?? null,
        commentId: intent.commentId ?? null,
        taskId: intent.taskId ?? null,
        data: intent.data ?? null,
      })
    }
  }
}

import type { Actor } from '../../shared/protocol/events.ts'
import type { Directory } from '../db/directory.ts'
import type { Notifier } from '../notifications/notifier.ts'
import type { EventBus } from './bus.ts'
import type { Derived } from './derive.ts'

/**
 * What a committed board change means to people: its events go to the board's stream and
 * its notification intents to the notifier, attributed to the user whose connection sent it.
 */
export class BoardActivity {
  constructor(
    private readonly bus: EventBus,
    private readonly notifier: Notifier,
    private readonly directory: Directory,
  ) {}

  record(boardId: string, actor: Actor, derived: Derived): void {
    for (const event of derived.events)
      this.bus.emit(event.type, { actor, boardId, data: event.data as never })
    const workspaceId = this.directory.board(boardId)?.workspaceId
    if (!workspaceId) return
    for (const intent of derived.notify) {
      this.notifier.notify(workspaceId, {
        userId: intent.userId,
        type: intent.type,
        actor,
        boardId,
        threadId: intent.threadId ?? null,
        commentId: intent.commentId ?? null,
        taskId: intent.taskId ?? null,
      })
    }
  }
}

import type { Actor } from '../../shared/protocol/events.ts'
import type { Notifier } from '../notifications/notifier.ts'
import type { StoreTx, Stores } from '../storage/stores.ts'
import type { EventBus } from './bus.ts'
import type { Derived } from './derive.ts'

/**
 * What a committed board change means to people: its events go to the board's stream and
 * its notification intents to the notifier, attributed to the user whose connection sent it.
 * A verdict is also an audit row: it is a decision someone may have to account for. All of
 * one change is written in one transaction, and a board's changes in the order they came.
 */
export class BoardActivity {
  /** Per board, the last change still being written: the next one waits for it. */
  private readonly writing = new Map<string, Promise<void>>()

  constructor(
    private readonly stores: Stores,
    private readonly bus: EventBus,
    private readonly notifier: Notifier,
  ) {}

  record(boardId: string, actor: Actor, derived: Derived): Promise<void> {
    const before = this.writing.get(boardId) ?? Promise.resolve()
    const done = before.then(() =>
      this.stores.transaction((tx) => this.write(tx, boardId, actor, derived)),
    )
    const settled = done.catch(() => {})
    this.writing.set(boardId, settled)
    void settled.then(() => {
      if (this.writing.get(boardId) === settled) this.writing.delete(boardId)
    })
    return done
  }

  private async write(tx: StoreTx, boardId: string, actor: Actor, derived: Derived): Promise<void> {
    for (const event of derived.events)
      await this.bus.emit(event.type, { actor, boardId, data: event.data as never }, tx)
    const workspaceId = (await tx.directory.board(boardId))?.workspaceId
    if (!workspaceId) return
    for (const event of derived.events) {
      if (event.type !== 'review.verdict') continue
      const data = event.data as { mediaId: string }
      await tx.audit.record({
        action: 'review.verdict',
        actor,
        workspaceId,
        target: `${boardId}/media/${data.mediaId}`,
        data: { boardId, ...event.data },
      })
    }
    for (const intent of derived.notify) {
      await this.notifier.notify(
        workspaceId,
        {
          userId: intent.userId,
          type: intent.type,
          actor,
          boardId,
          threadId: intent.threadId ?? null,
          commentId: intent.commentId ?? null,
          taskId: intent.taskId ?? null,
          data: intent.data ?? null,
        },
        tx,
      )
    }
  }
}

/**
 * Stored notifications, per user (docs/product.md, "Notifications and activity"). Several comments
 * in one thread coalesce into one unread item: the item's count grows and it points at the
 * newest comment and its author.
 */
import { newId } from '../../shared/ids.ts'
import type { Actor } from '../../shared/protocol/events.ts'
import type { Notification, NotificationType } from '../../shared/protocol/notifications.ts'
import type { Db } from '../db/open.ts'
import { toNotification, type NotificationRow } from '../storage/rows.ts'

export type { Notification, NotificationType }

export interface NewNotification {
  userId: string
  type: NotificationType
  actor: Actor
  boardId?: string | null
  threadId?: string | null
  commentId?: string | null
  taskId?: string | null
  data?: Record<string, unknown> | null
}

export class NotificationStore {
  private readonly stmts

  constructor(private readonly db: Db) {
    this.stmts = {
      unreadInThread: db.prepare<[string, string, string], NotificationRow>(
        `SELECT * FROM notifications WHERE user_id = ? AND board_id = ? AND thread_id = ?
         AND read_at IS NULL AND type IN ('mention', 'reply') ORDER BY updated_at DESC LIMIT 1`,
      ),
      coalesce: db.prepare<[string, string, string, string | null, number, string]>(
        `UPDATE notifications SET type = ?, actor_id = ?, actor_name = ?, comment_id = ?,
         count = count + 1, updated_at = ? WHERE id = ?`,
      ),
      insert: db.prepare<
        [
          string,
          string,
          string,
          string,
          string,
          string | null,
          string | null,
          string | null,
          string | null,
          string | null,
          number,
          number,
        ]
      >(
        `INSERT INTO notifications (id, user_id, type, actor_id, actor_name, board_id, thread_id,
         comment_id, task_id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byId: db.prepare<[string], NotificationRow>('SELECT * FROM notifications WHERE id = ?'),
      list: db.prepare<[string, number, number], NotificationRow>(
        `SELECT * FROM notifications WHERE user_id = ? AND (? = 0 OR read_at IS NULL)
         ORDER BY updated_at DESC LIMIT ?`,
      ),
      unreadCount: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL',
      ),
      markRead: db.prepare<[number, string, string]>(
        'UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL',
      ),
    }
  }

  /**
   * Stores a notification, or folds it into the user's unread item for the same thread. A
   * mention outranks a reply, so a coalesced item that ever mentioned the user stays a mention.
   */
  add(input: NewNotification): Notification {
    return this.db.transaction(() => {
      const now = Date.now()
      if ((input.type === 'mention' || input.type === 'reply') && input.boardId && input.threadId) {
        const open = this.stmts.unreadInThread.get(input.userId, input.boardId, input.threadId)
        if (open) {
          const type = open.type === 'mention' ? 'mention' : input.type
          this.stmts.coalesce.run(
            type,
            input.actor.id,
            input.actor.name,
            input.commentId ?? null,
            now,
            open.id,
          )
          return toNotification(this.stmts.byId.get(open.id) as NotificationRow)
        }
      }
      const id = newId()
      this.stmts.insert.run(
        id,
        input.userId,
        input.type,
        input.actor.id,
        input.actor.name,
        input.boardId ?? null,
        input.threadId ?? null,
        input.commentId ?? null,
        input.taskId ?? null,
        input.data ? JSON.stringify(input.data) : null,
        now,
        now,
      )
      return toNotification(this.stmts.byId.get(id) as NotificationRow)
    })()
  }

  list(userId: string, options: { unreadOnly: boolean; limit: number }): Notification[] {
    return this.stmts.list
      .all(userId, options.unreadOnly ? 1 : 0, options.limit)
      .map(toNotification)
  }

  unreadCount(userId: string): number {
    return this.stmts.unreadCount.get(userId)?.n ?? 0
  }

  /** Marks the user's own notifications read; ids of others' are ignored. */
  markRead(userId: string, ids: readonly string[]): number {
    const now = Date.now()
    return this.db.transaction(() =>
      ids.reduce((n, id) => n + this.stmts.markRead.run(now, id, userId).changes, 0),
    )()
  }
}

/**
 * Notifications in PostgreSQL (storage/notification-repo.ts). Coalescing is one statement: a
 * mention or reply inserts, or, if the user already has an unread mention/reply item in that
 * thread, updates that item instead. The partial unique index on unread (user, board, thread)
 * makes this atomic across nodes: two nodes adding to one thread at once fold into one item,
 * where a look-then-insert would open two. `addIn` joins the caller's transaction, so a
 * notification commits with the event (and document batch) that caused it.
 */
import { newId } from '../../../shared/ids.ts'
import type {
  NewNotification,
  Notification,
  NotificationRepo,
} from '../../storage/notification-repo.ts'
import type { PgPool, Tx } from './pool.ts'
import { toNotification, type NotificationRow } from '../../storage/rows.ts'

export class PgNotifications implements NotificationRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  async addIn(tx: Tx, input: NewNotification): Promise<Notification> {
    const now = Date.now()
    const { rows } = await tx.query<NotificationRow>(
      `INSERT INTO notifications AS n (id, user_id, type, actor_id, actor_name, board_id,
         thread_id, comment_id, task_id, data, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
       ON CONFLICT (user_id, board_id, thread_id)
         WHERE read_at IS NULL AND type IN ('mention', 'reply')
       DO UPDATE SET
         -- A mention outranks a reply: an item that ever mentioned the user stays a mention.
         type = CASE WHEN n.type = 'mention' THEN 'mention' ELSE excluded.type END,
         actor_id = excluded.actor_id, actor_name = excluded.actor_name,
         comment_id = excluded.comment_id, count = n.count + 1, updated_at = excluded.updated_at
       RETURNING *`,
      [
        newId(),
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
      ],
    )
    return toNotification(rows[0] as NotificationRow)
  }

  add(input: NewNotification): Promise<Notification> {
    return this.addIn(this.db, input)
  }

  async list(
    userId: string,
    options: { unreadOnly: boolean; limit: number },
  ): Promise<Notification[]> {
    const { rows } = await this.db.query<NotificationRow>(
      `SELECT * FROM notifications WHERE user_id = $1 AND (NOT $2 OR read_at IS NULL)
       ORDER BY updated_at DESC LIMIT $3`,
      [userId, options.unreadOnly, options.limit],
    )
    return rows.map(toNotification)
  }

  async unreadCount(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL',
      [userId],
    )
    return rows[0]?.n ?? 0
  }

  async markRead(userId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0
    const { rowCount } = await this.db.query(
      `UPDATE notifications SET read_at = $3
       WHERE id = ANY($2::text[]) AND user_id = $1 AND read_at IS NULL`,
      [userId, [...ids], Date.now()],
    )
    return rowCount ?? 0
  }
}

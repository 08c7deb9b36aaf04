/** Notifications as stored and sent (docs/product.md, "Notifications and activity"). */
import type { Actor } from './events.ts'

export type NotificationType =
  'mention' | 'reply' | 'assigned' | 'lock.granted' | 'lock.revoked' | 'invite' | 'review'

export interface Notification {
  id: string
  type: NotificationType
  actor: Actor
  boardId: string | null
  threadId: string | null
  commentId: string | null
  taskId: string | null
  /** How many events this item stands for (coalesced comments in one thread). */
  count: number
  data: Record<string, unknown> | null
  createdAt: number
  updatedAt: number
  readAt: number | null
}

/**
 * Stored notifications behind an asynchronous interface (cluster mode keeps them in
 * PostgreSQL; notifications/notification-store.ts is the SQLite one, unchanged for its
 * synchronous callers and adapted by `asyncNotifications`). The contract
 * (notification-repo.contract.ts) holds both to the same rules, coalescing included: a
 * mention or reply folds into the user's unread mention/reply item of the same thread.
 */
import type {
  NewNotification,
  Notification,
  NotificationStore,
} from '../notifications/notification-store.ts'

export type { NewNotification, Notification }

export interface NotificationRepo {
  /** Stores the notification or folds it into the unread item of its thread; the result either way. */
  add(input: NewNotification): Promise<Notification>
  /** Newest change first. */
  list(userId: string, options: { unreadOnly: boolean; limit: number }): Promise<Notification[]>
  unreadCount(userId: string): Promise<number>
  /** Marks the user's own unread notifications read; resolves with how many changed. */
  markRead(userId: string, ids: readonly string[]): Promise<number>
}

export function asyncNotifications(store: NotificationStore): NotificationRepo {
  return {
    add: async (input) => store.add(input),
    list: async (userId, options) => store.list(userId, options),
    unreadCount: async (userId) => store.unreadCount(userId),
    markRead: async (userId, ids) => store.markRead(userId, ids),
  }
}

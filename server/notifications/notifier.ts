import type { Actor } from '../../shared/protocol/events.ts'
import type { Directory } from '../db/directory.ts'
import type { NewNotification, Notification, NotificationStore } from './notification-store.ts'

/**
 * Turns intents into stored notifications and pushes them to the user's live sessions.
 * Nobody is notified of their own action, or about a workspace they are not a member of (a
 * guest hears only about the board their share link opens).
 */
export class Notifier {
  private push: (userId: string, notification: Notification) => void = () => {}

  constructor(
    readonly store: NotificationStore,
    private readonly directory: Directory,
    /** Whether a user is a guest of this board (a share link): they hear about that board. */
    private readonly guestOn: (userId: string, boardId: string) => boolean = () => false,
  ) {}

  /** Where notifications go live (the live hub, once it exists). */
  onNotification(push: (userId: string, notification: Notification) => void): void {
    this.push = push
  }

  notify(workspaceId: string, input: NewNotification & { actor: Actor }): Notification | null {
    const member = !!this.directory.roleIn(workspaceId, input.userId)
    if (!member && !(input.boardId && this.guestOn(input.userId, input.boardId))) return null
    return this.notifyUser(input)
  }

  /** For what concerns a user outside any workspace they belong to yet (an invite). */
  notifyUser(input: NewNotification & { actor: Actor }): Notification | null {
    if (input.userId === input.actor.id) return null
    const notification = this.store.add(input)
    this.push(input.userId, notification)
    return notification
  }
}

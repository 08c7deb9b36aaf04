import type { Actor } from '../../shared/protocol/events.ts'
import type { NewNotification, Notification } from '../storage/notification-repo.ts'
import { linkLive } from '../storage/share-links-repo.ts'
import type { Repositories } from '../storage/stores.ts'

type NotifierRepos = Pick<
  Repositories,
  'notifications' | 'directory' | 'shareLinks' | 'afterCommit'
>

/**
 * Turns intents into stored notifications and pushes them to the user's live sessions once
 * they are committed. Nobody is notified of their own action, or about a workspace they are
 * not a member of (a guest hears only about the board their share link opens).
 */
export class Notifier {
  private push: (userId: string, notification: Notification) => void = () => {}

  /** `stores`: where notifications are kept when added outside a transaction. */
  constructor(private readonly stores: NotifierRepos) {}

  /** Where notifications go live (the live hub, once it exists). */
  onNotification(push: (userId: string, notification: Notification) => void): void {
    this.push = push
  }

  /** Notifies a member of the workspace (or a guest of the board), in `repos`' transaction if given. */
  async notify(
    workspaceId: string,
    input: NewNotification & { actor: Actor },
    repos: NotifierRepos = this.stores,
  ): Promise<Notification | null> {
    const member = !!(await repos.directory.roleIn(workspaceId, input.userId))
    if (!member && !(input.boardId && (await guestOn(repos, input.userId, input.boardId))))
      return null
    return this.notifyUser(input, repos)
  }

  /** For what concerns a user outside any workspace they belong to yet (an invite). */
  async notifyUser(
    input: NewNotification & { actor: Actor },
    repos: NotifierRepos = this.stores,
  ): Promise<Notification | null> {
    if (input.userId === input.actor.id) return null
    const notification = await repos.notifications.add(input)
    repos.afterCommit(() => this.push(input.userId, notification))
    return notification
  }
}

/** Whether a user is a guest of this board through a share link that still lives. */
async function guestOn(repos: NotifierRepos, userId: string, boardId: string): Promise<boolean> {
  const guest = await repos.shareLinks.guestOf(userId)
  return guest?.boardId === boardId && linkLive(guest, Date.now())
}

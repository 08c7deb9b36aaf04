/**
 * The inbox store: notifications fetched on start and on every reconnect, pushed live in
 * between; mentions may raise a desktop notification (lib/attention.ts).
 */
import { createSignal } from 'solid-js'
import { api, type AppNotification } from './api.ts'
import { notifyDesktop } from './attention.ts'
import type { Live } from './live.ts'

export function createInbox(live: Live) {
  const [items, setItems] = createSignal<AppNotification[]>([])
  const [unread, setUnread] = createSignal(0)
  const [loaded, setLoaded] = createSignal(false)
  const load = () =>
    api.notifications(false).then(
      (r) => {
        setItems(r.notifications)
        setUnread(r.unreadCount)
        setLoaded(true)
      },
      () => setLoaded(true),
    )
  void load()
  live.onMessage((message) => {
    if (message.type === 'welcome') void load()
    if (message.type === 'notification') {
      void load()
      const n = message.notification as AppNotification
      if (n.type === 'mention' && n.boardId)
        notifyDesktop(
          `${n.actor.name} mentioned you`,
          String(n.data?.excerpt ?? 'in a comment'),
          `#/b/${n.boardId}${n.threadId ? `/thread/${n.threadId}` : ''}`,
        )
    }
  })
  return {
    items,
    unread,
    loaded,
    async markRead(ids: string[]) {
      const r = await api.markRead(ids)
      setUnread(r.unreadCount)
      void load()
    },
  }
}

export type InboxStore = ReturnType<typeof createInbox>

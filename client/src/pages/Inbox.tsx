import { createSignal, For, Show } from 'solid-js'
import { api, type AppNotification } from '../lib/api.ts'
import type { Live } from '../lib/live.ts'

/** Notifications: fetched on start and on every reconnect, pushed live in between. */
export function createInbox(live: Live) {
  const [items, setItems] = createSignal<AppNotification[]>([])
  const [unread, setUnread] = createSignal(0)
  const load = () =>
    api.notifications(false).then(
      (r) => {
        setItems(r.notifications)
        setUnread(r.unreadCount)
      },
      () => {},
    )
  void load()
  live.onMessage((message) => {
    if (message.type === 'welcome') void load()
    if (message.type === 'notification') void load()
  })
  return {
    items,
    unread,
    async markRead(ids: string[]) {
      const r = await api.markRead(ids)
      setUnread(r.unreadCount)
      void load()
    },
  }
}

export type InboxStore = ReturnType<typeof createInbox>

const describe = (n: AppNotification) => {
  const who = n.actor.name
  switch (n.type) {
    case 'mention':
      return `${who} mentioned you${n.count > 1 ? ` (${n.count} comments)` : ''}`
    case 'reply':
      return `${who} replied in a thread you are in${n.count > 1 ? ` (${n.count} comments)` : ''}`
    case 'assigned':
      return `${who} assigned you a task`
    case 'lock.granted':
      return `It is free: you now hold ${String(n.data?.key ?? 'the lock')}`
    case 'lock.revoked':
      return `${who} took back your lock on ${String(n.data?.key ?? '')}`
    case 'invite':
      return `${who} invited you to ${String(n.data?.workspaceName ?? 'a workspace')}`
    default:
      return n.type
  }
}

/** Where a notification leads: the invite, or the thread or task on its board. */
const target = (n: AppNotification) => {
  if (n.type === 'invite') return `#/invite/${String(n.data?.code ?? '')}`
  if (!n.boardId) return '#/'
  if (n.threadId) return `#/b/${n.boardId}/thread/${n.threadId}`
  if (n.taskId) return `#/b/${n.boardId}/task/${n.taskId}`
  return `#/b/${n.boardId}`
}

export function Inbox(props: { inbox: InboxStore }) {
  return (
    <section class="page">
      <h1>Inbox</h1>
      <ul class="list">
        <For each={props.inbox.items()} fallback={<li>Nothing yet.</li>}>
          {(n) => (
            <li classList={{ unread: n.readAt === null }}>
              <a
                href={target(n)}
                onClick={() => n.readAt === null && void props.inbox.markRead([n.id])}
              >
                {describe(n)}
              </a>{' '}
              <span class="muted">{new Date(n.updatedAt).toLocaleString()}</span>
              <Show when={n.readAt === null}>
                <button
                  type="button"
                  class="link"
                  onClick={() => void props.inbox.markRead([n.id])}
                >
                  Mark read
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
    </section>
  )
}

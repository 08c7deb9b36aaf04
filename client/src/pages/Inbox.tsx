import { Switch } from '@kobalte/core/switch'
import { onMount, Show } from 'solid-js'
import Bell from 'lucide-solid/icons/bell'
import CheckCheck from 'lucide-solid/icons/check-check'
import { type AppNotification } from '../lib/api.ts'
import type { AppContext } from '../lib/app-context.ts'
import {
  desktopNotifications,
  desktopSupported,
  setDesktopNotifications,
} from '../lib/attention.ts'
import { remembered } from '../lib/cache.ts'
import { exactTime, timeAgo } from '../lib/time.ts'
import { PageHeader } from '../components/shell/PageHeader.tsx'
import { EmptyState, Skeleton } from '../components/ui/EmptyState.tsx'
import { VirtualList } from '../components/ui/VirtualList.tsx'

/** A board's title as this device last saw it (the inbox has no board open). */
function boardTitle(boardId: string | null): string | null {
  if (!boardId) return null
  return remembered<{ title?: string }>(`loupe-board-info-${boardId}`)?.title ?? null
}

const kinds: Record<string, string> = {
  task: 'the task',
  media: 'the media item',
  thread: 'the thread',
  annotation: 'the annotation',
}

/**
 * What a lock key (`<board>/<type>/<id>`) names, in words: the inbox has no board open to read
 * its title. Split by hand: shared/protocol/locks.ts would bring Yjs into the first screen.
 */
const thing = (key: unknown) => kinds[String(key).split('/')[1] ?? ''] ?? 'it'

const describe = (n: AppNotification) => {
  const who = n.actor.name
  const board = boardTitle(n.boardId)
  const on = board ? ` on “${board}”` : ''
  switch (n.type) {
    case 'mention':
      return `${who} mentioned you${on}${n.count > 1 ? ` (${n.count} comments)` : ''}`
    case 'reply':
      return `${who} replied in a thread you are in${on}${n.count > 1 ? ` (${n.count} comments)` : ''}`
    case 'assigned':
      return `${who} assigned you a task${on}`
    case 'lock.granted':
      return `It is free: you can edit ${thing(n.data?.key)} now${on}`
    case 'lock.revoked':
      return `${who} took back your lock on ${thing(n.data?.key)}${on}`
    case 'invite':
      return `${who} invited you to ${String(n.data?.workspaceName ?? 'a workspace')}`
    case 'review': {
      const what = `“${String(n.data?.name ?? 'your media')}”${typeof n.data?.version === 'number' ? ` (v${n.data.version})` : ''}`
      return n.data?.verdict === 'approved'
        ? `${who} approved ${what}${on}`
        : `${who} requested changes on ${what}${on}`
    }
    default:
      return `${who}: ${n.type}`
  }
}

/** Where a notification leads: the invite, or the thread or task on its board. */
const target = (n: AppNotification) => {
  if (n.type === 'invite') return `#/invite/${String(n.data?.code ?? '')}`
  if (!n.boardId) return '#/'
  if (n.threadId) return `#/b/${n.boardId}/thread/${n.threadId}`
  if (n.taskId) return `#/b/${n.boardId}/task/${n.taskId}`
  if (n.type === 'review' && typeof n.data?.mediaId === 'string')
    return `#/b/${n.boardId}/media/${n.data.mediaId}`
  return `#/b/${n.boardId}`
}

export function Inbox(props: { ctx: AppContext; setTitle: (title: string) => void }) {
  onMount(() => props.setTitle('Inbox'))
  const inbox = props.ctx.inbox
  const unreadIds = () =>
    inbox
      .items()
      .filter((n) => n.readAt === null)
      .map((n) => n.id)
  return (
    <>
      <PageHeader ctx={props.ctx} crumbs={[{ label: 'Inbox' }]}>
        <Show when={unreadIds().length > 0}>
          <button type="button" class="button" onClick={() => void inbox.markRead(unreadIds())}>
            <CheckCheck size={16} aria-hidden="true" /> Mark all read
          </button>
        </Show>
      </PageHeader>
      <section class="page">
        <h1 class="page-title">Inbox</h1>
        <Show when={inbox.loaded()} fallback={<Skeleton lines={5} />}>
          <Show
            when={inbox.items().length > 0}
            fallback={
              <EmptyState icon={<Bell size={28} />} title="Nothing yet">
                Mentions, replies, assignments and freed locks show up here.
              </EmptyState>
            }
          >
            <VirtualList
              items={inbox.items()}
              estimate={49}
              key={(n) => n.id}
              class="list-panel inbox-list"
              label="Notifications"
            >
              {(n) => (
                <div class="list-row" classList={{ unread: n.readAt === null }}>
                  <span class="unread-dot" aria-hidden="true" />
                  <a
                    href={target(n)}
                    class="row-link"
                    onClick={() => n.readAt === null && void inbox.markRead([n.id])}
                  >
                    {describe(n)}
                  </a>
                  <time
                    class="muted"
                    title={exactTime(n.updatedAt)}
                    datetime={new Date(n.updatedAt).toISOString()}
                  >
                    {timeAgo(n.updatedAt)}
                  </time>
                  <Show when={n.readAt === null}>
                    <button
                      type="button"
                      class="button ghost small"
                      onClick={() => void inbox.markRead([n.id])}
                    >
                      Mark read
                    </button>
                  </Show>
                </div>
              )}
            </VirtualList>
          </Show>
        </Show>
        <Show when={desktopSupported}>
          <Switch
            class="switch setting"
            checked={desktopNotifications()}
            onChange={(on) => void setDesktopNotifications(on)}
          >
            <Switch.Input class="sr-only" />
            <Switch.Control class="switch-control">
              <Switch.Thumb class="switch-thumb" />
            </Switch.Control>
            <Switch.Label>Desktop notifications when someone mentions me</Switch.Label>
          </Switch>
        </Show>
      </section>
    </>
  )
}

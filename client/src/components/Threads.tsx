/**
 * Comment threads: replies, @mentions of members, reactions, edit, soft delete, resolve;
 * editors delete a whole thread (undoable). Long lists are windowed; `J`/`K` step through
 * threads and `C` starts a comment. Shown from a past version, a thread can be restored.
 */
import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import { createMemo, createSignal, For, Show } from 'solid-js'
import Ellipsis from 'lucide-solid/icons/ellipsis'
import MessageSquare from 'lucide-solid/icons/message-square'
import RotateCcwClock from 'lucide-solid/icons/rotate-ccw-clock'
import X from 'lucide-solid/icons/x'
import { newId } from '../../../shared/ids.ts'
import {
  addComment,
  board as boardTypes,
  createThread,
  deleteComment,
  findComment,
  setThreadResolved,
  toggleReaction,
  type CommentJson,
  type ThreadJson,
} from '../../../shared/schema/board.ts'
import { useBoard } from '../lib/board-store.ts'
import { canDelete, deleteEntity } from '../lib/deletes.ts'
import { createShortcuts, letter } from '../lib/shortcuts.ts'
import { exactTime, timeAgo } from '../lib/time.ts'
import { shapeName } from '../lib/words.ts'
import { ItemPeers } from './Avatars.tsx'
import { MentionComposer } from './MentionComposer.tsx'
import { ThreadPlaceChip } from './viewer/ThreadPlaceChip.tsx'
import type { ViewerState } from './board/viewer-state.ts'
import { RestoreButton } from './history/RestoreButton.tsx'
import { VisitBadge } from './history/VisitBadge.tsx'
import { EmptyState } from './ui/EmptyState.tsx'
import { showUndoToast } from './ui/undo-toast.tsx'
import { VirtualList } from './ui/VirtualList.tsx'

export type Thread = ThreadJson

/** Reactions, named for screen readers; drawn with the bundled colour emoji font. */
const REACTIONS: Array<[string, string]> = [
  ['👍', 'thumbs up'],
  ['🎉', 'party'],
  ['👀', 'eyes'],
]

export function Threads(props: { state: ViewerState }) {
  const board = useBoard()
  const [showResolved, setShowResolved] = createSignal(true)
  let composer: HTMLTextAreaElement | undefined
  const list = createMemo(() => board.threadList().filter((t) => showResolved() || !t.resolved))
  const step = (by: number) => {
    const all = list()
    if (all.length === 0) return
    const index = all.findIndex((t) => t.id === board.selectedThread())
    const next = all[index < 0 ? 0 : (index + by + all.length) % all.length]
    if (next) board.selectThread(next.id)
  }
  createShortcuts([
    {
      keys: ['J'],
      description: 'Next thread',
      group: 'Navigation',
      match: letter('j'),
      run: () => step(1),
    },
    {
      keys: ['K'],
      description: 'Previous thread',
      group: 'Navigation',
      match: letter('k'),
      run: () => step(-1),
    },
    {
      keys: ['C'],
      description: 'Write a comment',
      group: 'Editing',
      match: letter('c'),
      run: () => composer?.focus(),
    },
  ])
  // The media shown, its version and the video's frame or range, or a mark, or the board.
  const anchorLabel = () => props.state.anchorLabel()
  return (
    <div class="threads" aria-label="Comment threads" role="region">
      <div class="panel-toolbar">
        <span class="muted">{board.threadList().filter((t) => !t.resolved).length} open</span>
        <button
          type="button"
          class="button ghost small"
          aria-pressed={showResolved()}
          onClick={() => setShowResolved(!showResolved())}
        >
          {showResolved() ? 'Hide resolved' : 'Show resolved'}
        </button>
      </div>
      <Show
        when={list().length > 0}
        fallback={
          <EmptyState icon={<MessageSquare size={28} />} title="No comments yet">
            Draw on the media or write below to start a thread.
          </EmptyState>
        }
      >
        <VirtualList
          items={list()}
          estimate={140}
          key={(t) => t.id}
          reveal={board.selectedThread()}
          class="thread-scroller"
          label="Threads"
        >
          {(thread) => <ThreadView thread={thread} only={list().length === 1} />}
        </VirtualList>
      </Show>
      <Show when={!board.readOnly()}>
        <div class="new-comment">
          <div class="anchor-chip">
            <span>{anchorLabel()}</span>
            <Show when={props.state.anchor().type !== 'board'}>
              <button
                type="button"
                class="icon-button ghost tiny"
                aria-label="Comment on the board instead"
                onClick={() => props.state.setAnchor({ type: 'board', id: board.boardId })}
              >
                <X size={14} />
              </button>
            </Show>
          </div>
          <MentionComposer
            label="Comment"
            ref={(el) => (composer = el)}
            members={board.members()}
            onTyping={() => {}}
            onPost={(body, mentions) => {
              const id = newId()
              const anchor = props.state.anchor()
              board.conn.transact((doc) => {
                createThread(doc, { id, anchor, createdBy: board.me.id })
                addComment(doc, id, { id: newId(), authorId: board.me.id, body, mentions })
                if (anchor.type === 'annotation')
                  boardTypes(doc).annotations.get(anchor.id)?.set('threadId', id)
              })
              board.selectThread(id)
            }}
          />
        </div>
      </Show>
    </div>
  )
}

function ThreadView(props: { thread: Thread; only: boolean }) {
  const board = useBoard()
  const selected = () => board.selectedThread() === props.thread.id
  // A long thread shows its first and latest comments until it is opened; only the open
  // thread has a reply box. A big board then renders quickly and stays readable.
  const expanded = () => selected() || (props.thread.comments?.length ?? 0) <= 3
  const shown = () => {
    const comments = props.thread.comments ?? []
    return expanded() ? comments : [...comments.slice(0, 1), ...comments.slice(-1)]
  }
  const hidden = () => (props.thread.comments?.length ?? 0) - shown().length
  const typing = () => [
    ...new Set(
      board.presence
        .peers()
        .filter((p) => p.typing?.threadId === props.thread.id)
        .map((p) => p.user.name),
    ),
  ]
  const about = () => {
    const a = props.thread.anchor
    if (a.type === 'annotation') {
      const annotation = board.annotations[a.id]
      return annotation
        ? `${shapeName[annotation.shape.type] ?? 'Mark'} on ${board.media[annotation.mediaId]?.name ?? 'media'}`
        : 'On a mark'
    }
    if (a.type === 'task')
      return `On the task ${board.tasks[a.id]?.title ? `“${board.tasks[a.id]?.title}”` : ''}`
    if (a.type === 'media') return `On ${board.media[a.id]?.name ?? 'a media item'}`
    return 'On the board'
  }
  return (
    <article
      class="thread"
      classList={{ resolved: props.thread.resolved, selected: selected() }}
      data-testid={`thread-${props.thread.id}`}
      tabIndex={-1}
    >
      <header class="thread-head">
        <button
          type="button"
          class="thread-title"
          aria-expanded={selected()}
          onClick={() => board.selectThread(selected() ? null : props.thread.id)}
        >
          {about()}
          <Show when={props.thread.resolved}>
            <span class="chip success">resolved</span>
          </Show>
        </button>
        <ThreadPlaceChip thread={props.thread} />
        <VisitBadge entityType="thread" id={props.thread.id} />
        <ItemPeers peers={board.presence.peers()} entityType="thread" entityId={props.thread.id} />
        <Show when={!board.readOnly()}>
          <button
            type="button"
            class="button ghost small"
            onClick={() =>
              board.conn.transact((doc) =>
                setThreadResolved(doc, props.thread.id, !props.thread.resolved),
              )
            }
          >
            {props.thread.resolved ? 'Reopen' : 'Resolve'}
          </button>
        </Show>
        <Show when={canDelete(board, 'thread', props.thread.id)}>
          <DropdownMenu>
            <DropdownMenu.Trigger
              class="icon-button ghost tiny"
              aria-label={`Thread actions: ${about()}`}
            >
              <Ellipsis size={14} />
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content class="menu">
                <DropdownMenu.Item
                  class="menu-item danger"
                  onSelect={() => {
                    const deleted = deleteEntity(board, 'thread', props.thread.id)
                    if (deleted)
                      showUndoToast(
                        `Deleted ${deleted.what}`,
                        `With its ${commentCount(props.thread)}.`,
                        deleted.undo,
                      )
                  }}
                >
                  Delete thread
                </DropdownMenu.Item>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu>
        </Show>
      </header>
      <Show when={board.version}>
        <RestoreButton
          entityType="thread"
          id={props.thread.id}
          label={`Restore this thread (${about()}) from this version`}
        >
          <RotateCcwClock size={14} aria-hidden="true" /> Restore this thread
        </RestoreButton>
      </Show>
      <Show when={hidden() > 0}>
        <button
          type="button"
          class="button ghost small more"
          onClick={() => board.selectThread(props.thread.id)}
        >
          Show {hidden()} more {hidden() === 1 ? 'comment' : 'comments'}
        </button>
      </Show>
      <For each={shown()}>
        {(comment) => <CommentView threadId={props.thread.id} comment={comment} />}
      </For>
      <Show when={typing().length > 0}>
        <p class="muted typing">{typing().join(', ')} typing…</p>
      </Show>
      <Show when={!board.readOnly() && (selected() || props.only)}>
        <MentionComposer
          label="Reply"
          placeholder="Reply… @ to mention"
          members={board.members()}
          onTyping={(on) =>
            board.presence.set({ typing: on ? { threadId: props.thread.id } : null })
          }
          onPost={(body, mentions) =>
            board.conn.transact((doc) =>
              addComment(doc, props.thread.id, {
                id: newId(),
                authorId: board.me.id,
                body,
                mentions,
              }),
            )
          }
        />
      </Show>
    </article>
  )
}

function commentCount(thread: Thread): string {
  const n = thread.comments?.filter((c) => !c.deleted).length ?? 0
  return n === 1 ? '1 comment' : `${n} comments`
}

function CommentView(props: { threadId: string; comment: CommentJson }) {
  const board = useBoard()
  const [editing, setEditing] = createSignal(false)
  const mine = () => props.comment.authorId === board.me.id
  const author = () => board.nameOf(props.comment.authorId)
  const color = () =>
    board.members().find((m) => m.id === props.comment.authorId)?.color ??
    (mine() ? board.me.color : '#8b8d98')
  return (
    <div class="comment" data-testid={`comment-${props.comment.id}`}>
      <Show
        when={!props.comment.deleted}
        fallback={<p class="muted deleted">This comment was deleted.</p>}
      >
        <span class="avatar small" style={{ background: color() }} aria-hidden="true">
          {author().slice(0, 1).toUpperCase()}
        </span>
        <div class="comment-body">
          <p class="comment-meta">
            <strong class="comment-author">{author()}</strong>
            <time
              class="muted"
              title={exactTime(props.comment.createdAt)}
              datetime={new Date(props.comment.createdAt).toISOString()}
            >
              {timeAgo(props.comment.createdAt)}
            </time>
            <Show when={props.comment.editedAt}>
              <span class="muted">(edited)</span>
            </Show>
            <Show when={mine() && !board.readOnly()}>
              <DropdownMenu>
                <DropdownMenu.Trigger
                  class="icon-button ghost tiny comment-menu"
                  aria-label="Comment actions"
                >
                  <Ellipsis size={14} />
                </DropdownMenu.Trigger>
                <DropdownMenu.Portal>
                  <DropdownMenu.Content class="menu">
                    <DropdownMenu.Item class="menu-item" onSelect={() => setEditing(true)}>
                      Edit
                    </DropdownMenu.Item>
                    <DropdownMenu.Item
                      class="menu-item danger"
                      onSelect={() =>
                        board.conn.transact((doc) =>
                          deleteComment(doc, props.threadId, props.comment.id),
                        )
                      }
                    >
                      Delete
                    </DropdownMenu.Item>
                  </DropdownMenu.Content>
                </DropdownMenu.Portal>
              </DropdownMenu>
            </Show>
          </p>
          <Show
            when={!editing()}
            fallback={
              <input
                class="input"
                aria-label="Edit comment"
                value={props.comment.body}
                ref={(el) => queueMicrotask(() => el.focus())}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') setEditing(false)
                  if (e.key !== 'Enter') return
                  const body = e.currentTarget.value
                  board.conn.transact((doc) => {
                    const c = findComment(doc, props.threadId, props.comment.id)
                    c.set('body', body)
                    c.set('editedAt', Date.now())
                  })
                  setEditing(false)
                }}
              />
            }
          >
            <p class="comment-text">{props.comment.body}</p>
          </Show>
          <div class="reactions">
            <For each={REACTIONS}>
              {([emoji, name]) => {
                const users = () => Object.keys(props.comment.reactions?.[emoji] ?? {})
                return (
                  <Show when={users().length > 0 || !board.readOnly()}>
                    <button
                      type="button"
                      class="reaction"
                      classList={{ empty: users().length === 0 }}
                      disabled={board.readOnly()}
                      aria-pressed={users().includes(board.me.id)}
                      aria-label={`React with ${name}${users().length ? `, ${users().length}` : ''}`}
                      onClick={() =>
                        board.conn.transact((doc) =>
                          toggleReaction(doc, props.threadId, props.comment.id, emoji, board.me.id),
                        )
                      }
                    >
                      <span class="emoji" aria-hidden="true">
                        {emoji}
                      </span>
                      <Show when={users().length > 0}>
                        <span>{users().length}</span>
                      </Show>
                    </button>
                  </Show>
                )
              }}
            </For>
          </div>
        </div>
      </Show>
    </div>
  )
}

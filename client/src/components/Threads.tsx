import { createMemo, createSignal, For, Show } from 'solid-js'
import { newId } from '../../../shared/ids.ts'
import {
  addComment,
  board,
  createThread,
  deleteComment,
  findComment,
  setThreadResolved,
  toggleReaction,
  type CommentJson,
  type ThreadAnchor,
  type ThreadJson,
} from '../../../shared/schema/board.ts'
import type { Member } from '../lib/api.ts'
import type { BoardConnection } from '../lib/board.ts'
import type { Peer, Presence } from '../lib/presence.ts'
import { ItemPeers } from './Avatars.tsx'

type Comment = CommentJson
export type Thread = ThreadJson

const REACTIONS = ['👍', '🎉', '👀']

/** Comment threads: replies, @mentions of members, reactions, edit, soft delete, resolve. */
export function Threads(props: {
  conn: BoardConnection
  threads: Record<string, Thread>
  members: Member[]
  me: { id: string }
  readOnly: boolean
  presence: Presence
  peers: Peer[]
  selected: string | null
  onSelect: (threadId: string | null) => void
  newAnchor: ThreadAnchor
}) {
  const name = (id: string) => props.members.find((m) => m.id === id)?.name ?? 'someone'
  const list = createMemo(() =>
    Object.values(props.threads)
      .filter(Boolean)
      .sort((a, b) => a.createdAt - b.createdAt),
  )
  // A long thread shows its first and latest comments until it is opened; only the open
  // thread has a reply box. A big board then renders quickly and stays readable.
  const expanded = (thread: Thread) =>
    props.selected === thread.id || (thread.comments?.length ?? 0) <= 3
  const shown = (thread: Thread) => {
    const comments = thread.comments ?? []
    return expanded(thread) ? comments : [...comments.slice(0, 1), ...comments.slice(-1)]
  }
  const hidden = (thread: Thread) => (thread.comments?.length ?? 0) - shown(thread).length
  const typing = (threadId: string) => [
    ...new Set(props.peers.filter((p) => p.typing?.threadId === threadId).map((p) => p.user.name)),
  ]
  return (
    <section class="threads" aria-label="Comment threads">
      <h2>Threads</h2>
      <For each={list()} fallback={<p class="muted">No comments yet.</p>}>
        {(thread) => (
          <article
            class="thread"
            classList={{ resolved: thread.resolved, selected: props.selected === thread.id }}
            data-testid={`thread-${thread.id}`}
          >
            <header>
              <button
                type="button"
                class="link"
                onClick={() => props.onSelect(props.selected === thread.id ? null : thread.id)}
              >
                {thread.anchor.type === 'annotation'
                  ? 'On an annotation'
                  : thread.anchor.type === 'task'
                    ? 'On a task'
                    : 'On the board'}
                {thread.resolved ? ' (resolved)' : ''}
              </button>
              <ItemPeers peers={props.peers} entityType="thread" entityId={thread.id} />
              <Show when={!props.readOnly}>
                <button
                  type="button"
                  class="link"
                  onClick={() =>
                    props.conn.transact((doc) =>
                      setThreadResolved(doc, thread.id, !thread.resolved),
                    )
                  }
                >
                  {thread.resolved ? 'Reopen' : 'Resolve'}
                </button>
              </Show>
            </header>
            <Show when={hidden(thread) > 0}>
              <button type="button" class="link" onClick={() => props.onSelect(thread.id)}>
                Show {hidden(thread)} more {hidden(thread) === 1 ? 'comment' : 'comments'}
              </button>
            </Show>
            <For each={shown(thread)}>
              {(comment) => (
                <CommentView
                  conn={props.conn}
                  threadId={thread.id}
                  comment={comment}
                  me={props.me}
                  name={name}
                  readOnly={props.readOnly}
                />
              )}
            </For>
            <Show when={typing(thread.id).length > 0}>
              <p class="muted typing">{typing(thread.id).join(', ')} typing…</p>
            </Show>
            <Show when={!props.readOnly && (props.selected === thread.id || list().length === 1)}>
              <Composer
                label="Reply"
                members={props.members}
                onTyping={(on) =>
                  props.presence.set({ typing: on ? { threadId: thread.id } : null })
                }
                onPost={(body, mentions) =>
                  props.conn.transact((doc) =>
                    addComment(doc, thread.id, {
                      id: newId(),
                      authorId: props.me.id,
                      body,
                      mentions,
                    }),
                  )
                }
              />
            </Show>
          </article>
        )}
      </For>
      <Show when={!props.readOnly}>
        <Composer
          label="Comment"
          members={props.members}
          onTyping={() => {}}
          onPost={(body, mentions) => {
            const id = newId()
            props.conn.transact((doc) => {
              createThread(doc, { id, anchor: props.newAnchor, createdBy: props.me.id })
              addComment(doc, id, { id: newId(), authorId: props.me.id, body, mentions })
              if (props.newAnchor.type === 'annotation')
                board(doc).annotations.get(props.newAnchor.id)?.set('threadId', id)
            })
            props.onSelect(id)
          }}
        />
      </Show>
    </section>
  )
}

function CommentView(props: {
  conn: BoardConnection
  threadId: string
  comment: Comment
  me: { id: string }
  name: (id: string) => string
  readOnly: boolean
}) {
  const [editing, setEditing] = createSignal(false)
  const mine = () => props.comment.authorId === props.me.id
  return (
    <div class="comment" data-testid={`comment-${props.comment.id}`}>
      <Show when={!props.comment.deleted} fallback={<p class="muted">This comment was deleted.</p>}>
        <p>
          <strong>{props.name(props.comment.authorId)}</strong>{' '}
          <Show
            when={!editing()}
            fallback={
              <input
                aria-label="Edit comment"
                value={props.comment.body}
                onKeyDown={(e) => {
                  if (e.key !== 'Enter') return
                  const body = e.currentTarget.value
                  props.conn.transact((doc) => {
                    const c = findComment(doc, props.threadId, props.comment.id)
                    c.set('body', body)
                    c.set('editedAt', Date.now())
                  })
                  setEditing(false)
                }}
              />
            }
          >
            {props.comment.body}
            <Show when={props.comment.editedAt}>
              <span class="muted"> (edited)</span>
            </Show>
          </Show>
        </p>
        <p class="actions">
          <For each={REACTIONS}>
            {(emoji) => {
              const users = () => Object.keys(props.comment.reactions?.[emoji] ?? {})
              return (
                <button
                  type="button"
                  class="reaction"
                  disabled={props.readOnly}
                  aria-pressed={users().includes(props.me.id)}
                  aria-label={`React ${emoji}`}
                  onClick={() =>
                    props.conn.transact((doc) =>
                      toggleReaction(doc, props.threadId, props.comment.id, emoji, props.me.id),
                    )
                  }
                >
                  {emoji} {users().length || ''}
                </button>
              )
            }}
          </For>
          <Show when={mine() && !props.readOnly}>
            <button type="button" class="link" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button
              type="button"
              class="link"
              onClick={() =>
                props.conn.transact((doc) => deleteComment(doc, props.threadId, props.comment.id))
              }
            >
              Delete
            </button>
          </Show>
        </p>
      </Show>
    </div>
  )
}

/** A comment box; typing `@` opens a picker limited to the workspace's members. */
function Composer(props: {
  label: string
  members: Member[]
  onPost: (body: string, mentions: string[]) => void
  onTyping: (on: boolean) => void
}) {
  const [body, setBody] = createSignal('')
  const [mentions, setMentions] = createSignal<string[]>([])
  const query = () => /@([\p{L}\p{N}_-]*)$/u.exec(body())?.[1]
  const matches = () => {
    const q = query()
    return q === undefined
      ? []
      : props.members.filter((m) => m.name.toLowerCase().startsWith(q.toLowerCase())).slice(0, 6)
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault()
        if (!body().trim()) return
        const used = mentions().filter((id) =>
          body().includes(`@${props.members.find((m) => m.id === id)?.name}`),
        )
        props.onPost(body().trim(), used)
        setBody('')
        setMentions([])
        props.onTyping(false)
      }}
    >
      <label>
        {props.label}
        <textarea
          value={body()}
          onInput={(e) => {
            setBody(e.currentTarget.value)
            props.onTyping(true)
            clearTimeout(timer)
            timer = setTimeout(() => props.onTyping(false), 3000)
          }}
        />
      </label>
      <Show when={matches().length > 0}>
        <ul class="mentions" role="listbox" aria-label="Mention someone">
          <For each={matches()}>
            {(member) => (
              <li>
                <button
                  type="button"
                  role="option"
                  onClick={() => {
                    setBody(body().replace(/@[\p{L}\p{N}_-]*$/u, `@${member.name} `))
                    setMentions([...new Set([...mentions(), member.id])])
                  }}
                >
                  @{member.name}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <button type="submit">Post</button>
    </form>
  )
}

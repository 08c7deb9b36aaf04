import { createEffect, createResource, createSignal, onCleanup, onMount, Show } from 'solid-js'
import type { AnnotationFields, MediaFields, ThreadAnchor } from '../../../shared/schema/board.ts'
import { CloseCode } from '../../../shared/protocol/close-codes.ts'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import type { AppContext } from '../lib/app-context.ts'
import { Activity } from '../components/Activity.tsx'
import { AvatarStack } from '../components/Avatars.tsx'
import { MediaPanel } from '../components/MediaPanel.tsx'
import { StatusPill } from '../components/StatusPill.tsx'
import { TaskBoard } from '../components/TaskBoard.tsx'
import { Threads, type Thread } from '../components/Threads.tsx'
import { api } from '../lib/api.ts'
import { makeBoardConnection } from '../lib/board.ts'
import { createLocks } from '../lib/locks.ts'
import { route } from '../lib/router.ts'
import { createPresence } from '../lib/presence.ts'
import { createYMapStore } from '../lib/yjs-store.ts'

/** A board: media with annotations, threads, tasks, presence, locks, activity; offline-first. */
export function BoardPage(props: { ctx: AppContext; boardId: string }) {
  const [info] = createResource(
    () => props.boardId,
    (id) =>
      api
        .board(id)
        .then((r) => r.board)
        .catch(() => null),
  )
  // Offline, the board row cannot be fetched: the document (from IndexedDB) still opens.
  const readOnly = () => info()?.role === 'viewer'
  const conn = makeBoardConnection(props.boardId, props.ctx.live, readOnly)
  onCleanup(() => conn.close())
  const types = boardTypes(conn.doc)
  const tasks = createYMapStore<never>(types.tasks as never)
  const threads = createYMapStore<Thread>(types.threads as never)
  const media = createYMapStore<MediaFields>(types.media as never)
  const annotations = createYMapStore<AnnotationFields>(types.annotations as never)
  const meta = createYMapStore<never>(types.meta as never) as unknown as Record<string, unknown>
  const presence = createPresence(conn.provider, props.ctx.me)
  const locks = createLocks(props.boardId, props.ctx.live)
  onCleanup(() => locks.dispose())
  const [members] = createResource(
    () => info()?.workspaceId,
    (ws) =>
      api
        .members(ws)
        .then((r) => r.members)
        .catch(() => []),
  )
  const [selectedMedia, setSelectedMedia] = createSignal<string | null>(null)
  const [selectedThread, setSelectedThread] = createSignal<string | null>(null)
  const [anchor, setAnchor] = createSignal<ThreadAnchor>({ type: 'board', id: props.boardId })
  const [following, setFollowing] = createSignal<string | null>(null)

  // A link to a thread or task (from the inbox) selects it and brings it into view.
  createEffect(() => {
    const [, , kind, id] = route()
    if (!id) return
    if (kind === 'thread') setSelectedThread(id)
    queueMicrotask(() => {
      const element = document.querySelector<HTMLElement>(`[data-testid="${kind}-${id}"]`)
      element?.scrollIntoView({ block: 'center' })
      element?.setAttribute('tabindex', '-1')
      element?.focus()
    })
  })
  createEffect(() => {
    const first = Object.keys(media)[0]
    if (!selectedMedia() && first) setSelectedMedia(first)
  })
  createEffect(() => {
    const id = selectedMedia()
    if (id) presence.set({ view: { entityType: 'media', entityId: id } })
  })
  // Follow mode: show what the followed user looks at; any input of ours ends it.
  createEffect(() => {
    const who = following()
    const peer = presence.peers().find((p) => p.user.id === who)
    const view = peer?.view
    if (view?.entityType === 'media' && media[view.entityId]) setSelectedMedia(view.entityId)
    if (view?.entityType === 'thread') setSelectedThread(view.entityId)
  })
  onMount(() => {
    const stopFollowing = (e: Event) => {
      if (following() && !(e.target as HTMLElement).closest?.('.avatars')) setFollowing(null)
    }
    const keys = (e: KeyboardEvent) => {
      const mod = e.metaKey || e.ctrlKey
      if (!mod || (e.target as HTMLElement).matches?.('input, textarea')) return
      if (e.key === 'z' && !e.shiftKey) conn.undo.undo()
      else if (e.key === 'y' || (e.key === 'z' && e.shiftKey)) conn.undo.redo()
      else return
      e.preventDefault()
    }
    window.addEventListener('pointerdown', stopFollowing, true)
    window.addEventListener('keydown', keys)
    onCleanup(() => {
      window.removeEventListener('pointerdown', stopFollowing, true)
      window.removeEventListener('keydown', keys)
    })
  })

  return (
    <section class="board">
      <header class="board-head">
        <h1>{String(meta.title ?? info()?.title ?? 'Board')}</h1>
        <AvatarStack peers={presence.peers()} following={following()} onFollow={setFollowing} />
        <StatusPill state={conn.saveState()} />
        <Show when={!readOnly()}>
          <button type="button" onClick={() => conn.undo.undo()} aria-label="Undo">
            ↶
          </button>
          <button type="button" onClick={() => conn.undo.redo()} aria-label="Redo">
            ↷
          </button>
        </Show>
        <label class="toggle">
          <input
            type="checkbox"
            checked={presence.shareCursor()}
            onChange={(e) => presence.setShareCursor(e.currentTarget.checked)}
          />{' '}
          Share my cursor
        </label>
        <label class="toggle">
          <input
            type="checkbox"
            checked={presence.showCursors()}
            onChange={(e) => presence.setShowCursors(e.currentTarget.checked)}
          />{' '}
          Show cursors
        </label>
      </header>
      <Show when={conn.refused()}>
        <p role="alert" class="error">
          {conn.refused() === CloseCode.forbidden
            ? 'You are no longer a member of this workspace.'
            : conn.refused() === CloseCode.notFound
              ? 'This board no longer exists.'
              : 'The server refused this board.'}
        </p>
      </Show>
      <Show when={readOnly()}>
        <p class="muted">You can view this board; only editors can change it.</p>
      </Show>
      <div class="board-grid">
        <MediaPanel
          conn={conn}
          boardId={props.boardId}
          media={media}
          annotations={annotations}
          me={props.ctx.me}
          readOnly={readOnly()}
          presence={presence}
          peers={presence.peers()}
          selectedMedia={selectedMedia()}
          locks={locks}
          onSelectMedia={setSelectedMedia}
          onSelectAnnotation={(a) => {
            setAnchor({
              type: 'annotation',
              id: a.id,
              ...(a.timeMs !== undefined ? { timeMs: a.timeMs } : {}),
            })
            const video = document.querySelector<HTMLVideoElement>('.stage video')
            if (video && a.timeMs !== undefined) video.currentTime = a.timeMs / 1000
            if (a.threadId) setSelectedThread(a.threadId)
            presence.set({ view: { entityType: 'annotation', entityId: a.id } })
          }}
        />
        <Threads
          conn={conn}
          threads={threads}
          members={members() ?? []}
          me={props.ctx.me}
          readOnly={readOnly()}
          presence={presence}
          peers={presence.peers()}
          selected={selectedThread()}
          onSelect={(id) => {
            setSelectedThread(id)
            if (id) presence.set({ view: { entityType: 'thread', entityId: id } })
          }}
          newAnchor={anchor()}
        />
        <TaskBoard
          conn={conn}
          tasks={tasks}
          me={props.ctx.me}
          members={members() ?? []}
          readOnly={readOnly()}
          locks={locks}
          presence={presence}
          peers={presence.peers()}
        />
        <Activity live={props.ctx.live} boardId={props.boardId} />
      </div>
    </section>
  )
}

import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import { createEffect, createSignal, Match, onCleanup, onMount, Show, Switch } from 'solid-js'
import Check from 'lucide-solid/icons/check'
import Kanban from 'lucide-solid/icons/kanban'
import Redo from 'lucide-solid/icons/redo-2'
import SlidersHorizontal from 'lucide-solid/icons/sliders-horizontal'
import Undo from 'lucide-solid/icons/undo-2'
import Image from 'lucide-solid/icons/image'
import { CloseCode } from '../../../shared/protocol/close-codes.ts'
import type { AppContext } from '../lib/app-context.ts'
import { BoardContext, createBoardStore } from '../lib/board-store.ts'
import { current, href, navigate } from '../lib/router.ts'
import { createShortcuts, letter, MOD, symbol } from '../lib/shortcuts.ts'
import { AvatarStack } from '../components/Avatars.tsx'
import { StatusPill } from '../components/StatusPill.tsx'
import { ExportMenu } from '../components/board/ExportMenu.tsx'
import { ReviewView } from '../components/board/ReviewView.tsx'
import { VersionView } from '../components/history/VersionView.tsx'
import { requestSearchFocus } from '../components/search/search-focus.ts'
import { TaskBoard } from '../components/TaskBoard.tsx'
import { PageHeader } from '../components/shell/PageHeader.tsx'
import { ShareButton } from '../components/shell/ShareDialog.tsx'
import { IconButton } from '../components/ui/Tooltip.tsx'
import { showToast } from '../components/ui/toast.tsx'

/** A board: review (media strip, viewer, panels) or tasks; presence, locks; offline-first. */
export default function BoardPage(props: {
  ctx: AppContext
  boardId: string
  setTitle: (title: string) => void
}) {
  const board = createBoardStore(props.ctx, props.boardId)
  const { conn, presence } = board
  createEffect(() => props.setTitle(board.title()))
  const workspace = () => props.ctx.workspaces().find((w) => w.id === board.info()?.workspaceId)

  // Follow mode: show what the followed user looks at; any input of ours ends it.
  const [following, setFollowing] = createSignal<string | null>(null)
  createEffect(() => {
    const who = following()
    const peer = presence.peers().find((p) => p.user.id === who)
    const view = peer?.view
    if (view?.entityType === 'media' && board.media[view.entityId]) board.selectMedia(view.entityId)
    if (view?.entityType === 'thread') board.selectThread(view.entityId)
  })
  onMount(() => {
    const stopFollowing = (e: Event) => {
      if (following() && !(e.target as HTMLElement).closest?.('.avatars')) setFollowing(null)
    }
    window.addEventListener('pointerdown', stopFollowing, true)
    onCleanup(() => window.removeEventListener('pointerdown', stopFollowing, true))
  })

  // Refusals and storage trouble are said once, as a toast, besides the pill.
  createEffect(() => {
    if (conn.saveState() === 'server-cannot-save')
      showToast(
        'error',
        'The server cannot save right now',
        'Your changes are kept on this device and will be sent when it recovers.',
      )
  })
  const stopLockErrors = props.ctx.live.onMessage((message) => {
    if (message.type === 'error' && message.error.code === 'locked')
      showToast(
        'error',
        'That is being edited',
        `${String((message.error as { holder?: { name?: string } }).holder?.name ?? 'Someone')} holds the lock; your change was undone.`,
      )
    if (message.type === 'error' && message.error.code === 'forbidden')
      showToast('error', 'Permission denied', 'Your role does not allow that change.')
  })
  onCleanup(stopLockErrors)

  const versionShown = () => {
    const r = current()
    return r.page === 'board' && r.boardId === props.boardId ? r.version : null
  }
  const undo = () => conn.undo.undo()
  const redo = () => conn.undo.redo()
  createShortcuts([
    {
      keys: [MOD, 'Z'],
      description: 'Undo',
      group: 'Editing',
      match: letter('z', { mod: true }),
      run: undo,
    },
    {
      keys: [MOD, 'Shift', 'Z'],
      description: 'Redo',
      group: 'Editing',
      match: (e) => letter('z', { mod: true, shift: true })(e) || letter('y', { mod: true })(e),
      run: redo,
    },
    {
      keys: ['/'],
      description: `Search (also ${MOD}+K)`,
      group: 'Navigation',
      match: (e) => symbol('/')(e) || letter('k', { mod: true })(e),
      run: () => {
        if (board.view() === 'review') board.selectPanel('search')
        else location.hash = href(['b', props.boardId], { panel: 'search' })
        requestSearchFocus()
      },
    },
    {
      keys: ['T'],
      description: 'Switch between review and tasks',
      group: 'Navigation',
      match: letter('t'),
      run: () =>
        board.view() === 'tasks'
          ? navigate('b', props.boardId)
          : navigate('b', props.boardId, 'tasks'),
    },
  ])

  return (
    <BoardContext.Provider value={board}>
      <div class="board-page">
        <PageHeader
          ctx={props.ctx}
          crumbs={[
            // A guest reaches this board only: no workspace to go back to.
            props.ctx.guest
              ? { label: 'Shared with you' }
              : {
                  label: workspace()?.name ?? 'Workspace',
                  href: board.info() ? `#/w/${board.info()?.workspaceId}` : '#/',
                },
            { label: board.title() },
          ]}
        >
          <nav class="view-switch" aria-label="Board views">
            <a
              href={href(
                [
                  'b',
                  props.boardId,
                  ...(board.selectedMedia() ? ['media', board.selectedMedia() as string] : []),
                ],
                { version: versionShown() },
              )}
              class="view-tab"
              aria-current={board.view() === 'review' ? 'page' : undefined}
            >
              <Image size={16} aria-hidden="true" />
              <span class="button-label">Review</span>
            </a>
            <a
              href={href(['b', props.boardId, 'tasks'], { version: versionShown() })}
              class="view-tab"
              aria-current={board.view() === 'tasks' ? 'page' : undefined}
            >
              <Kanban size={16} aria-hidden="true" />
              <span class="button-label">Tasks</span>
            </a>
          </nav>
          <AvatarStack peers={presence.peers()} following={following()} onFollow={setFollowing} />
          <StatusPill state={conn.saveState()} />
          <Show when={!board.readOnly()}>
            <IconButton label="Undo" shortcut={`${MOD}+Z`} onClick={undo} class="hide-narrow">
              <Undo size={18} />
            </IconButton>
            <IconButton label="Redo" shortcut={`${MOD}+Shift+Z`} onClick={redo} class="hide-narrow">
              <Redo size={18} />
            </IconButton>
          </Show>
          <ExportMenu boardId={props.boardId} />
          <DropdownMenu>
            <DropdownMenu.Trigger class="icon-button" aria-label="Presence settings">
              <SlidersHorizontal size={18} />
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content class="menu">
                <DropdownMenu.CheckboxItem
                  class="menu-item"
                  checked={presence.shareCursor()}
                  onChange={presence.setShareCursor}
                >
                  <DropdownMenu.ItemIndicator class="menu-check">
                    <Check size={14} />
                  </DropdownMenu.ItemIndicator>
                  Share my cursor
                </DropdownMenu.CheckboxItem>
                <DropdownMenu.CheckboxItem
                  class="menu-item"
                  checked={presence.showCursors()}
                  onChange={presence.setShowCursors}
                >
                  <DropdownMenu.ItemIndicator class="menu-check">
                    <Check size={14} />
                  </DropdownMenu.ItemIndicator>
                  Show others' cursors
                </DropdownMenu.CheckboxItem>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu>
          <Show when={workspace()?.role === 'owner' && props.ctx.auth}>
            <ShareButton
              workspaceId={workspace()?.id ?? ''}
              workspaceName={workspace()?.name ?? ''}
              boardId={props.boardId}
            />
          </Show>
        </PageHeader>
        <Show when={conn.refused()}>
          <p role="alert" class="banner danger">
            {conn.refused() === CloseCode.forbidden
              ? 'You no longer have access to this board.'
              : conn.refused() === CloseCode.notFound
                ? 'This board no longer exists.'
                : 'The server refused this board.'}
          </p>
        </Show>
        <Show when={board.readOnly()}>
          <p class="banner">You can view this board; only editors can change it.</p>
        </Show>
        {/* A past version (?version=) shows the same views, read-only, from its own copy. */}
        <Show when={versionShown()} keyed fallback={<BoardViews view={board.view()} />}>
          {(versionId) => (
            <VersionView versionId={versionId}>
              <BoardViews view={board.view()} />
            </VersionView>
          )}
        </Show>
      </div>
    </BoardContext.Provider>
  )
}

function BoardViews(props: { view: 'review' | 'tasks' }) {
  return (
    <Switch>
      <Match when={props.view === 'tasks'}>
        <TaskBoard />
      </Match>
      <Match when={props.view === 'review'}>
        <ReviewView />
      </Match>
    </Switch>
  )
}

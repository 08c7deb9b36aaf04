/**
 * The left sidebar: inbox, workspaces with their boards (each collapsible), the status page
 * for owners, and who I am (theme, shortcuts, sign out). Collapses to icons; on narrow
 * screens the same content opens as a drawer (NavDrawer).
 */
import { Dialog } from '@kobalte/core/dialog'
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js'
import ChevronRight from 'lucide-solid/icons/chevron-right'
import Gauge from 'lucide-solid/icons/gauge'
import House from 'lucide-solid/icons/house'
import InboxIcon from 'lucide-solid/icons/inbox'
import LayoutDashboard from 'lucide-solid/icons/layout-dashboard'
import PanelLeftClose from 'lucide-solid/icons/panel-left-close'
import PanelLeftOpen from 'lucide-solid/icons/panel-left-open'
import X from 'lucide-solid/icons/x'
import { api, type Workspace } from '../../lib/api.ts'
import type { AppContext } from '../../lib/app-context.ts'
import { remembered, withMemory } from '../../lib/cache.ts'
import { current } from '../../lib/router.ts'
import { Logo } from './Logo.tsx'
import { UserMenu } from './UserMenu.tsx'

export function Sidebar(props: {
  ctx: AppContext
  collapsed: boolean
  onToggle: () => void
  onShortcuts: () => void
}) {
  return (
    <aside class="sidebar" aria-label="Sidebar">
      <div class="sidebar-head">
        <a href="#/" class="brand" aria-label="Loupe home">
          <Logo />
          <span class="brand-name">Loupe</span>
        </a>
        <button
          type="button"
          class="icon-button ghost collapse-toggle"
          aria-label={props.collapsed ? 'Expand sidebar' : 'Collapse sidebar'}
          aria-expanded={!props.collapsed}
          onClick={() => props.onToggle()}
        >
          {props.collapsed ? <PanelLeftOpen size={18} /> : <PanelLeftClose size={18} />}
        </button>
      </div>
      <NavContent ctx={props.ctx} onShortcuts={props.onShortcuts} />
    </aside>
  )
}

/** The sidebar as a modal drawer, for phones and narrow windows. */
export function NavDrawer(props: {
  ctx: AppContext
  open: boolean
  onOpenChange: (open: boolean) => void
  onShortcuts: () => void
}) {
  return (
    <Dialog open={props.open} onOpenChange={props.onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay class="scrim" />
        <Dialog.Content
          class="drawer"
          onClick={(e: MouseEvent) =>
            (e.target as HTMLElement).closest('a') && props.onOpenChange(false)
          }
        >
          <div class="sidebar-head">
            <Dialog.Title class="brand">
              <Logo />
              <span class="brand-name">Loupe</span>
            </Dialog.Title>
            <Dialog.CloseButton class="icon-button ghost" aria-label="Close navigation">
              <X size={18} />
            </Dialog.CloseButton>
          </div>
          <NavContent ctx={props.ctx} onShortcuts={props.onShortcuts} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog>
  )
}

function NavContent(props: { ctx: AppContext; onShortcuts: () => void }) {
  const page = () => current().page
  return (
    <>
      <nav class="nav" aria-label="Main">
        <a
          href="#/"
          class="nav-item"
          title="Workspaces"
          aria-current={page() === 'home' ? 'page' : undefined}
        >
          <House size={18} aria-hidden="true" />
          <span class="nav-label">Workspaces</span>
        </a>
        <a
          href="#/inbox"
          class="nav-item"
          title="Inbox"
          aria-current={page() === 'inbox' ? 'page' : undefined}
        >
          <InboxIcon size={18} aria-hidden="true" />
          <span class="nav-label">Inbox</span>
          <Show when={props.ctx.inbox.unread() > 0}>
            <span
              class="badge"
              data-testid="unread"
              aria-label={`${props.ctx.inbox.unread()} unread`}
            >
              {props.ctx.inbox.unread()}
            </span>
          </Show>
        </a>
        <Show when={props.ctx.isOwner()}>
          <a
            href="#/system"
            class="nav-item"
            title="System status"
            aria-current={page() === 'system' ? 'page' : undefined}
          >
            <Gauge size={18} aria-hidden="true" />
            <span class="nav-label">System status</span>
          </a>
        </Show>
      </nav>
      <Show when={props.ctx.guest}>
        {(guest) => (
          <div class="nav-section">
            <p class="nav-heading" id="nav-shared">
              Shared with you
            </p>
            <a
              href={`#/b/${guest().boardId}`}
              class="nav-item board-link"
              aria-current={current().page === 'board' ? 'page' : undefined}
            >
              <LayoutDashboard size={16} aria-hidden="true" />
              <span class="nav-label">
                {remembered<{ title?: string }>(`loupe-board-info-${guest().boardId}`)?.title ??
                  'Shared board'}
              </span>
            </a>
          </div>
        )}
      </Show>
      <div class="nav-section">
        <p class="nav-heading" id="nav-workspaces">
          Workspaces
        </p>
        <ul class="nav-tree" aria-labelledby="nav-workspaces">
          <For each={props.ctx.workspaces()}>
            {(workspace) => <WorkspaceBranch ctx={props.ctx} workspace={workspace} />}
          </For>
        </ul>
      </div>
      <UserMenu ctx={props.ctx} onShortcuts={props.onShortcuts} />
    </>
  )
}

/** One workspace and its boards, refreshed when the workspace's stream says boards changed. */
function WorkspaceBranch(props: { ctx: AppContext; workspace: Workspace }) {
  const key = `loupe-sidebar-${props.workspace.id}`
  const [open, setOpen] = createSignal(localStorage.getItem(key) !== 'closed')
  const [boards, { refetch }] = createResource(
    () => props.workspace.id,
    (id) => withMemory(`loupe-boards-${id}`, () => api.boards(id).then((r) => r.boards)),
  )
  const stop = props.ctx.live.subscribe(`workspace:${props.workspace.id}`, ({ event }) => {
    if (event.type.startsWith('board.')) void refetch()
  })
  onCleanup(stop)
  const active = () => {
    const r = current()
    return r.page === 'board' ? r.boardId : r.page === 'workspace' ? r.workspaceId : null
  }
  return (
    <li>
      <div class="nav-branch">
        <button
          type="button"
          class="icon-button ghost tiny"
          aria-expanded={open()}
          aria-label={`${open() ? 'Hide' : 'Show'} boards of ${props.workspace.name}`}
          onClick={() => {
            localStorage.setItem(key, open() ? 'closed' : 'open')
            setOpen(!open())
          }}
        >
          <ChevronRight size={14} class={open() ? 'rotate-90' : ''} />
        </button>
        <a
          href={`#/w/${props.workspace.id}`}
          class="nav-item"
          title={props.workspace.name}
          aria-current={active() === props.workspace.id ? 'page' : undefined}
        >
          <span class="ws-initial" aria-hidden="true">
            {props.workspace.name.slice(0, 1).toUpperCase()}
          </span>
          <span class="nav-label">{props.workspace.name}</span>
        </a>
      </div>
      <Show when={open()}>
        <ul class="nav-boards">
          <For each={boards() ?? []}>
            {(board) => (
              <li>
                <a
                  href={`#/b/${board.id}`}
                  class="nav-item board-link"
                  aria-current={active() === board.id ? 'page' : undefined}
                >
                  <LayoutDashboard size={16} aria-hidden="true" />
                  <span class="nav-label">{board.title}</span>
                </a>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </li>
  )
}

import {
  createResource,
  createSignal,
  lazy,
  Match,
  onCleanup,
  Show,
  Suspense,
  Switch,
} from 'solid-js'
import { api, ApiError, refresh } from './lib/api.ts'
import type { AppContext } from './lib/app-context.ts'
import { createTabAttention } from './lib/attention.ts'
import { remember, remembered } from './lib/cache.ts'
import { boardChosen, readFirstScreenOnLinks, taskViewBoard } from './lib/board-chosen.ts'
import { createInbox } from './lib/inbox.ts'
import { makeLive } from './lib/live.ts'
import { adoptPath, current, navigate, parseRoute } from './lib/router.ts'
import { createShortcuts, letter, MOD, symbol } from './lib/shortcuts.ts'
import { Sidebar, NavDrawer } from './components/shell/Sidebar.tsx'
import { ShortcutsDialog } from './components/shell/ShortcutsDialog.tsx'
import { Skeleton } from './components/ui/EmptyState.tsx'
import { Toaster } from './components/ui/toast.tsx'
import { Home } from './pages/Home.tsx'
import { Inbox } from './pages/Inbox.tsx'
import { Invite, LinkJoin, SignIn } from './pages/SignIn.tsx'
import { WorkspacePage } from './pages/Workspace.tsx'

// A board brings Yjs, the sockets and the viewer: loaded when a board is opened, not before —
// but a page opened on a board starts fetching that code at once, beside signing in.
const loadBoard = () => import('./pages/Board.tsx')
const opening = parseRoute(location.hash)
if (opening.page === 'board') {
  void loadBoard()
  const tasks = opening.view === 'tasks' && !opening.version
  void import('./lib/board-preload.ts').then((m) => m.preloadBoard(opening.boardId, tasks))
}
/** The board the page was loaded on, until its page is made. */
let preloaded = opening.page === 'board' ? opening.boardId : null
const BoardPage = lazy(loadBoard)
const SystemPage = lazy(() => import('./pages/System.tsx'))

type Me = Awaited<ReturnType<typeof api.me>>

/**
 * The shell: find out whether this server has accounts, get a session (from the refresh
 * cookie) if it does, then show the page the hash names.
 */
export function App() {
  adoptPath()
  // Offline, the last known mode and user stand in (the app shell and boards work offline).
  const [mode] = createResource(async () => {
    const caps = await api
      .capabilities()
      .catch(() => remembered<{ auth: 'token' | 'off' }>('loupe-mode'))
    if (!caps) return 'off'
    remember('loupe-mode', caps)
    if (caps.auth === 'token') await refresh()
    return caps.auth
  })
  const [me, { refetch }] = createResource(
    () => mode(),
    async () => {
      try {
        const data = await api.me()
        remember('loupe-me', data)
        return data
      } catch (error) {
        return error instanceof ApiError ? null : remembered<Me>('loupe-me')
      }
    },
  )
  return (
    <>
      <Show
        when={!mode.loading && !me.loading}
        fallback={
          <div class="boot" aria-busy="true">
            <Skeleton lines={4} />
          </div>
        }
      >
        <Show when={me()} fallback={<SignIn onSignedIn={() => void refetch()} />}>
          {(data) => (
            <SignedIn data={data()} reload={() => void refetch()} auth={mode() === 'token'} />
          )}
        </Show>
      </Show>
      <Toaster />
    </>
  )
}

function SignedIn(props: { data: Me; reload: () => void; auth: boolean }) {
  const [connected, setConnected] = createSignal(false)
  const live = makeLive(setConnected)
  onCleanup(() => live.close())
  const inbox = createInbox(live)
  const [navOpen, setNavOpen] = createSignal(false)
  const [shortcutsOpen, setShortcutsOpen] = createSignal(false)
  const [collapsed, setCollapsed] = createSignal(localStorage.getItem('loupe-sidebar') === 'closed')
  const toggleSidebar = () => {
    localStorage.setItem('loupe-sidebar', collapsed() ? 'open' : 'closed')
    setCollapsed(!collapsed())
  }
  const ctx: AppContext = {
    me: props.data.user,
    workspaces: () => props.data.workspaces,
    reloadMe: props.reload,
    live,
    auth: props.auth,
    inbox,
    connected,
    isOwner: () => !props.auth || props.data.workspaces.some((w) => w.role === 'owner'),
    openNav: () => setNavOpen(true),
    guest: props.data.guest ?? null,
  }
  // A link to a board's task view, pointed at, pressed or focused, starts reading the first
  // screen saved on this device, so the board page can show it in its first render.
  onCleanup(readFirstScreenOnLinks(ctx.me.id))
  const [pageName, setPageName] = createSignal('')
  const workspaceId = () => {
    const r = current()
    return r.page === 'workspace' ? r.workspaceId : null
  }
  const boardId = () => {
    const r = current()
    return r.page === 'board' ? r.boardId : null
  }
  const linkToken = () => {
    const r = current()
    return r.page === 'link' ? r.token : null
  }
  createTabAttention(inbox.unread, pageName)
  createShortcuts([
    {
      keys: ['?'],
      description: 'Show keyboard shortcuts',
      group: 'General',
      match: symbol('?'),
      run: () => setShortcutsOpen(true),
    },
    {
      keys: [MOD, '\\'],
      description: 'Collapse or expand the sidebar',
      group: 'Navigation',
      match: (e) => e.key === '\\' && (e.metaKey || e.ctrlKey),
      run: toggleSidebar,
    },
    {
      keys: ['G', 'I'],
      description: 'Go to the inbox (Shift+I)',
      group: 'Navigation',
      match: letter('i', { shift: true }),
      run: () => navigate('inbox'),
    },
  ])
  return (
    <div class="app" classList={{ 'sidebar-collapsed': collapsed() }}>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <Sidebar
        ctx={ctx}
        collapsed={collapsed()}
        onToggle={toggleSidebar}
        onShortcuts={() => setShortcutsOpen(true)}
      />
      <NavDrawer
        ctx={ctx}
        open={navOpen()}
        onOpenChange={setNavOpen}
        onShortcuts={() => setShortcutsOpen(true)}
      />
      <main id="main" tabIndex={-1} class="main">
        <Suspense
          fallback={
            <div class="page">
              <Skeleton lines={6} />
            </div>
          }
        >
          <Switch fallback={<Home ctx={ctx} setTitle={setPageName} />}>
            {/* Keyed: another workspace or board is a new page (its own connection). */}
            <Match when={workspaceId()} keyed>
              {(id) => <WorkspacePage ctx={ctx} workspaceId={id} setTitle={setPageName} />}
            </Match>
            <Match when={boardId()} keyed>
              {(id) => {
                // Chosen in the app: its first screen is read now, beside the board's code.
                // (The board the page was loaded on is being read already: main.tsx.)
                if (id === preloaded) preloaded = null
                else if (taskViewBoard(location.hash) === id) boardChosen(id, ctx.me.id)
                return <BoardPage ctx={ctx} boardId={id} setTitle={setPageName} />
              }}
            </Match>
            <Match when={current().page === 'inbox'}>
              <Inbox ctx={ctx} setTitle={setPageName} />
            </Match>
            <Match when={linkToken()} keyed>
              {(token) => (
                <section class="page narrow-page">
                  <LinkJoin token={token} onDone={props.reload} />
                </section>
              )}
            </Match>
            <Match when={current().page === 'system'}>
              <SystemPage ctx={ctx} setTitle={setPageName} />
            </Match>
            <Match
              when={(() => {
                const r = current()
                return r.page === 'invite' ? r.code : null
              })()}
            >
              {(code) => (
                <Invite
                  code={code()}
                  signedIn
                  onDone={() => {
                    props.reload()
                    navigate()
                  }}
                />
              )}
            </Match>
          </Switch>
        </Suspense>
      </main>
      <ShortcutsDialog open={shortcutsOpen()} onOpenChange={setShortcutsOpen} />
    </div>
  )
}

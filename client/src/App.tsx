import { createResource, createSignal, Match, onCleanup, Show, Switch, type JSX } from 'solid-js'
import { api, ApiError, refresh, type User, type Workspace } from './lib/api.ts'
import type { AppContext } from './lib/app-context.ts'
import { makeLive } from './lib/live.ts'
import { adoptPath, navigate, route } from './lib/router.ts'
import { BoardPage } from './pages/Board.tsx'
import { Home } from './pages/Home.tsx'
import { Inbox, createInbox } from './pages/Inbox.tsx'
import { Invite, SignIn } from './pages/SignIn.tsx'
import { WorkspacePage } from './pages/Workspace.tsx'

function remember(key: string, value: unknown): void {
  localStorage.setItem(key, JSON.stringify(value))
}

function remembered<T>(key: string): T | null {
  const raw = localStorage.getItem(key)
  return raw ? (JSON.parse(raw) as T) : null
}

/**
 * The shell: find out whether this server has accounts, get a session (from the refresh
 * cookie) if it does, then show the page the hash names.
 */
export function App(): JSX.Element {
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
        return error instanceof ApiError
          ? null
          : remembered<Awaited<ReturnType<typeof api.me>>>('loupe-me')
      }
    },
  )
  return (
    <Show when={!mode.loading && !me.loading} fallback={<p class="loading">Loading…</p>}>
      <Show when={me()} fallback={<SignIn onSignedIn={() => void refetch()} />}>
        {(data) => (
          <SignedIn
            me={data().user}
            workspaces={data().workspaces}
            reload={() => void refetch()}
            auth={mode() === 'token'}
          />
        )}
      </Show>
    </Show>
  )
}

function SignedIn(props: { me: User; workspaces: Workspace[]; reload: () => void; auth: boolean }) {
  const [connected, setConnected] = createSignal(false)
  const live = makeLive(setConnected)
  onCleanup(() => live.close())
  const inbox = createInbox(live)
  const ctx: AppContext = {
    me: props.me,
    workspaces: () => props.workspaces,
    reloadMe: props.reload,
    live,
    auth: props.auth,
  }
  return (
    <div class="app">
      <header class="topbar">
        <a href="#/" class="brand">
          Loupe
        </a>
        <nav aria-label="Main">
          <a href="#/inbox">
            Inbox{' '}
            <Show when={inbox.unread() > 0}>
              <span class="badge" data-testid="unread" aria-label={`${inbox.unread()} unread`}>
                {inbox.unread()}
              </span>
            </Show>
          </a>
        </nav>
        <span class="me">
          <span class="dot" style={{ background: props.me.color }} /> {props.me.name}
          <span
            class={connected() ? 'live on' : 'live'}
            title={connected() ? 'live' : 'reconnecting'}
          />
        </span>
        <Show when={props.auth}>
          <button
            type="button"
            class="link"
            onClick={() => void api.logout().then(() => location.reload())}
          >
            Sign out
          </button>
        </Show>
      </header>
      <main>
        <Switch fallback={<Home ctx={ctx} />}>
          <Match when={route()[0] === 'w' && route()[1]}>
            {(id) => <WorkspacePage ctx={ctx} workspaceId={id()} />}
          </Match>
          <Match when={route()[0] === 'b' && route()[1]}>
            {(id) => <BoardPage ctx={ctx} boardId={id()} />}
          </Match>
          <Match when={route()[0] === 'inbox'}>
            <Inbox inbox={inbox} />
          </Match>
          <Match when={route()[0] === 'invite' && route()[1]}>
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
      </main>
    </div>
  )
}

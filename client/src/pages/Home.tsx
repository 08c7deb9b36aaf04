import { createSignal, For, onMount, Show } from 'solid-js'
import FolderIcon from 'lucide-solid/icons/folder'
import Plus from 'lucide-solid/icons/plus'
import type { AppContext } from '../lib/app-context.ts'
import { api } from '../lib/api.ts'
import { navigate } from '../lib/router.ts'
import { PageHeader } from '../components/shell/PageHeader.tsx'
import { EmptyState } from '../components/ui/EmptyState.tsx'
import { showToast } from '../components/ui/toast.tsx'

/** Workspaces of the signed-in user, and a way to make one. */
export function Home(props: { ctx: AppContext; setTitle: (title: string) => void }) {
  onMount(() => props.setTitle('Workspaces'))
  const [busy, setBusy] = createSignal(false)
  return (
    <>
      <PageHeader ctx={props.ctx} crumbs={[{ label: 'Workspaces' }]} />
      <section class="page">
        <h1 class="page-title">Workspaces</h1>
        <Show when={props.ctx.guest}>
          {(guest) => (
            <a href={`#/b/${guest().boardId}`} class="card card-link guest-card">
              <span class="card-title">Open the board shared with you</span>
              <span class="chip">{guest().role === 'reviewer' ? 'comment only' : 'view only'}</span>
            </a>
          )}
        </Show>
        <Show
          when={props.ctx.workspaces().length > 0}
          fallback={
            !props.ctx.guest && (
              <EmptyState icon={<FolderIcon size={28} />} title="No workspaces yet">
                A workspace holds your team's boards. Make the first one below.
              </EmptyState>
            )
          }
        >
          <ul class="card-grid">
            <For each={props.ctx.workspaces()}>
              {(w) => (
                <li>
                  <a href={`#/w/${w.id}`} class="card card-link">
                    <span class="ws-initial large" aria-hidden="true">
                      {w.name.slice(0, 1).toUpperCase()}
                    </span>
                    <span class="card-title">{w.name}</span>
                    <span class="chip">{w.role}</span>
                  </a>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={!props.ctx.guest}>
          <form
            class="inline-form"
            onSubmit={async (event) => {
              event.preventDefault()
              const input = event.currentTarget.elements.namedItem('name') as HTMLInputElement
              setBusy(true)
              try {
                const { workspace } = await api.createWorkspace(input.value)
                input.value = ''
                props.ctx.reloadMe()
                navigate('w', workspace.id)
              } catch (e) {
                showToast('error', 'Could not create the workspace', (e as Error).message)
              } finally {
                setBusy(false)
              }
            }}
          >
            <label class="field">
              <span class="field-label">New workspace</span>
              <input
                name="name"
                required
                maxLength={100}
                class="input"
                placeholder="Studio, Family…"
              />
            </label>
            <button type="submit" class="button primary" disabled={busy()}>
              <Plus size={16} aria-hidden="true" /> Create workspace
            </button>
          </form>
        </Show>
        <Show when={!props.ctx.auth}>
          <p class="muted">Home mode: no accounts, everyone here is the owner.</p>
        </Show>
      </section>
    </>
  )
}

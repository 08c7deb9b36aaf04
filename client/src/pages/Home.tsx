import { For, Show } from 'solid-js'
import type { AppContext } from '../lib/app-context.ts'
import { api } from '../lib/api.ts'
import { navigate } from '../lib/router.ts'

/** Workspaces of the signed-in user, and a way to make one. */
export function Home(props: { ctx: AppContext }) {
  return (
    <section class="page">
      <h1>Workspaces</h1>
      <ul class="list">
        <For each={props.ctx.workspaces()} fallback={<li>No workspaces yet.</li>}>
          {(w) => (
            <li>
              <a href={`#/w/${w.id}`}>{w.name}</a> <span class="muted">{w.role}</span>
            </li>
          )}
        </For>
      </ul>
      <form
        class="inline"
        onSubmit={async (event) => {
          event.preventDefault()
          const input = event.currentTarget.elements.namedItem('name') as HTMLInputElement
          const { workspace } = await api.createWorkspace(input.value)
          input.value = ''
          props.ctx.reloadMe()
          navigate('w', workspace.id)
        }}
      >
        <label>
          New workspace <input name="name" required maxLength={100} />
        </label>
        <button type="submit">Create workspace</button>
      </form>
      <Show when={!props.ctx.auth}>
        <p class="muted">Home mode: no accounts, everyone here is the owner.</p>
      </Show>
    </section>
  )
}

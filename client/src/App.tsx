import { createResource, For, Show } from 'solid-js'

interface Workspace {
  id: string
  name: string
  role: string
}

async function fetchMe(): Promise<{ user: { name: string }; workspaces: Workspace[] } | null> {
  const response = await fetch('/api/me')
  return response.ok ? response.json() : null
}

/**
 * A placeholder until the full web client lands: shows who the server thinks you are and
 * your workspaces, so a fresh `npm start` proves the whole path works.
 */
export function App() {
  const [me] = createResource(fetchMe)
  return (
    <main
      style={{ 'font-family': 'system-ui, sans-serif', margin: '2rem auto', 'max-width': '40rem' }}
    >
      <h1>Loupe</h1>
      <p>
        Review things together: annotations, comment threads and a task board, live and offline.
      </p>
      <Show when={me()} fallback={<p>Not signed in.</p>}>
        {(data) => (
          <>
            <p>Signed in as {data().user.name}.</p>
            <h2>Workspaces</h2>
            <ul>
              <For each={data().workspaces} fallback={<li>No workspaces yet.</li>}>
                {(w) => (
                  <li>
                    {w.name} ({w.role})
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
    </main>
  )
}

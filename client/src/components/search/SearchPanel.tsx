/**
 * Search (a panel of the registry; `/` or Ctrl/⌘+K): board titles, task titles and text,
 * comments and media names, on this board or on every board of the workspace (GET /api/search:
 * the server's index of committed text, best match first). An ARIA combobox: focus stays in
 * the field, the arrows move through the results, Enter opens one — the thread, the task, the
 * media item. Offline, this board is searched on the device instead. The query is in the URL.
 */
import {
  createEffect,
  createResource,
  createSignal,
  For,
  Match,
  on,
  onCleanup,
  onMount,
  Show,
  Switch,
} from 'solid-js'
import SearchIcon from 'lucide-solid/icons/search'
import type { SearchResult } from '../../../../shared/api.ts'
import { api } from '../../lib/api.ts'
import { useBoard } from '../../lib/board-store.ts'
import { entityHref } from '../../lib/entity-links.ts'
import { currentQuery, replaceQuery } from '../../lib/router.ts'
import { MOD } from '../../lib/shortcuts.ts'
import { EmptyState } from '../ui/EmptyState.tsx'
import { searchHere } from './local-search.ts'
import { searchRequests } from './search-focus.ts'
import '../../styles/search.css'

type Scope = 'board' | 'workspace'

const kinds: Record<string, string> = {
  board: 'Board',
  task: 'Task',
  thread: 'Comment',
  media: 'Media',
  annotation: 'Mark',
}

/** What matched, in words: "Task description", "Comment", "Media (version 2)". */
function fieldWords(result: SearchResult): string {
  const kind = kinds[result.entityType] ?? result.entityType
  if (result.field === 'description') return `${kind} description`
  if (result.field.startsWith('version:')) return `${kind} (version ${result.field.slice(8)})`
  return kind
}

export function SearchPanel() {
  const board = useBoard()
  let input!: HTMLInputElement
  const [q, setQ] = createSignal(currentQuery().get('q') ?? '')
  const [scope, setScope] = createSignal<Scope>(
    currentQuery().get('in') === 'workspace' ? 'workspace' : 'board',
  )
  const [results, setResults] = createSignal<SearchResult[] | null>(null)
  const [offline, setOffline] = createSignal(false)
  const [active, setActive] = createSignal(0)
  const workspaceId = () => board.info()?.workspaceId
  // Board titles for results from other boards.
  const [boards] = createResource(
    () => (scope() === 'workspace' ? workspaceId() : undefined),
    (id) => api.boards(id).then((r) => new Map(r.boards.map((b) => [b.id, b.title]))),
  )
  let asked = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  onCleanup(() => clearTimeout(timer))
  const run = async (text: string, where: Scope) => {
    const ask = ++asked
    const here = () => searchHere(board, board.boardId, text)
    const ws = workspaceId()
    let found: SearchResult[]
    let fromDevice = false
    if (!navigator.onLine || !ws) {
      ;[found, fromDevice] = [here(), true]
    } else {
      try {
        found = (await api.search(text, ws, where === 'board' ? board.boardId : undefined)).results
      } catch {
        ;[found, fromDevice] = [here(), true]
      }
    }
    if (ask !== asked) return // a later query answered first
    setResults(found)
    setOffline(fromDevice)
    setActive(0)
  }
  createEffect(
    on([q, scope], ([text, where]) => {
      clearTimeout(timer)
      replaceQuery({ q: text.trim() || null, in: where === 'workspace' ? 'workspace' : null })
      if (!text.trim()) {
        asked++
        setResults(null)
        return
      }
      timer = setTimeout(() => void run(text.trim(), where), 150)
    }),
  )
  onMount(() => input.focus())
  createEffect(on(searchRequests, () => input.focus(), { defer: true }))

  const open = (result: SearchResult) => {
    const annotation =
      result.entityType === 'annotation' && result.boardId === board.boardId
        ? board.annotations[result.entityId]
        : null
    location.hash = entityHref(result.boardId, result.entityType, result.entityId, annotation)
  }
  const optionId = (i: number) => `search-result-${i}`
  const onKeyDown = (e: KeyboardEvent) => {
    const list = results() ?? []
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      if (list.length === 0) return
      const next = (active() + (e.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length
      setActive(next)
      document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' })
    } else if (e.key === 'Enter') {
      e.preventDefault()
      const chosen = list[active()]
      if (chosen) open(chosen)
    } else if (e.key === 'Escape' && q()) {
      e.preventDefault()
      setQ('')
    }
  }
  const boardTitle = (id: string) =>
    id === board.boardId ? board.title() : (boards()?.get(id) ?? 'Another board')
  return (
    <section class="search" aria-label="Search">
      <div class="search-box">
        <SearchIcon size={16} aria-hidden="true" class="search-icon" />
        <input
          ref={input}
          class="input search-input"
          type="search"
          role="combobox"
          aria-label="Search"
          aria-autocomplete="list"
          aria-controls="search-results"
          aria-expanded={(results()?.length ?? 0) > 0}
          aria-activedescendant={(results()?.length ?? 0) > 0 ? optionId(active()) : undefined}
          aria-keyshortcuts="/ Control+K"
          placeholder="Titles, comments, tasks, media…"
          value={q()}
          maxLength={200}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
      </div>
      <div class="search-scope" role="radiogroup" aria-label="Search in">
        <For
          each={
            [
              ['board', 'This board'],
              ['workspace', 'All boards'],
            ] as Array<[Scope, string]>
          }
        >
          {([value, label]) => (
            <button
              type="button"
              role="radio"
              class="button small ghost scope-option"
              aria-checked={scope() === value}
              disabled={value === 'workspace' && !!board.ctx.guest}
              onClick={() => setScope(value)}
            >
              {label}
            </button>
          )}
        </For>
      </div>
      <p class="muted search-status" role="status">
        <Switch>
          <Match when={results() === null}>{''}</Match>
          <Match when={offline()}>
            {results()?.length ?? 0} on this board — offline, searched on this device
          </Match>
          <Match when={true}>
            {results()?.length === 1 ? '1 result' : `${results()?.length ?? 0} results`}
          </Match>
        </Switch>
      </p>
      <Show
        when={(results()?.length ?? 0) > 0}
        fallback={
          <Show when={results() === null}>
            <EmptyState icon={<SearchIcon size={28} />} title="Search this board">
              Titles, comments, task text and media names. Press / or {MOD}+K anywhere on the board.
            </EmptyState>
          </Show>
        }
      >
        <ul id="search-results" class="search-results" role="listbox" aria-label="Results">
          <For each={results()}>
            {(result, i) => (
              <li
                id={optionId(i())}
                role="option"
                class="search-result"
                aria-selected={active() === i()}
                data-testid="search-result"
                onPointerMove={() => setActive(i())}
                onClick={() => open(result)}
              >
                <span class="result-kind">
                  {fieldWords(result)}
                  <Show when={scope() === 'workspace'}>
                    <span class="muted"> · {boardTitle(result.boardId)}</span>
                  </Show>
                </span>
                <span class="result-snippet">
                  <Highlighted text={result.snippet} spans={result.highlights} />
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  )
}

/** The snippet with its matched spans marked. */
function Highlighted(props: { text: string; spans: Array<[number, number]> }) {
  const parts = () => {
    const out: Array<{ text: string; hit: boolean }> = []
    let at = 0
    for (const [start, end] of [...props.spans].sort((a, b) => a[0] - b[0])) {
      if (start < at || end > props.text.length) continue
      if (start > at) out.push({ text: props.text.slice(at, start), hit: false })
      out.push({ text: props.text.slice(start, end), hit: true })
      at = end
    }
    if (at < props.text.length) out.push({ text: props.text.slice(at), hit: false })
    return out
  }
  return <For each={parts()}>{(part) => (part.hit ? <mark>{part.text}</mark> : part.text)}</For>
}

/**
 * The status page for owners: live figures from the `system` stream (every 5 s: sockets,
 * sessions, rooms, commit p99, event-loop lag, memory) drawn as small charts over the last
 * ten minutes, and the locks held right now on every board the owner can see, with holders.
 */
import { createResource, createSignal, For, onCleanup, onMount, Show } from 'solid-js'
import Gauge from 'lucide-solid/icons/gauge'
import Lock from 'lucide-solid/icons/lock'
import { parseLockKey } from '../../../shared/protocol/locks.ts'
import { api } from '../lib/api.ts'
import type { AppContext } from '../lib/app-context.ts'
import { exactTime, timeAgo } from '../lib/time.ts'
import { PageHeader } from '../components/shell/PageHeader.tsx'
import { EmptyState, Skeleton } from '../components/ui/EmptyState.tsx'

interface Figures {
  connections: number
  liveSessions: number
  rooms: number
  commitP99Ms: number | null
  eventLoopLagMs: number
  rssBytes: number
  heapUsedBytes: number
}

type Sample = Figures & { at: number }

const KEEP = 120 // ten minutes of samples, one every 5 s

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`
const charts: Array<{ key: keyof Figures; label: string; format: (v: number) => string }> = [
  { key: 'connections', label: 'Document sockets', format: String },
  { key: 'liveSessions', label: 'Live sessions', format: String },
  { key: 'rooms', label: 'Boards in memory', format: String },
  { key: 'commitP99Ms', label: 'Commit p99', format: (v) => `${v.toFixed(1)} ms` },
  { key: 'eventLoopLagMs', label: 'Event-loop lag p99', format: (v) => `${v.toFixed(1)} ms` },
  { key: 'rssBytes', label: 'Memory (RSS)', format: mib },
  { key: 'heapUsedBytes', label: 'Heap used', format: mib },
]

export default function SystemPage(props: { ctx: AppContext; setTitle: (title: string) => void }) {
  onMount(() => props.setTitle('System status'))
  const [samples, setSamples] = createSignal<Sample[]>([])
  const stop = props.ctx.live.subscribe('system', ({ event }) => {
    if (event.type !== 'system.figures') return
    setSamples((list) =>
      [...list, { ...(event.data as unknown as Figures), at: event.ts }].slice(-KEEP),
    )
  })
  onCleanup(stop)
  const latest = () => samples().at(-1)

  const [locks, { refetch }] = createResource(async () => {
    const workspaces = props.ctx.workspaces()
    const boards = (
      await Promise.all(
        workspaces.map((w) =>
          api.boards(w.id).then(
            (r) => r.boards,
            () => [],
          ),
        ),
      )
    ).flat()
    const perBoard = await Promise.all(
      boards.map((b) =>
        api.locks(b.id).then(
          (r) => r.locks.map((lock) => ({ lock, board: b })),
          () => [],
        ),
      ),
    )
    return perBoard.flat().sort((a, b) => a.lock.acquiredAt - b.lock.acquiredAt)
  })
  const timer = setInterval(() => void refetch(), 10_000)
  onCleanup(() => clearInterval(timer))

  return (
    <>
      <PageHeader ctx={props.ctx} crumbs={[{ label: 'System status' }]} />
      <section class="page wide">
        <h1 class="page-title">System status</h1>
        <p class="muted">
          {latest()
            ? `Updated ${timeAgo(latest()?.at ?? 0)} · every 5 seconds`
            : 'Waiting for the first figures (every 5 seconds)…'}
        </p>
        <div class="chart-grid" data-testid="figures">
          <For each={charts}>
            {(chart) => {
              const values = () => samples().map((s) => s[chart.key] ?? 0)
              const now = () => latest()?.[chart.key]
              return (
                <figure class="chart-card" data-figure={chart.key}>
                  <figcaption class="chart-label">{chart.label}</figcaption>
                  <p class="chart-value">
                    {now() === undefined || now() === null ? '—' : chart.format(now() as number)}
                  </p>
                  <Sparkline
                    values={values()}
                    label={`${chart.label} over the last ${Math.ceil((samples().length * 5) / 60)} min`}
                  />
                </figure>
              )
            }}
          </For>
        </div>
        <h2 class="section-title">
          <Lock size={18} aria-hidden="true" /> Locks held now
        </h2>
        <Show when={!locks.loading || locks()} fallback={<Skeleton lines={3} />}>
          <Show
            when={(locks() ?? []).length > 0}
            fallback={
              <EmptyState icon={<Gauge size={28} />} title="No locks are held">
                When someone edits a task or approves media, their lock shows here.
              </EmptyState>
            }
          >
            <table class="table" data-testid="locks">
              <thead>
                <tr>
                  <th scope="col">Board</th>
                  <th scope="col">What</th>
                  <th scope="col">Held by</th>
                  <th scope="col">Since</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                <For each={locks()}>
                  {({ lock, board }) => (
                    <tr>
                      <td>
                        <a href={`#/b/${board.id}`}>{board.title}</a>
                      </td>
                      <td>{parseLockKey(lock.key)?.entityType ?? 'item'}</td>
                      <td>{lock.holder.name}</td>
                      <td title={exactTime(lock.acquiredAt)}>{timeAgo(lock.acquiredAt)}</td>
                      <td>{exactTime(lock.expiresAt)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </Show>
      </section>
    </>
  )
}

/** A small line chart of the last samples (no axes: the number above says the value). */
function Sparkline(props: { values: number[]; label: string }) {
  const W = 240
  const H = 48
  const points = () => {
    const v = props.values
    if (v.length === 0) return ''
    const max = Math.max(...v, 1)
    const min = Math.min(...v, 0)
    const span = max - min || 1
    // The chart spans at least a minute, growing to ten as samples arrive.
    const span2 = Math.max(v.length - 1, 11)
    const step = W / span2
    const offset = W - (v.length - 1) * step
    return v
      .map(
        (y, i) =>
          `${(offset + i * step).toFixed(1)},${(H - 2 - ((y - min) / span) * (H - 4)).toFixed(1)}`,
      )
      .join(' ')
  }
  return (
    <svg
      class="sparkline"
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={props.label}
    >
      <polyline
        points={points()}
        fill="none"
        stroke="var(--accent-emphasis)"
        stroke-width="2"
        vector-effect="non-scaling-stroke"
      />
    </svg>
  )
}

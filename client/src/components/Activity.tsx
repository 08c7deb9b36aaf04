/**
 * The board's activity feed is its event stream: the latest events from the durable log,
 * then live ones; after a reconnect the live socket resumes from the last sequence seen.
 * Every line names things by title (lib/words.ts) with a relative time.
 */
import { createSignal, onCleanup, Show } from 'solid-js'
import ActivityIcon from 'lucide-solid/icons/activity'
import { api, type ActivityEvent } from '../lib/api.ts'
import { useBoard } from '../lib/board-store.ts'
import { exactTime, timeAgo } from '../lib/time.ts'
import { describeEvent } from '../lib/words.ts'
import { EmptyState, Skeleton } from './ui/EmptyState.tsx'
import { VirtualList } from './ui/VirtualList.tsx'

type Item = { seq: number; event: ActivityEvent }

export function Activity() {
  const board = useBoard()
  const live = board.ctx.live
  const [items, setItems] = createSignal<Item[]>([])
  const [loaded, setLoaded] = createSignal(false)
  const stream = `board:${board.boardId}`
  const interesting = (e: ActivityEvent) => !['lock.queued', 'lock.refused'].includes(e.type)
  let stop = () => {}
  void api.events(stream, 0).then(
    ({ events, lastSeq }) => {
      setItems(events.filter((e) => interesting(e.event)).slice(-200))
      setLoaded(true)
      stop = live.subscribe(
        stream,
        ({ seq, event }) =>
          interesting(event) && setItems((list) => [...list, { seq, event }].slice(-200)),
        () => void api.events(stream, 0).then((r) => setItems(r.events.slice(-200))),
        lastSeq,
      )
    },
    () => setLoaded(true),
  )
  onCleanup(() => stop())
  const newestFirst = () => [...items()].reverse()
  return (
    <section class="activity" aria-label="Activity">
      <Show when={loaded()} fallback={<Skeleton lines={6} />}>
        <Show
          when={items().length > 0}
          fallback={
            <EmptyState icon={<ActivityIcon size={28} />} title="Nothing has happened yet">
              {board.ctx.connected()
                ? 'Edits, comments and locks will show here as they happen.'
                : 'The feed needs a connection.'}
            </EmptyState>
          }
        >
          <VirtualList
            items={newestFirst()}
            estimate={52}
            key={(i) => String(i.seq)}
            class="activity-list"
            label="Activity feed"
          >
            {(item) => (
              <div class="activity-item" data-seq={item.seq}>
                <span
                  class="avatar small"
                  aria-hidden="true"
                  style={{
                    background:
                      board.members().find((m) => m.id === item.event.actor.id)?.color ??
                      'var(--border-strong)',
                  }}
                >
                  {item.event.actor.name.slice(0, 1).toUpperCase()}
                </span>
                <p class="activity-text">
                  {describeEvent(item.event, board.names)}
                  <time
                    class="muted"
                    title={exactTime(item.event.ts)}
                    datetime={new Date(item.event.ts).toISOString()}
                  >
                    {timeAgo(item.event.ts)}
                  </time>
                </p>
              </div>
            )}
          </VirtualList>
        </Show>
      </Show>
    </section>
  )
}

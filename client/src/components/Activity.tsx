import { createSignal, For, onCleanup } from 'solid-js'
import { api, type ActivityEvent } from '../lib/api.ts'
import type { Live } from '../lib/live.ts'
import { parseLockKey } from '../../../shared/protocol/locks.ts'

/** The entity a lock event's key names, for people. */
function lockedThing(key: unknown): string {
  const parsed = parseLockKey(key)
  return parsed ? `${parsed.entityType} ${parsed.entityId}` : 'something'
}

const say = (e: ActivityEvent): string => {
  const d = e.data
  const who = e.actor.name
  switch (e.type) {
    case 'task.created':
      return `${who} added the task “${String(d.title)}”`
    case 'task.assigned':
      return d.assigneeId
        ? `${who} assigned “${String(d.title)}”`
        : `${who} unassigned “${String(d.title)}”`
    case 'task.status_changed':
      return `${who} moved “${String(d.title)}” to ${String(d.to)}`
    case 'annotation.created':
      return `${who} drew a ${String(d.shape)}`
    case 'comment.created':
      return `${who} commented: ${String(d.excerpt)}`
    case 'thread.resolved':
      return `${who} resolved a thread`
    case 'lock.acquired':
      return `${who} started editing ${lockedThing(d.key)}`
    case 'lock.released':
    case 'lock.expired':
      return `${String((d.holder as { name?: string } | undefined)?.name ?? who)} finished with ${lockedThing(d.key)}`
    default:
      return `${who}: ${e.type}`
  }
}

/**
 * The board's activity feed is its event stream: the latest events from the durable log,
 * then live ones; after a reconnect the live socket resumes from the last sequence seen.
 */
export function Activity(props: { live: Live; boardId: string }) {
  const [items, setItems] = createSignal<Array<{ seq: number; event: ActivityEvent }>>([])
  const stream = `board:${props.boardId}`
  const interesting = (e: ActivityEvent) => !['lock.queued', 'lock.refused'].includes(e.type)
  let stop = () => {}
  void api.events(stream, 0).then(
    ({ events, lastSeq }) => {
      setItems(events.filter((e) => interesting(e.event)).slice(-100))
      stop = props.live.subscribe(
        stream,
        ({ seq, event }) =>
          interesting(event) && setItems((list) => [...list, { seq, event }].slice(-100)),
        () => void api.events(stream, 0).then((r) => setItems(r.events.slice(-100))),
        lastSeq,
      )
    },
    () => {},
  )
  onCleanup(() => stop())
  return (
    <section class="activity" aria-label="Activity">
      <h2>Activity</h2>
      <ol reversed>
        <For each={[...items()].reverse()}>
          {(item) => <li data-seq={item.seq}>{say(item.event)}</li>}
        </For>
      </ol>
    </section>
  )
}

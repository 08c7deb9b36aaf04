/**
 * Where a thread on media sits, beside its title: the version it was made on (when the item has
 * several) and, on a video, its timecode or range. A thread on an older version than the
 * item's newest is marked `earlier`, and its card is faded but stays readable.
 */
import { Show } from 'solid-js'
import type { MediaJson, ThreadJson } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { threadPlace, versionsOf } from '../../lib/review.ts'
import { FALLBACK_FPS, formatTimecode, frameAt } from '../../lib/timecode.ts'
import './review.css'

export function ThreadPlaceChip(props: { thread: ThreadJson }) {
  const board = useBoard()
  const place = () => threadPlace(props.thread, board.annotations)
  const versions = () => {
    const id = place()?.mediaId
    const media = id ? (board.media[id] as unknown as MediaJson | undefined) : undefined
    return media ? versionsOf(media) : []
  }
  const fps = () =>
    versions().find((v) => v.n === place()?.version)?.fps ?? versions().at(-1)?.fps ?? FALLBACK_FPS
  const earlier = () => (place()?.version ?? 1) < (versions().at(-1)?.n ?? 1)
  const words = () => {
    const p = place()
    if (!p) return null
    const parts: string[] = []
    if (versions().length > 1) parts.push(`v${p.version}`)
    if (p.timeMs !== undefined)
      parts.push(
        formatTimecode(frameAt(p.timeMs, fps()), fps()) +
          (p.endMs !== undefined ? `–${formatTimecode(frameAt(p.endMs, fps()), fps())}` : ''),
      )
    return parts.length ? parts.join(' · ') : null
  }
  return (
    <Show when={words()}>
      {(text) => (
        <span
          class="chip place-chip"
          classList={{ earlier: earlier() }}
          title={earlier() ? `Made on version ${place()?.version}, before the newest` : undefined}
        >
          {text()}
        </span>
      )}
    </Show>
  )
}

/** Play, pause and scrub a video under the viewer (the video itself sits in the zoomable box). */
import { createSignal } from 'solid-js'
import Pause from 'lucide-solid/icons/pause'
import Play from 'lucide-solid/icons/play'
import { createShortcuts, symbol } from '../../lib/shortcuts.ts'
import { IconButton } from '../ui/Tooltip.tsx'
import type { ViewerState } from './viewer-state.ts'

const clock = (ms: number) => {
  const total = Math.max(0, Math.floor(ms / 1000))
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`
}

export function Transport(props: { state: ViewerState; durationMs?: number | undefined }) {
  const [playing, setPlaying] = createSignal(false)
  const video = () => props.state.video
  const toggle = () => {
    const v = video()
    if (!v) return
    if (v.paused)
      void v.play().then(
        () => setPlaying(true),
        () => setPlaying(false),
      )
    else {
      v.pause()
      setPlaying(false)
    }
  }
  createShortcuts([
    {
      keys: ['Space'],
      description: 'Play or pause the video',
      group: 'Viewer',
      match: symbol(' '),
      run: toggle,
    },
  ])
  const duration = () => (video()?.duration ? video()!.duration * 1000 : (props.durationMs ?? 0))
  return (
    <div class="transport">
      <IconButton label={playing() ? 'Pause' : 'Play'} shortcut="Space" onClick={toggle}>
        {playing() ? <Pause size={18} /> : <Play size={18} />}
      </IconButton>
      <input
        type="range"
        class="scrubber"
        aria-label="Position in the video"
        min="0"
        max={duration() || 1}
        step="any"
        value={props.state.time()}
        onInput={(e) => {
          const v = video()
          if (v) v.currentTime = Number(e.currentTarget.value) / 1000
        }}
      />
      <span class="timecode">
        {clock(props.state.time())} / {clock(duration())}
      </span>
    </div>
  )
}

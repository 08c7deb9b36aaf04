/**
 * The video transport: play and pause, a frame back and forward, the
 * timecode (HH:MM:SS:FF at the video's frame rate; type a timecode or a frame number and press
 * Enter to go there), the frame rate (editors may correct it for everyone), in and out points
 * for a comment or mark over a range, and the timeline with a marker for every thread on this
 * version (click one to go to its frame and open it). While the player has focus: Space or K
 * plays and pauses, `,` and `.` step a frame (`<` `>` ten), J and L shuttle back and forward
 * (again: faster), Home and End go to the ends.
 */
import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js'
import Check from 'lucide-solid/icons/check'
import ChevronLeft from 'lucide-solid/icons/chevron-left'
import ChevronRight from 'lucide-solid/icons/chevron-right'
import Pause from 'lucide-solid/icons/pause'
import Play from 'lucide-solid/icons/play'
import X from 'lucide-solid/icons/x'
import { STANDARD_FPS, updateMediaVersion } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { threadPlace } from '../../lib/review.ts'
import { createShortcuts, symbol, letter } from '../../lib/shortcuts.ts'
import { formatTimecode, fpsLabel, frameAt, frameCount, parseTimecode } from '../../lib/timecode.ts'
import { IconButton } from '../ui/Tooltip.tsx'
import type { ViewerState } from '../board/viewer-state.ts'
import './review.css'

const SHUTTLE_SPEEDS = [1, 2, 4, 8]

/** Whether focus is in the player (the stage showing a video, or this transport). */
const playerFocused = () => !!document.activeElement?.closest('[data-player]')

export function VideoTransport(props: { state: ViewerState; durationMs?: number | undefined }) {
  const board = useBoard()
  const s = props.state
  const fps = () => s.fps()
  const durationMs = () => s.duration() || props.durationMs || s.shownFile()?.durationMs || 0
  const lastFrame = () => (durationMs() ? frameCount(durationMs(), fps()) - 1 : 0)
  const go = (frame: number) => {
    stopReverse()
    s.player()?.seekFrame(Math.min(Math.max(0, frame), lastFrame() || frame))
  }
  const step = (by: number) => {
    const player = s.player()
    player?.pause()
    // From the frame being sought, not the one last shown: fast key repeats all count.
    go((player && player.paused() ? player.frame() : s.frame()) + by)
  }

  // Shuttle: L plays forward (again: faster), J backward the same way, K stops. Browsers do
  // not play backward, so J steps back on a timer.
  const [speed, setSpeed] = createSignal(0)
  let reverse: ReturnType<typeof setInterval> | undefined
  function stopReverse() {
    clearInterval(reverse)
    reverse = undefined
  }
  onCleanup(stopReverse)
  const faster = (now: number) =>
    SHUTTLE_SPEEDS[
      Math.min(SHUTTLE_SPEEDS.indexOf(Math.abs(now)) + 1, SHUTTLE_SPEEDS.length - 1)
    ] ?? 1
  const shuttle = (direction: 1 | -1) => {
    const player = s.player()
    if (!player) return
    const now = speed()
    const next = Math.sign(now) === direction ? faster(now) * direction : direction
    setSpeed(next)
    stopReverse()
    if (next > 0) {
      player.setRate(next)
      player.play()
      return
    }
    player.pause()
    player.setRate(1)
    const tick = 50
    const frames = Math.max(1, Math.round((-next * fps() * tick) / 1000))
    reverse = setInterval(() => {
      if (s.frame() <= 0) return stop()
      player.seekFrame(Math.max(0, s.frame() - frames))
    }, tick)
  }
  const stop = () => {
    stopReverse()
    setSpeed(0)
    s.player()?.setRate(1)
    s.player()?.pause()
  }
  const toggle = () => {
    const player = s.player()
    if (!player) return
    if (player.paused() && !reverse) {
      setSpeed(1)
      player.setRate(1)
      player.play()
    } else stop()
  }

  const inPlayer = () => playerFocused()
  createShortcuts([
    {
      keys: ['Space'],
      description: 'Play or pause (video focused)',
      group: 'Viewer',
      match: symbol(' '),
      run: toggle,
      when: inPlayer,
    },
    {
      keys: ['K'],
      description: 'Pause (video focused)',
      group: 'Viewer',
      match: letter('k'),
      run: stop,
      when: inPlayer,
    },
    {
      keys: ['J'],
      description: 'Play backward; again: faster (video focused)',
      group: 'Viewer',
      match: letter('j'),
      run: () => shuttle(-1),
      when: inPlayer,
    },
    {
      keys: ['L'],
      description: 'Play forward; again: faster (video focused)',
      group: 'Viewer',
      match: letter('l'),
      run: () => shuttle(1),
      when: inPlayer,
    },
    {
      keys: [','],
      description: 'One frame back (video focused)',
      group: 'Viewer',
      match: symbol(','),
      run: () => step(-1),
      when: inPlayer,
    },
    {
      keys: ['.'],
      description: 'One frame forward (video focused)',
      group: 'Viewer',
      match: symbol('.'),
      run: () => step(1),
      when: inPlayer,
    },
    {
      keys: ['<'],
      description: 'Ten frames back (video focused)',
      group: 'Viewer',
      match: symbol('<'),
      run: () => step(-10),
      when: inPlayer,
    },
    {
      keys: ['>'],
      description: 'Ten frames forward (video focused)',
      group: 'Viewer',
      match: symbol('>'),
      run: () => step(10),
      when: inPlayer,
    },
    {
      keys: ['Home'],
      description: 'First frame (video focused)',
      group: 'Viewer',
      match: symbol('Home'),
      run: () => {
        s.player()?.pause()
        go(0)
      },
      when: inPlayer,
    },
    {
      keys: ['End'],
      description: 'Last frame (video focused)',
      group: 'Viewer',
      match: symbol('End'),
      run: () => {
        s.player()?.pause()
        go(lastFrame())
      },
      when: inPlayer,
    },
  ])

  // The timecode field: shows the frame, takes what a person types.
  const [typed, setTyped] = createSignal<string | null>(null)
  const [invalid, setInvalid] = createSignal(false)
  const jump = (text: string) => {
    const frame = parseTimecode(text, fps())
    setInvalid(frame === null)
    if (frame === null) return
    setInvalid(false)
    setTyped(null)
    s.player()?.pause()
    go(frame)
    ;(document.querySelector('[data-testid="stage"]') as HTMLElement | null)?.focus()
  }

  const markers = createMemo(() => {
    const m = board.selectedMedia()
    const version = s.shownVersion()
    const length = durationMs()
    if (!m || !length) return []
    return board
      .threadList()
      .map((thread) => ({ thread, place: threadPlace(thread, board.annotations) }))
      .filter(
        ({ place }) =>
          place?.mediaId === m && place.version === version && place.timeMs !== undefined,
      )
      .map(({ thread, place }) => {
        const start = Math.min(1, (place?.timeMs ?? 0) / length)
        const end = place?.endMs !== undefined ? Math.min(1, place.endMs / length) : null
        const first = thread.comments?.find((c) => !c.deleted)
        return {
          thread,
          start,
          width: end !== null ? Math.max(0, end - start) : 0,
          frame: frameAt(place?.timeMs ?? 0, fps()),
          label: `${board.nameOf(thread.createdBy)} at ${formatTimecode(frameAt(place?.timeMs ?? 0, fps()), fps())}${
            first ? `: ${first.body.slice(0, 60)}` : ''
          }`,
        }
      })
  })

  const range = () => s.range()
  const rangeLabel = () => {
    const r = range()
    if (r.in === null) return null
    return r.out !== null && r.out > r.in
      ? `${formatTimecode(r.in, fps())} → ${formatTimecode(r.out, fps())}`
      : `From ${formatTimecode(r.in, fps())}`
  }
  const fpsSource = () =>
    ({
      stored: 'stored with this version',
      measured: 'measured while playing',
      assumed: 'assumed: the file does not say',
    })[s.fpsSource()]
  const setFps = (value: number) => {
    const media = board.selectedMedia()
    if (!media) return
    board.conn.transact((doc) => updateMediaVersion(doc, media, s.shownVersion(), { fps: value }))
  }

  return (
    <div class="transport" data-player="" data-testid="transport" role="group" aria-label="Video">
      <div class="transport-row">
        <IconButton label="One frame back" shortcut="," onClick={() => step(-1)}>
          <ChevronLeft size={18} />
        </IconButton>
        <IconButton
          label={s.playing() ? 'Pause' : 'Play'}
          shortcut="Space"
          onClick={toggle}
          testId="play"
        >
          {s.playing() ? <Pause size={18} /> : <Play size={18} />}
        </IconButton>
        <IconButton label="One frame forward" shortcut="." onClick={() => step(1)}>
          <ChevronRight size={18} />
        </IconButton>
        <input
          class="input timecode-input"
          classList={{ invalid: invalid() }}
          aria-label="Timecode: type HH:MM:SS:FF or a frame number, then Enter"
          aria-invalid={invalid()}
          data-testid="timecode"
          value={typed() ?? formatTimecode(s.frame(), fps())}
          onFocus={(e) => setTyped(e.currentTarget.value)}
          onInput={(e) => setTyped(e.currentTarget.value)}
          onBlur={() => {
            setTyped(null)
            setInvalid(false)
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') jump(e.currentTarget.value)
            if (e.key === 'Escape') e.currentTarget.blur()
          }}
        />
        <span class="timecode muted">/ {formatTimecode(lastFrame(), fps())}</span>
        <Show
          when={board.canEdit()}
          fallback={
            <span class="chip" title={`Frame rate ${fpsSource()}`}>
              {fpsLabel(fps())}
            </span>
          }
        >
          <DropdownMenu>
            <DropdownMenu.Trigger
              class="button small ghost"
              aria-label={`Frame rate: ${fpsLabel(fps())}, ${fpsSource()}. Change`}
            >
              {fpsLabel(fps())}
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content class="menu">
                <DropdownMenu.Group>
                  <DropdownMenu.GroupLabel class="menu-label">
                    Frame rate of this version ({fpsSource()})
                  </DropdownMenu.GroupLabel>
                  <DropdownMenu.RadioGroup
                    value={String(fps())}
                    onChange={(value) => setFps(Number(value))}
                  >
                    <For each={[...STANDARD_FPS]}>
                      {(rate) => (
                        <DropdownMenu.RadioItem
                          class="menu-item"
                          value={String(rate)}
                          closeOnSelect
                        >
                          <DropdownMenu.ItemIndicator class="menu-check">
                            <Check size={14} />
                          </DropdownMenu.ItemIndicator>
                          {fpsLabel(rate)}
                        </DropdownMenu.RadioItem>
                      )}
                    </For>
                  </DropdownMenu.RadioGroup>
                </DropdownMenu.Group>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu>
        </Show>
        <Show when={!board.readOnly()}>
          <div class="range-controls" role="group" aria-label="Range for a comment">
            <button
              type="button"
              class="button small ghost"
              onClick={() => s.setRange({ in: s.frame(), out: null })}
            >
              Mark in
            </button>
            <button
              type="button"
              class="button small ghost"
              disabled={range().in === null || s.frame() <= (range().in ?? 0)}
              onClick={() => s.setRange({ ...range(), out: s.frame() })}
            >
              Mark out
            </button>
            <Show when={rangeLabel()}>
              {(label) => (
                <span class="chip range-chip" data-testid="range">
                  {label()}
                  <button
                    type="button"
                    class="icon-button ghost tiny"
                    aria-label="Clear the range"
                    onClick={() => s.setRange({ in: null, out: null })}
                  >
                    <X size={12} />
                  </button>
                </span>
              )}
            </Show>
          </div>
        </Show>
      </div>
      <div class="timeline">
        <div class="markers" role="list" aria-label="Threads on the timeline">
          <Show when={range().in !== null && durationMs()}>
            <span
              class="range-band"
              aria-hidden="true"
              style={{
                left: `${((range().in ?? 0) / (lastFrame() || 1)) * 100}%`,
                width: `${Math.max(0.5, (((range().out ?? range().in ?? 0) - (range().in ?? 0)) / (lastFrame() || 1)) * 100)}%`,
              }}
            />
          </Show>
          <For each={markers()}>
            {(marker) => (
              <span role="listitem" class="marker-cell" style={{ left: `${marker.start * 100}%` }}>
                <button
                  type="button"
                  class="marker"
                  classList={{
                    selected: board.selectedThread() === marker.thread.id,
                    resolved: marker.thread.resolved,
                    ranged: marker.width > 0,
                  }}
                  style={marker.width > 0 ? { width: `max(12px, ${marker.width * 100}cqw)` } : {}}
                  aria-label={`Thread by ${marker.label}`}
                  data-testid={`marker-${marker.thread.id}`}
                  onClick={() => {
                    stop()
                    go(marker.frame)
                    board.selectThread(marker.thread.id)
                  }}
                />
              </span>
            )}
          </For>
        </div>
        <input
          type="range"
          class="scrubber"
          aria-label="Position in the video (frames)"
          aria-valuetext={formatTimecode(s.frame(), fps())}
          min="0"
          max={lastFrame() || 1}
          step="1"
          value={s.frame()}
          data-testid="scrubber"
          onInput={(e) => go(Number(e.currentTarget.value))}
        />
      </div>
    </div>
  )
}

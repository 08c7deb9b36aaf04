/**
 * Two versions of one item: side by side, or — for images — one over the
 * other with a wipe to drag. Each pane shows only its own version's marks (read-only here;
 * clicking one opens its thread). Videos play as two players under one playhead: the right
 * pane is the master clock and the left one is re-seeked to it whenever it drifts a frame,
 * and on every pause and seek.
 */
import { createEffect, createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js'
import X from 'lucide-solid/icons/x'
import type { AnnotationFields, MediaJson, MediaVersion } from '../../../../shared/schema/board.ts'
import { mediaUrl } from '../../lib/api.ts'
import { useBoard } from '../../lib/board-store.ts'
import { fitBox, type Size } from '../../lib/camera.ts'
import { onFrame, versionOf } from '../../lib/review.ts'
import { frameAt } from '../../lib/timecode.ts'
import { ShapeView } from '../board/ShapeView.tsx'
import type { CompareMode, ViewerState } from '../board/viewer-state.ts'
import { Select } from '../ui/Select.tsx'
import { IconButton } from '../ui/Tooltip.tsx'
import { followClock, makePlayer, watchVideoClock } from './video-clock.ts'
import './review.css'

export function CompareView(props: { media: MediaJson; state: ViewerState }) {
  const board = useBoard()
  const s = props.state
  const comparison = () => s.comparison()
  const fileOf = (n: number | undefined) => s.versions().find((v) => v.n === n)
  const left = () => fileOf(comparison()?.left)
  const right = () => fileOf(comparison()?.right)
  const isVideo = () => props.media.kind === 'video'
  const mode = (): CompareMode => (isVideo() ? 'side' : (comparison()?.mode ?? 'side'))
  const choices = () =>
    [...s.versions()].reverse().map((v) => ({ value: String(v.n), label: `v${v.n} · ${v.name}` }))
  const pick = (side: 'left' | 'right', n: number) => {
    const now = comparison()
    if (now) s.setComparison({ ...now, [side]: n })
  }
  const marksOf = (file: MediaVersion | undefined) => {
    if (!file) return []
    const fps = s.fpsOf(file)
    const frame = frameAt(s.time(), fps)
    return Object.values(board.annotations).filter(
      (a): a is AnnotationFields =>
        !!a &&
        a.mediaId === props.media.id &&
        versionOf(a) === file.n &&
        (!isVideo() || onFrame(a, frame, fps)),
    )
  }

  // Videos: the right pane is the master clock.
  const [videos, setVideos] = createSignal<{ left?: HTMLVideoElement; right?: HTMLVideoElement }>(
    {},
  )
  createEffect(() => {
    const { left: follower, right: master } = videos()
    if (!isVideo() || !master || !follower) return
    const masterFps = () => s.fpsOf(right())
    const player = makePlayer(() => [master, follower], masterFps)
    s.setPlayer(player)
    const stopClock = watchVideoClock(master, {
      fps: masterFps,
      onFrame: (frame, ms) => {
        s.setFrame(frame)
        s.setTime(ms)
      },
      onPlaying: s.setPlaying,
    })
    const stopFollowing = followClock(master, follower, masterFps)
    const onDuration = () =>
      s.setDuration(Number.isFinite(master.duration) ? master.duration * 1000 : 0)
    master.addEventListener('durationchange', onDuration)
    onCleanup(() => {
      stopClock()
      stopFollowing()
      master.removeEventListener('durationchange', onDuration)
      if (s.player() === player) {
        s.setPlayer(null)
        s.setPlaying(false)
      }
    })
  })

  const [wipe, setWipe] = createSignal(0.5)
  let wipeStage!: HTMLDivElement
  const wipeAt = (e: PointerEvent) => {
    const r = wipeStage.getBoundingClientRect()
    setWipe(Math.min(1, Math.max(0, (e.clientX - r.left) / (r.width || 1))))
  }

  return (
    <div class="compare" data-testid="compare-view" data-player={isVideo() ? '' : undefined}>
      <div class="compare-head">
        <Select
          label="Left"
          class="compare-select"
          options={choices()}
          value={String(comparison()?.left ?? '')}
          onChange={(v) => pick('left', Number(v))}
        />
        <Show when={!isVideo()}>
          <div class="segmented" role="group" aria-label="Compare mode">
            <button
              type="button"
              class="button small"
              aria-pressed={mode() === 'side'}
              onClick={() => s.setComparison({ ...comparison()!, mode: 'side' })}
            >
              Side by side
            </button>
            <button
              type="button"
              class="button small"
              aria-pressed={mode() === 'wipe'}
              onClick={() => s.setComparison({ ...comparison()!, mode: 'wipe' })}
            >
              Wipe
            </button>
          </div>
        </Show>
        <Select
          label="Right"
          class="compare-select"
          options={choices()}
          value={String(comparison()?.right ?? '')}
          onChange={(v) => pick('right', Number(v))}
        />
        <IconButton label="Close the comparison" onClick={() => s.setComparison(null)}>
          <X size={18} />
        </IconButton>
      </div>
      <Show
        when={mode() === 'wipe'}
        fallback={
          <div class="compare-panes">
            <For each={['left', 'right'] as const}>
              {(side) => {
                const file = () => (side === 'left' ? left() : right())
                return (
                  <section
                    class="compare-pane"
                    aria-label={`Version ${file()?.n ?? ''}`}
                    data-testid={`pane-${side}`}
                  >
                    <span class="pane-label">v{file()?.n}</span>
                    <Show when={file()} keyed>
                      {(f) => (
                        <Fitted
                          file={f}
                          kind={props.media.kind}
                          name={props.media.name}
                          marks={marksOf(f)}
                          muted={side === 'left'}
                          onVideo={(video) => setVideos((all) => ({ ...all, [side]: video }))}
                        />
                      )}
                    </Show>
                  </section>
                )
              }}
            </For>
          </div>
        }
      >
        <div
          ref={wipeStage}
          class="wipe-stage"
          data-testid="wipe"
          onPointerDown={(e) => {
            if ((e.target as Element).closest('input, [data-annotation-id]')) return
            wipeStage.setPointerCapture(e.pointerId)
            wipeAt(e)
          }}
          onPointerMove={(e) => wipeStage.hasPointerCapture(e.pointerId) && wipeAt(e)}
        >
          <div class="wipe-layer" style={{ 'clip-path': `inset(0 ${(1 - wipe()) * 100}% 0 0)` }}>
            <Show when={left()} keyed>
              {(f) => <Fitted file={f} kind="image" name={props.media.name} marks={marksOf(f)} />}
            </Show>
          </div>
          <div class="wipe-layer" style={{ 'clip-path': `inset(0 0 0 ${wipe() * 100}%)` }}>
            <Show when={right()} keyed>
              {(f) => <Fitted file={f} kind="image" name={props.media.name} marks={marksOf(f)} />}
            </Show>
          </div>
          <span class="pane-label">v{left()?.n}</span>
          <span class="pane-label right">v{right()?.n}</span>
          <span class="wipe-line" style={{ left: `${wipe() * 100}%` }} aria-hidden="true" />
          <input
            type="range"
            class="wipe-slider"
            aria-label={`Wipe between v${left()?.n} and v${right()?.n}`}
            aria-valuetext={`${Math.round(wipe() * 100)} % v${left()?.n}`}
            min="0"
            max="100"
            step="1"
            value={Math.round(wipe() * 100)}
            data-testid="wipe-slider"
            onInput={(e) => setWipe(Number(e.currentTarget.value) / 100)}
          />
        </div>
      </Show>
    </div>
  )
}

/** One version fitted into its box, with its marks over it (read-only). */
function Fitted(props: {
  file: MediaVersion
  kind: MediaJson['kind']
  name: string
  marks: AnnotationFields[]
  muted?: boolean
  onVideo?: (video: HTMLVideoElement) => void
}) {
  const board = useBoard()
  let holder!: HTMLDivElement
  const [size, setSize] = createSignal<Size>({ width: 0, height: 0 })
  const [natural, setNatural] = createSignal<Size>({
    width: props.file.width ?? 0,
    height: props.file.height ?? 0,
  })
  const box = createMemo(() => fitBox(size(), natural()))
  onMount(() => {
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height })
    })
    observer.observe(holder)
    onCleanup(() => observer.disconnect())
  })
  const url = () => mediaUrl(`/api/media/${props.file.hash}`)
  return (
    <div ref={holder} class="fitted">
      <div
        class="fitted-box"
        style={{
          width: `${box().width}px`,
          height: `${box().height}px`,
          left: `${(size().width - box().width) / 2}px`,
          top: `${(size().height - box().height) / 2}px`,
        }}
      >
        <Show
          when={props.kind === 'video'}
          fallback={
            <img
              src={url()}
              alt={`${props.name}, version ${props.file.n}`}
              draggable={false}
              onLoad={(e) =>
                !natural().width &&
                setNatural({
                  width: e.currentTarget.naturalWidth,
                  height: e.currentTarget.naturalHeight,
                })
              }
            />
          }
        >
          <video
            ref={(video) => props.onVideo?.(video)}
            src={url()}
            preload="auto"
            playsinline
            muted={props.muted}
            onLoadedMetadata={(e) =>
              setNatural({ width: e.currentTarget.videoWidth, height: e.currentTarget.videoHeight })
            }
          />
        </Show>
        <svg
          class="layer"
          viewBox={`0 0 ${box().width || 1} ${box().height || 1}`}
          width={box().width}
          height={box().height}
          role="group"
          aria-label={`Annotations on version ${props.file.n}`}
          onClick={(e) => {
            const id = (e.target as Element)
              .closest('[data-annotation-id]')
              ?.getAttribute('data-annotation-id')
            const thread = id ? board.annotations[id]?.threadId : undefined
            if (thread) board.selectThread(thread)
          }}
        >
          <For each={props.marks}>
            {(mark) => (
              <ShapeView
                annotation={mark}
                box={box()}
                zoom={1}
                author={board.nameOf(mark.authorId)}
                selected={!!mark.threadId && board.selectedThread() === mark.threadId}
                onActivate={() => mark.threadId && board.selectThread(mark.threadId)}
              />
            )}
          </For>
        </svg>
      </div>
    </div>
  )
}

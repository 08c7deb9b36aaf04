/**
 * The media viewer: the media and its annotation layer in one transformed box, so marks stay
 * attached at any zoom (coordinates are 0..1 of the media, docs/product.md). Zoom and pan by
 * wheel (Ctrl/⌘ or a mouse wheel zooms, a trackpad pans), pinch, keyboard and the buttons.
 * Pointer events draw, select, move and resize with mouse, pen and touch alike; once a pen is
 * seen, one finger pans instead of drawing (so a palm or finger never marks while a pen is in
 * use). It shows one version of an item: that version's marks, the previous version's open
 * ones faded, and on a video only the marks bound to the frame on screen.
 */
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js'
import ImageIcon from 'lucide-solid/icons/image'
import { newId } from '../../../../shared/ids.ts'
import {
  board as boardTypes,
  createAnnotation,
  type AnnotationFields,
  type Point,
  type Shape,
} from '../../../../shared/schema/board.ts'
import { mediaUrl } from '../../lib/api.ts'
import { useBoard } from '../../lib/board-store.ts'
import {
  actualSizeZoom,
  clampZoom,
  fitBox,
  fitCamera,
  toMedia,
  zoomAt,
  type Size,
} from '../../lib/camera.ts'
import { markLayer, onFrame } from '../../lib/review.ts'
import { moveShape, resizeShape, type HandleId } from '../../lib/shape-edit.ts'
import { storedTimeMs } from '../../lib/timecode.ts'
import { EmptyState } from '../ui/EmptyState.tsx'
import { deleteAnnotationWithUndo } from '../viewer/deletes.ts'
import { SelectionHandles } from '../viewer/SelectionHandles.tsx'
import { makePlayer, watchVideoClock } from '../viewer/video-clock.ts'
import { ShapeView } from './ShapeView.tsx'
import type { Tool, ViewerState } from './viewer-state.ts'

type Gesture =
  | { kind: 'draw'; pointerId: number; points: Point[] }
  | { kind: 'pan'; pointerId: number; x: number; y: number }
  | { kind: 'move'; pointerId: number; id: string; start: Point; shape: Shape; now: Shape }
  | { kind: 'resize'; pointerId: number; id: string; handle: HandleId; shape: Shape; now: Shape }
  | { kind: 'pinch'; distance: number; centre: { x: number; y: number }; z: number }

const drawing: Tool[] = ['pin', 'rect', 'ellipse', 'arrow', 'path']

export function Viewer(props: {
  state: ViewerState
  onSelectAnnotation: (a: AnnotationFields) => void
}) {
  const board = useBoard()
  const s = props.state
  let stage!: HTMLDivElement
  const [stageSize, setStageSize] = createSignal<Size>({ width: 0, height: 0 })
  const [natural, setNatural] = createSignal<Size>({ width: 0, height: 0 })
  const [gesture, setGesture] = createSignal<Gesture | null>(null)
  const [penSeen, setPenSeen] = createSignal(false)
  const pointers = new Map<number, { x: number; y: number; type: string }>()
  const current = () =>
    board.selectedMedia() ? board.media[board.selectedMedia() as string] : undefined
  const file = () => s.shownFile()
  const isVideo = () => current()?.kind === 'video'
  const box = createMemo(() => fitBox(stageSize(), natural()))
  createEffect(() => s.setFitScale(natural().width ? box().width / natural().width : 1))

  createEffect(
    on([() => current()?.id, () => s.shownVersion()], () => {
      const f = file()
      setNatural({ width: f?.width ?? 0, height: f?.height ?? 0 })
      s.requestFit('fit')
      s.setSelected(null)
    }),
  )
  // Fit or 1:1 once the sizes are known; a resize keeps the fit if it was fitted.
  createEffect(() => {
    const request = s.fitRequest()
    const stageNow = stageSize()
    if (!request || !stageNow.width) return
    const b = box()
    if (request === 'fit') s.setCamera(fitCamera(stageNow, b))
    else {
      const z = actualSizeZoom(b, natural())
      s.setCamera(zoomAt(fitCamera(stageNow, b), z, stageNow.width / 2, stageNow.height / 2))
    }
    s.clearFitRequest()
  })
  s.zoomBy = (factor: number) => {
    const { width, height } = stageSize()
    s.setCamera(zoomAt(s.camera(), s.camera().z * factor, width / 2, height / 2))
  }

  const local = (e: { clientX: number; clientY: number }) => {
    const r = stage.getBoundingClientRect()
    return { x: e.clientX - r.left, y: e.clientY - r.top }
  }
  const mediaPoint = (e: { clientX: number; clientY: number }) => {
    const p = local(e)
    return toMedia(s.camera(), box(), p.x, p.y)
  }
  const insideMedia = (e: PointerEvent) => {
    const p = local(e)
    const c = s.camera()
    const b = box()
    return p.x >= c.x && p.y >= c.y && p.x <= c.x + b.width * c.z && p.y <= c.y + b.height * c.z
  }

  /** The marks shown: this version's and the previous one's open ones, on the frame shown. */
  const visible = createMemo(() => {
    const m = current()
    if (!m) return []
    const version = s.shownVersion()
    const frame = s.frame()
    const fps = s.fps()
    const shown: Array<{ mark: AnnotationFields; earlier: boolean }> = []
    for (const mark of Object.values(board.annotations)) {
      if (!mark || mark.mediaId !== m.id) continue
      const thread = mark.threadId ? board.threads[mark.threadId] : undefined
      const layer = markLayer(mark, version, thread?.resolved)
      if (!layer || (m.kind === 'video' && !onFrame(mark, frame, fps))) continue
      shown.push({ mark, earlier: layer === 'earlier' })
    }
    return shown
  })
  /** Whether this person may change a mark: editors any, reviewers their own; never a viewer. */
  const mayChange = (mark: AnnotationFields) =>
    !board.readOnly() && (board.canEdit() || mark.authorId === board.me.id)
  const editable = (id: string | null) => {
    const entry = id ? visible().find((v) => v.mark.id === id) : undefined
    return entry && !entry.earlier && mayChange(entry.mark) ? entry.mark : null
  }

  const finish = (points: Point[]) => {
    const [a, b] = [points[0], points.at(-1)]
    const mediaId = board.selectedMedia()
    if (!a || !b || !mediaId) return
    const tool = s.tool()
    const tiny = Math.hypot(b.x - a.x, b.y - a.y) < 0.004
    const shape: Shape =
      tool === 'pin' || tiny
        ? { type: 'pin', x: a.x, y: a.y }
        : tool === 'rect'
          ? {
              type: 'rect',
              x: Math.min(a.x, b.x),
              y: Math.min(a.y, b.y),
              w: Math.abs(b.x - a.x),
              h: Math.abs(b.y - a.y),
            }
          : tool === 'ellipse'
            ? {
                type: 'ellipse',
                cx: (a.x + b.x) / 2,
                cy: (a.y + b.y) / 2,
                rx: Math.abs(b.x - a.x) / 2,
                ry: Math.abs(b.y - a.y) / 2,
              }
            : tool === 'arrow'
              ? { type: 'arrow', from: a, to: b }
              : { type: 'path', points }
    const id = newId()
    // On a video a mark is bound to the frame on screen, or to the range marked.
    const when = isVideo() ? (s.rangeTimes() ?? { timeMs: storedTimeMs(s.frame(), s.fps()) }) : {}
    board.conn.transact((doc) =>
      createAnnotation(doc, {
        id,
        mediaId,
        shape,
        color: s.color(),
        authorId: board.me.id,
        version: s.shownVersion(),
        ...when,
      }),
    )
    board.conn.undo.stopCapturing()
    const created = board.annotations[id]
    if (created) props.onSelectAnnotation(created)
  }

  const reshape = (id: string, shape: Shape) => {
    const map = boardTypes(board.conn.doc).annotations.get(id)
    if (!map) return
    board.conn.transact(() => map.set('shape', shape))
    board.conn.undo.stopCapturing()
  }

  const startPinch = () => {
    const [a, b] = [...pointers.values()]
    if (!a || !b) return
    setGesture({
      kind: 'pinch',
      distance: Math.hypot(a.x - b.x, a.y - b.y),
      centre: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 },
      z: s.camera().z,
    })
  }

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 && e.button !== 1) return
    stage.focus({ preventScroll: true })
    if (e.pointerType === 'pen') setPenSeen(true)
    stage.setPointerCapture(e.pointerId)
    pointers.set(e.pointerId, { ...local(e), type: e.pointerType })
    if (pointers.size === 2) return startPinch()
    if (pointers.size > 2) return
    const tool = s.tool()
    const fingerWhilePen = e.pointerType === 'touch' && penSeen()
    if (e.button === 1 || tool === 'hand' || fingerWhilePen || !current()) {
      setGesture({ kind: 'pan', pointerId: e.pointerId, ...local(e) })
      return
    }
    const handle = (e.target as Element).closest?.('[data-handle]')?.getAttribute('data-handle')
    const selectedMark = editable(s.selected())
    if (handle && selectedMark) {
      setGesture({
        kind: 'resize',
        pointerId: e.pointerId,
        id: selectedMark.id,
        handle: handle as HandleId,
        shape: selectedMark.shape,
        now: selectedMark.shape,
      })
      return
    }
    const target = (e.target as Element).closest?.('[data-annotation-id]')
    const hitId = target?.getAttribute('data-annotation-id') ?? null
    const hit = hitId ? board.annotations[hitId] : undefined
    if (hit) {
      props.onSelectAnnotation(hit)
      if (tool === 'select' && editable(hit.id))
        setGesture({
          kind: 'move',
          pointerId: e.pointerId,
          id: hit.id,
          start: mediaPoint(e),
          shape: hit.shape,
          now: hit.shape,
        })
      return
    }
    if (tool === 'select') {
      s.setSelected(null)
      setGesture({ kind: 'pan', pointerId: e.pointerId, ...local(e) })
      return
    }
    if (drawing.includes(tool) && !board.readOnly() && insideMedia(e))
      setGesture({ kind: 'draw', pointerId: e.pointerId, points: [mediaPoint(e)] })
    else setGesture({ kind: 'pan', pointerId: e.pointerId, ...local(e) })
  }

  const onPointerMove = (e: PointerEvent) => {
    const mediaId = board.selectedMedia()
    if (mediaId && insideMedia(e)) board.presence.moveCursor({ mediaId, ...mediaPoint(e) })
    if (!pointers.has(e.pointerId)) return
    pointers.set(e.pointerId, { ...local(e), type: e.pointerType })
    const g = gesture()
    if (!g) return
    if (g.kind === 'pinch') {
      const [a, b] = [...pointers.values()]
      if (!a || !b) return
      const distance = Math.hypot(a.x - b.x, a.y - b.y)
      const centre = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }
      const zoomed = zoomAt(
        s.camera(),
        clampZoom((g.z * distance) / Math.max(1, g.distance)),
        centre.x,
        centre.y,
      )
      s.setCamera({
        ...zoomed,
        x: zoomed.x + centre.x - g.centre.x,
        y: zoomed.y + centre.y - g.centre.y,
      })
      setGesture({ ...g, centre })
      return
    }
    if (g.pointerId !== e.pointerId) return
    if (g.kind === 'pan') {
      const p = local(e)
      const c = s.camera()
      s.setCamera({ ...c, x: c.x + p.x - g.x, y: c.y + p.y - g.y })
      setGesture({ ...g, ...p })
    } else if (g.kind === 'draw') {
      // A pen reports many samples per frame; keep them all for a faithful stroke.
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : []
      const points = (events.length ? events : [e]).map(mediaPoint)
      setGesture({ ...g, points: [...g.points, ...points] })
    } else if (g.kind === 'move') {
      const p = mediaPoint(e)
      setGesture({ ...g, now: moveShape(g.shape, { x: p.x - g.start.x, y: p.y - g.start.y }) })
    } else if (g.kind === 'resize') {
      setGesture({ ...g, now: resizeShape(g.shape, g.handle, mediaPoint(e)) })
    }
  }

  const onPointerUp = (e: PointerEvent) => {
    pointers.delete(e.pointerId)
    const g = gesture()
    if (g?.kind === 'pinch') {
      // One finger left after a pinch pans from where it is, never draws.
      const [rest] = [...pointers.entries()]
      setGesture(rest ? { kind: 'pan', pointerId: rest[0], x: rest[1].x, y: rest[1].y } : null)
      return
    }
    if (!g || g.pointerId !== e.pointerId) return
    setGesture(null)
    if (e.type === 'pointercancel') return
    if (g.kind === 'draw') finish(g.points)
    if ((g.kind === 'move' || g.kind === 'resize') && g.now !== g.shape) reshape(g.id, g.now)
  }

  const onWheel = (e: WheelEvent) => {
    e.preventDefault()
    const p = local(e)
    const c = s.camera()
    // Ctrl/⌘ (and a trackpad pinch, which arrives as ctrl+wheel) or a mouse wheel notch zooms;
    // a trackpad's two-finger scroll pans.
    const mouseWheel = e.deltaMode !== 0 || (e.deltaX === 0 && Math.abs(e.deltaY) >= 50)
    if (e.ctrlKey || e.metaKey || mouseWheel) {
      const step = Math.max(
        -10,
        Math.min(10, e.deltaMode === 1 ? e.deltaY * 10 : e.deltaY / (mouseWheel ? 10 : 1)),
      )
      s.setCamera(zoomAt(c, c.z * Math.exp(-step * 0.02), p.x, p.y))
    } else {
      s.setCamera({ ...c, x: c.x - e.deltaX, y: c.y - e.deltaY })
    }
  }

  const onKeyDown = (e: KeyboardEvent) => {
    const c = s.camera()
    const step = e.shiftKey ? 120 : 40
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    }
    const arrow = arrows[e.key]
    const mark = editable(s.selected())
    if (arrow && mark && e.target !== stage) {
      // A focused mark of one's own moves by a screen pixel (ten with Shift).
      e.preventDefault()
      const px = (e.shiftKey ? 10 : 1) / c.z
      reshape(
        mark.id,
        moveShape(mark.shape, {
          x: (arrow[0] * px) / (box().width || 1),
          y: (arrow[1] * px) / (box().height || 1),
        }),
      )
    } else if (arrow && e.target === stage) {
      e.preventDefault()
      s.setCamera({ ...c, x: c.x - arrow[0] * step, y: c.y - arrow[1] * step })
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && mark) {
      e.preventDefault()
      s.setSelected(null)
      deleteAnnotationWithUndo(board, mark.id)
      stage.focus({ preventScroll: true })
    }
    if (e.key === 'Escape') {
      setGesture(null)
      s.setSelected(null)
    }
  }

  onMount(() => {
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return
      const fitted = s.camera().z === 1
      setStageSize({ width: entry.contentRect.width, height: entry.contentRect.height })
      if (fitted) s.requestFit('fit')
    })
    observer.observe(stage)
    stage.addEventListener('wheel', onWheel, { passive: false })
    onCleanup(() => {
      observer.disconnect()
      stage.removeEventListener('wheel', onWheel)
    })
  })

  /** Follows the video element the viewer shows (a new one for each version). */
  const attachVideo = (video: HTMLVideoElement) => {
    const player = makePlayer(() => [video], s.fps)
    s.setPlayer(player)
    const stop = watchVideoClock(video, {
      fps: s.fps,
      onFrame: (frame, ms) => {
        s.setFrame(frame)
        s.setTime(ms)
      },
      onPlaying: s.setPlaying,
      onMeasuredFps: (fps) => {
        const f = file()
        if (f && f.fps === undefined) s.setMeasuredFps(f.hash, fps)
      },
    })
    const onDuration = () =>
      s.setDuration(Number.isFinite(video.duration) ? video.duration * 1000 : 0)
    video.addEventListener('durationchange', onDuration)
    video.addEventListener(
      'loadedmetadata',
      () => {
        const frame = s.takePendingFrame()
        if (frame !== null) player.seekFrame(frame)
      },
      { once: true },
    )
    onCleanup(() => {
      stop()
      video.removeEventListener('durationchange', onDuration)
      if (s.player() === player) {
        s.setPlayer(null)
        s.setPlaying(false)
      }
    })
  }

  const draft = () => {
    const g = gesture()
    return g?.kind === 'draw' ? g.points : []
  }
  const editing = () => {
    const g = gesture()
    return g?.kind === 'move' || g?.kind === 'resize' ? g : null
  }
  const handlesFor = () => {
    const mark = editable(s.selected())
    if (!mark) return null
    const g = editing()
    return g?.id === mark.id ? g.now : mark.shape
  }
  const transform = () => {
    const c = s.camera()
    return `translate(${c.x}px, ${c.y}px) scale(${c.z})`
  }
  const cursorClass = () =>
    s.tool() === 'hand' || gesture()?.kind === 'pan'
      ? 'grab'
      : s.tool() === 'select'
        ? 'default'
        : 'crosshair'

  return (
    <div
      ref={stage}
      class={`stage cursor-${cursorClass()}`}
      data-testid="stage"
      data-player={isVideo() ? '' : undefined}
      data-frame={isVideo() ? s.frame() : undefined}
      tabIndex={0}
      role="group"
      aria-label={`Media viewer, zoom ${s.shownZoom()} %. Arrow keys pan; + and − zoom.${
        isVideo() ? ' Space plays; comma and period step a frame; J, K, L shuttle.' : ''
      }`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onPointerLeave={() => board.presence.moveCursor(null)}
      onKeyDown={onKeyDown}
    >
      <Show
        when={current()}
        fallback={
          <div class="stage-empty">
            <EmptyState icon={<ImageIcon size={28} />} title="Nothing to review yet">
              {board.readOnly()
                ? 'Media added to this board will show here.'
                : board.canEdit()
                  ? 'Drop images or videos here, or use Upload.'
                  : 'Media the editors add will show here.'}
            </EmptyState>
          </div>
        }
      >
        {(m) => (
          <div
            class="world"
            style={{
              width: `${box().width}px`,
              height: `${box().height}px`,
              transform: transform(),
            }}
          >
            <Show when={file()?.hash} keyed>
              {(hash) => (
                <Show
                  when={m().kind === 'video'}
                  fallback={
                    <img
                      src={mediaUrl(`/api/media/${hash}`)}
                      alt={m().name}
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
                    ref={attachVideo}
                    src={mediaUrl(`/api/media/${hash}`)}
                    preload="auto"
                    playsinline
                    data-testid="video"
                    onLoadedMetadata={(e) =>
                      setNatural({
                        width: e.currentTarget.videoWidth,
                        height: e.currentTarget.videoHeight,
                      })
                    }
                  />
                </Show>
              )}
            </Show>
            <svg
              class="layer"
              viewBox={`0 0 ${box().width || 1} ${box().height || 1}`}
              width={box().width}
              height={box().height}
              data-testid="annotation-layer"
              aria-label="Annotations"
              role="group"
            >
              <For each={visible()}>
                {(entry) => (
                  <ShapeView
                    annotation={entry.mark}
                    shape={editing()?.id === entry.mark.id ? editing()?.now : null}
                    box={box()}
                    zoom={s.camera().z}
                    author={board.nameOf(entry.mark.authorId)}
                    selected={s.selected() === entry.mark.id}
                    earlier={entry.earlier}
                    visited={
                      !board.version && !!board.sinceLastVisit.of('annotation', entry.mark.id)
                    }
                    onActivate={() => props.onSelectAnnotation(entry.mark)}
                  />
                )}
              </For>
              <Show when={handlesFor()}>
                {(shape) => <SelectionHandles shape={shape()} box={box()} zoom={s.camera().z} />}
              </Show>
              <Show when={draft().length > 1}>
                <polyline
                  class="draft"
                  points={draft()
                    .map((p) => `${p.x * box().width},${p.y * box().height}`)
                    .join(' ')}
                  fill="none"
                  stroke={s.color()}
                  stroke-width="3"
                  vector-effect="non-scaling-stroke"
                />
              </Show>
            </svg>
            <Show when={board.presence.showCursors()}>
              <For
                each={board.presence
                  .peers()
                  .filter((p) => p.cursor && p.cursor.mediaId === board.selectedMedia())}
              >
                {(peer) => (
                  <span
                    class="cursor"
                    data-testid={`cursor-${peer.user.id}`}
                    style={{
                      left: `${(peer.cursor?.x ?? 0) * 100}%`,
                      top: `${(peer.cursor?.y ?? 0) * 100}%`,
                      transform: `scale(${1 / s.camera().z})`,
                      color: peer.user.color,
                    }}
                  >
                    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
                      <path
                        d="M1 1l5 14 2-6 6-2z"
                        fill="currentColor"
                        stroke="#fff"
                        stroke-width="1.2"
                      />
                    </svg>
                    <span class="cursor-name" style={{ background: peer.user.color }}>
                      {peer.user.name}
                    </span>
                  </span>
                )}
              </For>
            </Show>
          </div>
        )}
      </Show>
    </div>
  )
}

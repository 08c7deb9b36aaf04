/**
 * The media viewer: the media and its annotation layer in one transformed box, so marks stay
 * attached at any zoom (coordinates are 0..1 of the media, docs/product.md). Zoom and pan by
 * wheel (Ctrl/⌘ or a mouse wheel zooms, a trackpad pans), pinch, keyboard and the buttons.
 * Pointer events draw, select and move with mouse, pen and touch alike; once a pen is seen,
 * one finger pans instead of drawing (so a palm or finger never marks while a pen is in use).
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
import { EmptyState } from '../ui/EmptyState.tsx'
import { ShapeView } from './ShapeView.tsx'
import type { Tool, ViewerState } from './viewer-state.ts'

type Gesture =
  | { kind: 'draw'; pointerId: number; points: Point[] }
  | { kind: 'pan'; pointerId: number; x: number; y: number }
  | { kind: 'move'; pointerId: number; id: string; start: Point; offset: Point }
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
  const box = createMemo(() => fitBox(stageSize(), natural()))
  createEffect(() => s.setFitScale(natural().width ? box().width / natural().width : 1))

  createEffect(
    on(current, (m) => {
      setNatural({ width: m?.width ?? 0, height: m?.height ?? 0 })
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

  const visible = createMemo(() =>
    Object.values(board.annotations).filter(
      (a) =>
        a &&
        a.mediaId === board.selectedMedia() &&
        (a.timeMs === undefined ||
          current()?.kind !== 'video' ||
          Math.abs(s.time() - a.timeMs) < 1000),
    ),
  )

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
    const video = s.video
    board.conn.transact((doc) =>
      createAnnotation(doc, {
        id,
        mediaId,
        shape,
        color: s.color(),
        authorId: board.me.id,
        ...(current()?.kind === 'video' && video
          ? { timeMs: Math.round(video.currentTime * 1000) }
          : {}),
      }),
    )
    board.conn.undo.stopCapturing()
    const created = board.annotations[id]
    if (created) props.onSelectAnnotation(created)
  }

  const moveAnnotation = (id: string, by: Point) => {
    const map = boardTypes(board.conn.doc).annotations.get(id)
    const shape = map?.get('shape')
    if (!map || !shape) return
    const clamp = (v: number) => Math.min(1, Math.max(0, v))
    const p = (q: Point) => ({ x: clamp(q.x + by.x), y: clamp(q.y + by.y) })
    const moved: Shape =
      shape.type === 'pin'
        ? { ...shape, ...p(shape) }
        : shape.type === 'rect'
          ? { ...shape, ...p(shape) }
          : shape.type === 'ellipse'
            ? { ...shape, cx: clamp(shape.cx + by.x), cy: clamp(shape.cy + by.y) }
            : shape.type === 'arrow'
              ? { ...shape, from: p(shape.from), to: p(shape.to) }
              : { ...shape, points: shape.points.map(p) }
    board.conn.transact(() => map.set('shape', moved))
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
    const target = (e.target as Element).closest?.('[data-annotation-id]')
    const hitId = target?.getAttribute('data-annotation-id') ?? null
    const hit = hitId ? board.annotations[hitId] : undefined
    const tool = s.tool()
    const fingerWhilePen = e.pointerType === 'touch' && penSeen()
    if (e.button === 1 || tool === 'hand' || fingerWhilePen || !current()) {
      setGesture({ kind: 'pan', pointerId: e.pointerId, ...local(e) })
      return
    }
    if (hit) {
      props.onSelectAnnotation(hit)
      if (
        tool === 'select' &&
        (board.canEdit() || (!board.readOnly() && hit.authorId === board.me.id))
      )
        setGesture({
          kind: 'move',
          pointerId: e.pointerId,
          id: hit.id,
          start: mediaPoint(e),
          offset: { x: 0, y: 0 },
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
    if ('pointerId' in g && g.pointerId !== e.pointerId) return
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
      setGesture({ ...g, offset: { x: p.x - g.start.x, y: p.y - g.start.y } })
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
    if (!g || ('pointerId' in g && g.pointerId !== e.pointerId)) return
    setGesture(null)
    if (e.type === 'pointercancel') return
    if (g.kind === 'draw') finish(g.points)
    if (g.kind === 'move' && (g.offset.x || g.offset.y)) moveAnnotation(g.id, g.offset)
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
    const pan = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    }[e.key]
    if (pan && e.target === stage) {
      e.preventDefault()
      s.setCamera({ ...c, x: c.x + (pan[0] ?? 0), y: c.y + (pan[1] ?? 0) })
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && s.selected()) {
      const a = board.annotations[s.selected() as string]
      if (a && a.authorId === board.me.id && !board.readOnly()) {
        board.conn.transact((doc) => boardTypes(doc).annotations.delete(a.id))
        s.setSelected(null)
      }
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

  const draft = () => {
    const g = gesture()
    return g?.kind === 'draw' ? g.points : []
  }
  const moving = () => {
    const g = gesture()
    return g?.kind === 'move' ? g : null
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
      tabIndex={0}
      role="group"
      aria-label={`Media viewer, zoom ${s.shownZoom()} %. Arrow keys pan; + and − zoom.`}
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
                : 'Drop images or videos here, or use Upload.'}
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
            <Show
              when={m().kind === 'video'}
              fallback={
                <img
                  src={mediaUrl(`/api/media/${m().hash}`)}
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
                ref={(el) => (s.video = el)}
                src={mediaUrl(`/api/media/${m().hash}`)}
                preload="metadata"
                playsinline
                onLoadedMetadata={(e) =>
                  setNatural({
                    width: e.currentTarget.videoWidth,
                    height: e.currentTarget.videoHeight,
                  })
                }
                onTimeUpdate={(e) => s.setTime(e.currentTarget.currentTime * 1000)}
                onSeeked={(e) => s.setTime(e.currentTarget.currentTime * 1000)}
              />
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
                {(a) => (
                  <ShapeView
                    annotation={a}
                    box={box()}
                    zoom={s.camera().z}
                    author={board.nameOf(a.authorId)}
                    selected={s.selected() === a.id}
                    offset={moving()?.id === a.id ? moving()?.offset : null}
                    onActivate={() => props.onSelectAnnotation(a)}
                  />
                )}
              </For>
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

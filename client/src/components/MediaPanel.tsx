import getStroke from 'perfect-freehand'
import { createSignal, For, Show } from 'solid-js'
import { newId } from '../../../shared/ids.ts'
import {
  addMedia,
  board,
  createAnnotation,
  type AnnotationFields,
  type MediaFields,
  type Point,
  type Shape,
} from '../../../shared/schema/board.ts'
import { api, mediaUrl } from '../lib/api.ts'
import type { BoardConnection } from '../lib/board.ts'
import type { Locks } from '../lib/locks.ts'
import type { Peer, Presence } from '../lib/presence.ts'

type Tool = 'pin' | 'rect' | 'ellipse' | 'arrow' | 'path'
const tools: Array<[Tool, string]> = [
  ['pin', 'Pin'],
  ['rect', 'Rectangle'],
  ['ellipse', 'Ellipse'],
  ['arrow', 'Arrow'],
  ['path', 'Freehand'],
]

/** Media with an SVG annotation layer (coordinates normalised 0..1) and live cursors. */
export function MediaPanel(props: {
  conn: BoardConnection
  boardId: string
  media: Record<string, MediaFields>
  annotations: Record<string, AnnotationFields>
  me: { id: string; color: string }
  readOnly: boolean
  presence: Presence
  peers: Peer[]
  selectedMedia: string | null
  locks: Locks
  onSelectMedia: (id: string) => void
  onSelectAnnotation: (annotation: AnnotationFields) => void
}) {
  const [tool, setTool] = createSignal<Tool>('pin')
  const [progress, setProgress] = createSignal<number | null>(null)
  const [error, setError] = createSignal('')
  const [draft, setDraft] = createSignal<Point[]>([])
  let video: HTMLVideoElement | undefined
  const current = () => (props.selectedMedia ? props.media[props.selectedMedia] : undefined)
  const visible = () =>
    Object.values(props.annotations).filter(
      (a) =>
        a &&
        a.mediaId === props.selectedMedia &&
        (a.timeMs === undefined || !video || Math.abs(video.currentTime * 1000 - a.timeMs) < 1000),
    )
  const point = (e: PointerEvent): Point => {
    const box = (e.currentTarget as SVGSVGElement).getBoundingClientRect()
    return {
      x: Math.min(1, Math.max(0, (e.clientX - box.left) / box.width)),
      y: Math.min(1, Math.max(0, (e.clientY - box.top) / box.height)),
    }
  }
  const finish = (points: Point[]) => {
    const [a, b] = [points[0], points.at(-1)]
    if (!a || !b || !props.selectedMedia) return
    const shape: Shape =
      tool() === 'pin'
        ? { type: 'pin', x: a.x, y: a.y }
        : tool() === 'rect'
          ? {
              type: 'rect',
              x: Math.min(a.x, b.x),
              y: Math.min(a.y, b.y),
              w: Math.abs(b.x - a.x),
              h: Math.abs(b.y - a.y),
            }
          : tool() === 'ellipse'
            ? {
                type: 'ellipse',
                cx: (a.x + b.x) / 2,
                cy: (a.y + b.y) / 2,
                rx: Math.abs(b.x - a.x) / 2,
                ry: Math.abs(b.y - a.y) / 2,
              }
            : tool() === 'arrow'
              ? { type: 'arrow', from: a, to: b }
              : { type: 'path', points }
    const id = newId()
    const kind = current()?.kind
    props.conn.transact((doc) =>
      createAnnotation(doc, {
        id,
        mediaId: props.selectedMedia as string,
        shape,
        color: props.me.color,
        authorId: props.me.id,
        ...(kind === 'video' && video ? { timeMs: Math.round(video.currentTime * 1000) } : {}),
      }),
    )
    const created = props.annotations[id]
    if (created) props.onSelectAnnotation(created)
  }
  const upload = async (file: File) => {
    setError('')
    setProgress(0)
    try {
      const { media } = await api.upload(props.boardId, file, setProgress)
      const size =
        media.kind === 'image'
          ? await imageSize(mediaUrl(media.url))
          : { width: undefined, height: undefined }
      const id = newId()
      props.conn.transact((doc) =>
        addMedia(doc, {
          id,
          kind: media.kind,
          hash: media.hash,
          name: file.name,
          bytes: media.bytes,
          addedBy: props.me.id,
          ...size,
        }),
      )
      props.onSelectMedia(id)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setProgress(null)
    }
  }
  return (
    <section class="media" aria-label="Media">
      <div class="media-list">
        <For each={Object.values(props.media).filter(Boolean)}>
          {(m) => (
            <button
              type="button"
              classList={{ selected: props.selectedMedia === m.id }}
              onClick={() => props.onSelectMedia(m.id)}
            >
              {m.kind === 'video' ? '🎬' : '🖼'} {m.name}
            </button>
          )}
        </For>
        <Show when={!props.readOnly}>
          <label class="upload">
            Upload media{' '}
            <input
              type="file"
              accept="image/*,video/*"
              onChange={(e) => e.currentTarget.files?.[0] && void upload(e.currentTarget.files[0])}
            />
          </label>
        </Show>
        <Show when={progress() !== null}>
          <progress max="1" value={progress() ?? 0} aria-label="Upload progress" />
        </Show>
        <Show when={error()}>
          <p role="alert" class="error">
            {error()}
          </p>
        </Show>
      </div>
      <Show when={current()}>
        {(m) => (
          <Approval
            conn={props.conn}
            media={m()}
            me={props.me}
            locks={props.locks}
            readOnly={props.readOnly}
          />
        )}
      </Show>
      <Show when={!props.readOnly}>
        <div class="tools" role="toolbar" aria-label="Annotation tools">
          <For each={tools}>
            {([id, label]) => (
              <button type="button" aria-pressed={tool() === id} onClick={() => setTool(id)}>
                {label}
              </button>
            )}
          </For>
        </div>
      </Show>
      <div class="stage" data-testid="stage">
        <Show
          when={current()}
          fallback={
            <div class="placeholder">
              No media selected — upload an image or video, or draw on this sheet.
            </div>
          }
        >
          {(m) => (
            <Show
              when={m().kind === 'video'}
              fallback={<img src={mediaUrl(`/api/media/${m().hash}`)} alt={m().name} />}
            >
              <video ref={video} src={mediaUrl(`/api/media/${m().hash}`)} controls />
            </Show>
          )}
        </Show>
        <svg
          class="layer"
          viewBox="0 0 1 1"
          preserveAspectRatio="none"
          data-testid="annotation-layer"
          onPointerDown={(e) => !props.readOnly && props.selectedMedia && setDraft([point(e)])}
          onPointerMove={(e) => {
            const p = point(e)
            if (props.selectedMedia)
              props.presence.moveCursor({ mediaId: props.selectedMedia, ...p })
            if (draft().length > 0) setDraft([...draft(), p])
          }}
          onPointerUp={() => {
            if (draft().length > 0) finish(draft())
            setDraft([])
          }}
        >
          <For each={visible()}>
            {(a) => <ShapeView annotation={a} onClick={() => props.onSelectAnnotation(a)} />}
          </For>
          <Show when={draft().length > 1}>
            <polyline
              points={draft()
                .map((p) => `${p.x},${p.y}`)
                .join(' ')}
              fill="none"
              stroke={props.me.color}
              stroke-width="0.004"
            />
          </Show>
        </svg>
        <Show when={props.presence.showCursors()}>
          <For
            each={props.peers.filter((p) => p.cursor && p.cursor.mediaId === props.selectedMedia)}
          >
            {(peer) => (
              <span
                class="cursor"
                data-testid={`cursor-${peer.user.id}`}
                style={{
                  left: `${(peer.cursor?.x ?? 0) * 100}%`,
                  top: `${(peer.cursor?.y ?? 0) * 100}%`,
                  color: peer.user.color,
                }}
              >
                ▲ <span style={{ background: peer.user.color }}>{peer.user.name}</span>
              </span>
            )}
          </For>
        </Show>
      </div>
    </section>
  )
}

type ApprovableMedia = MediaFields & { approvedBy?: string | null; approvedAt?: number | null }

/**
 * Approving a media item must not collide ("who overwrote my approval?"): it takes the item's
 * lock, sets the approval, and releases; while someone else holds it, the button is disabled
 * and shows who, with "notify me when free".
 */
function Approval(props: {
  conn: BoardConnection
  media: ApprovableMedia
  me: { id: string }
  locks: Locks
  readOnly: boolean
}) {
  const holder = () => props.locks.holderOf('media', props.media.id)
  const lockedByOther = () => !!holder() && holder()?.id !== props.me.id
  const toggle = async () => {
    if (!(await props.locks.take('media', props.media.id))) return
    props.conn.transact((doc) => {
      const item = board(doc).media.get(props.media.id) as unknown as
        { set(k: string, v: unknown): void } | undefined
      const approve = !props.media.approvedBy
      item?.set('approvedBy', approve ? props.me.id : null)
      item?.set('approvedAt', approve ? Date.now() : null)
    })
    await props.locks.release('media', props.media.id)
  }
  return (
    <p class="approval">
      <Show when={props.media.approvedBy} fallback={<span class="muted">Not approved</span>}>
        <strong>✓ Approved</strong>
      </Show>{' '}
      <Show when={!props.readOnly}>
        <button type="button" disabled={lockedByOther()} onClick={() => void toggle()}>
          {props.media.approvedBy ? 'Withdraw approval' : 'Approve'}
        </button>
      </Show>
      <Show when={lockedByOther()}>
        <span class="lock-badge">
          🔒 Locked by {holder()?.name}{' '}
          <button
            type="button"
            class="link"
            onClick={() => void props.locks.notifyWhenFree('media', props.media.id)}
          >
            Notify me when free
          </button>
        </span>
      </Show>
    </p>
  )
}

function ShapeView(props: { annotation: AnnotationFields; onClick: () => void }) {
  const s = () => props.annotation.shape
  // Stroke widths in screen pixels: the layer's viewBox is 0..1, stretched to the media.
  const common = () => ({
    stroke: props.annotation.color,
    'stroke-width': '3',
    fill: 'none',
    'vector-effect': 'non-scaling-stroke',
  })
  return (
    <g
      class="annotation"
      role="button"
      tabIndex={0}
      aria-label={`${s().type} annotation`}
      onClick={props.onClick}
      onKeyDown={(e) => e.key === 'Enter' && props.onClick()}
      data-testid={`annotation-${props.annotation.id}`}
    >
      {(() => {
        const shape = s()
        switch (shape.type) {
          case 'pin':
            return <circle cx={shape.x} cy={shape.y} r="0.015" fill={props.annotation.color} />
          case 'rect':
            return <rect x={shape.x} y={shape.y} width={shape.w} height={shape.h} {...common()} />
          case 'ellipse':
            return <ellipse cx={shape.cx} cy={shape.cy} rx={shape.rx} ry={shape.ry} {...common()} />
          case 'arrow':
            return (
              <line
                x1={shape.from.x}
                y1={shape.from.y}
                x2={shape.to.x}
                y2={shape.to.y}
                {...common()}
                marker-end="url(#arrow)"
              />
            )
          case 'path': {
            const outline = getStroke(
              shape.points.map((p) => [p.x * 1000, p.y * 1000]),
              { size: 6 },
            )
            const d = outline
              .map(([x, y], i) => `${i ? 'L' : 'M'}${(x ?? 0) / 1000},${(y ?? 0) / 1000}`)
              .join(' ')
            return <path d={`${d} Z`} fill={props.annotation.color} />
          }
          default:
            return null
        }
      })()}
    </g>
  )
}

function imageSize(url: string): Promise<{ width?: number; height?: number }> {
  return new Promise((resolve) => {
    const img = new Image()
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight })
    img.onerror = () => resolve({})
    img.src = url
  })
}

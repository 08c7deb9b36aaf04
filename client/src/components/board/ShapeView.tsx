import getStroke from 'perfect-freehand'
import { Show } from 'solid-js'
import type { AnnotationFields, Shape } from '../../../../shared/schema/board.ts'
import type { Size } from '../../lib/camera.ts'
import { shapeName } from '../../lib/words.ts'

/**
 * One annotation in the media's box (`box` = the fitted size, so 0..1 coordinates become
 * CSS pixels at zoom 1). Strokes, pins and arrowheads are screen-sized (non-scaling): they stay
 * thin and tappable at any zoom. Each is a focusable button named for people ("Rectangle by
 * Olive"). `shape` overrides the stored one while it is being moved or resized; an `earlier`
 * mark (from the previous version) is drawn faded; a `visited` one (added or changed by others
 * since this person's last visit) glows in the accent colour.
 */
export function ShapeView(props: {
  annotation: AnnotationFields
  shape?: Shape | null
  box: Size
  zoom: number
  author: string
  selected: boolean
  earlier?: boolean
  visited?: boolean
  onActivate: () => void
}) {
  const w = () => props.box.width
  const h = () => props.box.height
  const shape = () => props.shape ?? props.annotation.shape
  const stroke = () => ({
    stroke: props.annotation.color,
    'stroke-width': props.selected ? '4' : '3',
    fill: 'none',
    'vector-effect': 'non-scaling-stroke',
    'stroke-linecap': 'round' as const,
  })
  const halo = () => ({
    stroke: 'rgb(0 0 0 / 0.55)',
    'stroke-width': props.selected ? '7' : '5',
    fill: 'none',
    'vector-effect': 'non-scaling-stroke',
    'stroke-linecap': 'round' as const,
  })
  // An invisible wide stroke: a thin mark is still easy to hit with a finger or a pen.
  const hit = () => ({
    stroke: 'transparent',
    'stroke-width': '16',
    fill: 'none',
    'vector-effect': 'non-scaling-stroke',
    'pointer-events': 'stroke',
  })
  /** An arrow: a shaft to the base of a filled head whose tip is the arrow's end. */
  const arrow = () => {
    const s = shape()
    if (s.type !== 'arrow') return null
    const [x1, y1, x2, y2] = [s.from.x * w(), s.from.y * h(), s.to.x * w(), s.to.y * h()]
    const angle = Math.atan2(y2 - y1, x2 - x1)
    const length = Math.hypot(x2 - x1, y2 - y1)
    // 16 screen pixels long, never longer than the arrow itself.
    const head = Math.min(16 / props.zoom, length)
    const wing = (a: number) =>
      `${x2 - head * Math.cos(angle + a)},${y2 - head * Math.sin(angle + a)}`
    const base = { x: x2 - head * 0.8 * Math.cos(angle), y: y2 - head * 0.8 * Math.sin(angle) }
    return { x1, y1, base, points: `${x2},${y2} ${wing(0.42)} ${wing(-0.42)}` }
  }
  const body = (style: () => Record<string, string>) => {
    const s = shape()
    switch (s.type) {
      case 'rect':
        return (
          <rect x={s.x * w()} y={s.y * h()} width={s.w * w()} height={s.h * h()} {...style()} />
        )
      case 'ellipse':
        return (
          <ellipse cx={s.cx * w()} cy={s.cy * h()} rx={s.rx * w()} ry={s.ry * h()} {...style()} />
        )
      case 'arrow': {
        const a = arrow()
        if (!a) return null
        return (
          <>
            <line x1={a.x1} y1={a.y1} x2={a.base.x} y2={a.base.y} {...style()} />
            <polygon
              class="arrowhead"
              points={a.points}
              {...style()}
              stroke-linejoin="round"
              fill={
                style === stroke ? props.annotation.color : style === hit ? 'transparent' : 'none'
              }
              pointer-events={style === hit ? 'all' : undefined}
            />
          </>
        )
      }
      default:
        return null
    }
  }
  const path = () => {
    const s = shape()
    if (s.type !== 'path') return ''
    const size = 5 / props.zoom
    const outline = getStroke(
      s.points.map((p) => [p.x * w(), p.y * h()]),
      { size, thinning: 0.5, smoothing: 0.5, streamline: 0.4 },
    )
    return `${outline.map(([x, y], i) => `${i ? 'L' : 'M'}${x ?? 0},${y ?? 0}`).join(' ')} Z`
  }
  const label = () =>
    `${shapeName[props.annotation.shape.type] ?? 'Annotation'} by ${props.author}${
      props.earlier ? `, from version ${props.annotation.version ?? 1}` : ''
    }`
  return (
    <g
      class="annotation"
      classList={{
        selected: props.selected,
        earlier: !!props.earlier,
        visited: !!props.visited,
      }}
      data-visited={props.visited ? '' : undefined}
      role="button"
      tabIndex={0}
      aria-label={label()}
      aria-pressed={props.selected}
      data-annotation-id={props.annotation.id}
      data-testid={`annotation-${props.annotation.id}`}
      onKeyDown={(e) =>
        (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onActivate())
      }
    >
      <Show
        when={shape().type === 'pin' && (shape() as Extract<Shape, { type: 'pin' }>)}
        fallback={
          <Show
            when={shape().type === 'path'}
            fallback={
              <>
                {body(hit)}
                {body(halo)}
                {body(stroke)}
              </>
            }
          >
            <path
              d={path()}
              fill={props.annotation.color}
              stroke="rgb(0 0 0 / 0.5)"
              stroke-width="1"
              vector-effect="non-scaling-stroke"
            />
          </Show>
        }
      >
        {(pin) => (
          <g transform={`translate(${pin().x * w()} ${pin().y * h()}) scale(${1 / props.zoom})`}>
            <circle r="11" fill="rgb(0 0 0 / 0.45)" />
            <circle r="8" fill={props.annotation.color} stroke="#fff" stroke-width="2.5" />
          </g>
        )}
      </Show>
    </g>
  )
}

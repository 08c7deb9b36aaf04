import getStroke from 'perfect-freehand'
import { Show } from 'solid-js'
import type { AnnotationFields, Point } from '../../../../shared/schema/board.ts'
import type { Size } from '../../lib/camera.ts'
import { shapeName } from '../../lib/words.ts'

/**
 * One annotation in the media's box (`box` = the fitted size, so 0..1 coordinates become
 * CSS pixels at zoom 1). Strokes and pins are screen-sized (non-scaling): they stay thin and
 * tappable at any zoom. Each is a focusable button named for people ("Rectangle by Olive").
 */
export function ShapeView(props: {
  annotation: AnnotationFields
  box: Size
  zoom: number
  author: string
  selected: boolean
  offset?: Point | null
  onActivate: () => void
}) {
  const w = () => props.box.width
  const h = () => props.box.height
  const dx = () => (props.offset?.x ?? 0) * w()
  const dy = () => (props.offset?.y ?? 0) * h()
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
  const body = (style: () => Record<string, string>) => {
    const s = props.annotation.shape
    switch (s.type) {
      case 'pin':
        return null
      case 'rect':
        return (
          <rect x={s.x * w()} y={s.y * h()} width={s.w * w()} height={s.h * h()} {...style()} />
        )
      case 'ellipse':
        return (
          <ellipse cx={s.cx * w()} cy={s.cy * h()} rx={s.rx * w()} ry={s.ry * h()} {...style()} />
        )
      case 'arrow': {
        const [x1, y1, x2, y2] = [s.from.x * w(), s.from.y * h(), s.to.x * w(), s.to.y * h()]
        const angle = Math.atan2(y2 - y1, x2 - x1)
        const head = 14 / props.zoom
        const wing = (a: number) =>
          `${x2 - head * Math.cos(angle + a)},${y2 - head * Math.sin(angle + a)}`
        return (
          <>
            <line x1={x1} y1={y1} x2={x2} y2={y2} {...style()} />
            <polyline points={`${wing(0.45)} ${x2},${y2} ${wing(-0.45)}`} {...style()} />
          </>
        )
      }
      default:
        return null
    }
  }
  const path = () => {
    const s = props.annotation.shape
    if (s.type !== 'path') return ''
    const size = 5 / props.zoom
    const outline = getStroke(
      s.points.map((p) => [p.x * w(), p.y * h()]),
      { size, thinning: 0.5, smoothing: 0.5, streamline: 0.4 },
    )
    return `${outline.map(([x, y], i) => `${i ? 'L' : 'M'}${x ?? 0},${y ?? 0}`).join(' ')} Z`
  }
  const label = () => `${shapeName[props.annotation.shape.type] ?? 'Annotation'} by ${props.author}`
  return (
    <g
      class="annotation"
      classList={{ selected: props.selected }}
      role="button"
      tabIndex={0}
      aria-label={label()}
      aria-pressed={props.selected}
      data-annotation-id={props.annotation.id}
      data-testid={`annotation-${props.annotation.id}`}
      transform={`translate(${dx()} ${dy()})`}
      onKeyDown={(e) =>
        (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onActivate())
      }
    >
      <Show
        when={props.annotation.shape.type === 'pin' && props.annotation.shape}
        fallback={
          <Show
            when={props.annotation.shape.type === 'path'}
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

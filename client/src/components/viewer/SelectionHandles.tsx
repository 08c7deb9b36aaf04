/**
 * Handles on the selected annotation, when this person may change it: box corners and edges,
 * or an arrow's two ends. Screen-sized at any zoom, with a larger hit area on touch screens.
 * The viewer's pointer handler finds them by `data-handle`.
 */
import { For } from 'solid-js'
import type { Shape } from '../../../../shared/schema/board.ts'
import type { Size } from '../../lib/camera.ts'
import { bounds, handles } from '../../lib/shape-edit.ts'

const coarse = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches

export function SelectionHandles(props: { shape: Shape; box: Size; zoom: number }) {
  const size = () => 10 / props.zoom
  const reach = () => (coarse ? 44 : 20) / props.zoom
  const frame = () => {
    const b = bounds(props.shape)
    return {
      x: b.x * props.box.width,
      y: b.y * props.box.height,
      w: b.w * props.box.width,
      h: b.h * props.box.height,
    }
  }
  return (
    <g class="selection" data-testid="selection">
      {props.shape.type !== 'arrow' && props.shape.type !== 'pin' ? (
        <rect
          class="selection-frame"
          x={frame().x}
          y={frame().y}
          width={frame().w}
          height={frame().h}
          vector-effect="non-scaling-stroke"
        />
      ) : null}
      <For each={handles(props.shape)}>
        {(handle) => {
          const x = () => handle.at.x * props.box.width
          const y = () => handle.at.y * props.box.height
          return (
            <g data-handle={handle.id} class={`handle handle-${handle.id}`}>
              <rect
                class="handle-reach"
                x={x() - reach() / 2}
                y={y() - reach() / 2}
                width={reach()}
                height={reach()}
              />
              <rect
                class="handle-dot"
                x={x() - size() / 2}
                y={y() - size() / 2}
                width={size()}
                height={size()}
                rx={2 / props.zoom}
                vector-effect="non-scaling-stroke"
              />
            </g>
          )
        }}
      </For>
    </g>
  )
}

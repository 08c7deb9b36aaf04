/**
 * Moving and resizing an annotation's shape, in media coordinates (0..1, docs/product.md):
 * pure functions the viewer's selection handles call. Nothing leaves the media: points are
 * clamped to it, and a move stops at its edge rather than squashing the shape.
 */
import type { Point, Shape } from '../../../shared/schema/board.ts'

export interface Bounds {
  x: number
  y: number
  w: number
  h: number
}

/** A handle on a selected shape: box corners and edges, or an arrow's two ends. */
export type HandleId = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w' | 'from' | 'to'

const clamp = (v: number) => Math.min(1, Math.max(0, v))

export function bounds(shape: Shape): Bounds {
  switch (shape.type) {
    case 'pin':
      return { x: shape.x, y: shape.y, w: 0, h: 0 }
    case 'rect':
      return { x: shape.x, y: shape.y, w: shape.w, h: shape.h }
    case 'ellipse':
      return { x: shape.cx - shape.rx, y: shape.cy - shape.ry, w: shape.rx * 2, h: shape.ry * 2 }
    case 'arrow':
    case 'path': {
      const points = shape.type === 'arrow' ? [shape.from, shape.to] : shape.points
      const xs = points.map((p) => p.x)
      const ys = points.map((p) => p.y)
      const x = Math.min(...xs)
      const y = Math.min(...ys)
      return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y }
    }
  }
}

/** Moves a shape by `by`, as far as the media's edges let its bounding box go. */
export function moveShape(shape: Shape, by: Point): Shape {
  const b = bounds(shape)
  const dx = Math.min(1 - (b.x + b.w), Math.max(-b.x, by.x))
  const dy = Math.min(1 - (b.y + b.h), Math.max(-b.y, by.y))
  const p = (q: Point) => ({ x: q.x + dx, y: q.y + dy })
  switch (shape.type) {
    case 'pin':
    case 'rect':
      return { ...shape, ...p(shape) }
    case 'ellipse':
      return { ...shape, cx: shape.cx + dx, cy: shape.cy + dy }
    case 'arrow':
      return { ...shape, from: p(shape.from), to: p(shape.to) }
    case 'path':
      return { ...shape, points: shape.points.map(p) }
  }
}

/** The handles a shape offers, where they are. A pin has none: it only moves. */
export function handles(shape: Shape): Array<{ id: HandleId; at: Point }> {
  if (shape.type === 'pin') return []
  if (shape.type === 'arrow')
    return [
      { id: 'from', at: shape.from },
      { id: 'to', at: shape.to },
    ]
  const { x, y, w, h } = bounds(shape)
  const [l, c, r] = [x, x + w / 2, x + w]
  const [t, m, b] = [y, y + h / 2, y + h]
  return [
    { id: 'nw', at: { x: l, y: t } },
    { id: 'n', at: { x: c, y: t } },
    { id: 'ne', at: { x: r, y: t } },
    { id: 'e', at: { x: r, y: m } },
    { id: 'se', at: { x: r, y: b } },
    { id: 's', at: { x: c, y: b } },
    { id: 'sw', at: { x: l, y: b } },
    { id: 'w', at: { x: l, y: m } },
  ]
}

/**
 * The shape with `handle` dragged to `to`: an arrow's end moves; a box (rectangle, ellipse,
 * freehand) has that corner or edge moved while the opposite one stays, flipping if dragged
 * past it. A freehand mark is scaled to its new box.
 */
export function resizeShape(shape: Shape, handle: HandleId, to: Point): Shape {
  const at = { x: clamp(to.x), y: clamp(to.y) }
  if (shape.type === 'pin') return shape
  if (shape.type === 'arrow') {
    if (handle === 'from') return { ...shape, from: at }
    if (handle === 'to') return { ...shape, to: at }
    return shape
  }
  const old = bounds(shape)
  let [left, top, right, bottom] = [old.x, old.y, old.x + old.w, old.y + old.h]
  if (handle.includes('w')) left = at.x
  if (handle.includes('e')) right = at.x
  if (handle.includes('n')) top = at.y
  if (handle.includes('s')) bottom = at.y
  const next: Bounds = {
    x: Math.min(left, right),
    y: Math.min(top, bottom),
    w: Math.abs(right - left),
    h: Math.abs(bottom - top),
  }
  switch (shape.type) {
    case 'rect':
      return { ...shape, ...next }
    case 'ellipse':
      return {
        ...shape,
        cx: next.x + next.w / 2,
        cy: next.y + next.h / 2,
        rx: next.w / 2,
        ry: next.h / 2,
      }
    case 'path': {
      // Scaled so each point keeps its place in the box (mirrored if the box flipped).
      const fx = (p: Point) => (old.w ? (p.x - old.x) / old.w : 0.5)
      const fy = (p: Point) => (old.h ? (p.y - old.y) / old.h : 0.5)
      return {
        ...shape,
        points: shape.points.map((p) => ({
          x: left + (right - left) * fx(p),
          y: top + (bottom - top) * fy(p),
        })),
      }
    }
  }
}

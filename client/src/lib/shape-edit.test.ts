import { describe, expect, it } from 'vitest'
import { bounds, handles, moveShape, resizeShape } from './shape-edit.ts'

describe('editing a shape', () => {
  it('moves a shape, stopping at the media’s edge without squashing it', () => {
    const rect = { type: 'rect' as const, x: 0.1, y: 0.1, w: 0.2, h: 0.2 }
    expect(moveShape(rect, { x: 0.3, y: 0.1 })).toMatchObject({ x: 0.4, y: 0.2, w: 0.2, h: 0.2 })
    const pushed = moveShape(rect, { x: 0.9, y: -0.5 })
    expect(pushed).toMatchObject({ y: 0, w: 0.2, h: 0.2 })
    expect((pushed as typeof rect).x).toBeCloseTo(0.8)
    const arrow = { type: 'arrow' as const, from: { x: 0.1, y: 0.5 }, to: { x: 0.4, y: 0.6 } }
    const moved = moveShape(arrow, { x: -0.5, y: 0 })
    expect(moved).toMatchObject({ from: { x: 0 }, to: { y: 0.6 } })
    expect((moved as typeof arrow).to.x).toBeCloseTo(0.3)
  })

  it('resizes a rectangle by a corner or an edge, flipping past the opposite side', () => {
    const rect = { type: 'rect' as const, x: 0.2, y: 0.2, w: 0.2, h: 0.2 }
    expect(resizeShape(rect, 'se', { x: 0.5, y: 0.6 })).toMatchObject({ x: 0.2, y: 0.2 })
    const se = resizeShape(rect, 'se', { x: 0.5, y: 0.6 }) as typeof rect
    expect(se.w).toBeCloseTo(0.3)
    expect(se.h).toBeCloseTo(0.4)
    const e = resizeShape(rect, 'e', { x: 0.1, y: 0.9 }) as typeof rect
    expect(e.x).toBeCloseTo(0.1)
    expect(e.w).toBeCloseTo(0.1)
    expect(e.y).toBeCloseTo(0.2)
    expect(e.h).toBeCloseTo(0.2)
    const clamped = resizeShape(rect, 'nw', { x: -1, y: -1 }) as typeof rect
    expect([clamped.x, clamped.y]).toEqual([0, 0])
  })

  it('resizes an ellipse by its box, an arrow by its ends, a freehand mark to scale', () => {
    const ellipse = { type: 'ellipse' as const, cx: 0.5, cy: 0.5, rx: 0.1, ry: 0.1 }
    const wider = resizeShape(ellipse, 'e', { x: 0.8, y: 0.5 }) as typeof ellipse
    expect(wider.cx).toBeCloseTo(0.6)
    expect(wider.rx).toBeCloseTo(0.2)
    expect(wider.ry).toBeCloseTo(0.1)
    const arrow = { type: 'arrow' as const, from: { x: 0.1, y: 0.1 }, to: { x: 0.2, y: 0.2 } }
    expect(resizeShape(arrow, 'to', { x: 0.9, y: 0.8 })).toMatchObject({ to: { x: 0.9, y: 0.8 } })
    const path = {
      type: 'path' as const,
      points: [
        { x: 0.2, y: 0.2 },
        { x: 0.3, y: 0.4 },
        { x: 0.4, y: 0.2 },
      ],
    }
    const doubled = resizeShape(path, 'se', { x: 0.6, y: 0.6 })
    const b = bounds(doubled)
    expect([b.x, b.y]).toEqual([0.2, 0.2])
    expect(b.w).toBeCloseTo(0.4)
    expect(b.h).toBeCloseTo(0.4)
    expect((doubled as typeof path).points[1]!.x).toBeCloseTo(0.4)
  })

  it('offers box handles, arrow ends, and none on a pin', () => {
    expect(handles({ type: 'pin', x: 0.5, y: 0.5 })).toEqual([])
    expect(
      handles({ type: 'arrow', from: { x: 0, y: 0 }, to: { x: 1, y: 1 } }).map((h) => h.id),
    ).toEqual(['from', 'to'])
    const box = handles({ type: 'rect', x: 0.2, y: 0.2, w: 0.4, h: 0.2 })
    expect(box).toHaveLength(8)
    const se = box.find((h) => h.id === 'se')?.at
    expect(se?.x).toBeCloseTo(0.6)
    expect(se?.y).toBeCloseTo(0.4)
  })
})

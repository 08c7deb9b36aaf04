import { describe, expect, it } from 'vitest'
import { actualSizeZoom, fitBox, fitCamera, toMedia, zoomAt } from './camera.ts'

describe('the viewer camera', () => {
  const stage = { width: 1000, height: 500 }
  const media = { width: 4000, height: 1000 }
  const box = fitBox(stage, media)

  it('fits the media inside the stage, keeping its aspect ratio, centred', () => {
    expect(box).toEqual({ width: 1000, height: 250 })
    expect(fitCamera(stage, box)).toEqual({ x: 0, y: 125, z: 1 })
    expect(actualSizeZoom(box, media)).toBe(4)
  })

  it('keeps the point under the pointer still while zooming', () => {
    const camera = fitCamera(stage, box)
    const before = toMedia(camera, box, 300, 200)
    const zoomed = zoomAt(camera, 3, 300, 200)
    expect(zoomed.z).toBe(3)
    const after = toMedia(zoomed, box, 300, 200)
    expect(after.x).toBeCloseTo(before.x, 10)
    expect(after.y).toBeCloseTo(before.y, 10)
  })

  it('maps stage points to normalised media coordinates at any zoom, clamped to 0..1', () => {
    const camera = zoomAt(fitCamera(stage, box), 2, 500, 250)
    expect(toMedia(camera, box, 500, 250)).toEqual({ x: 0.5, y: 0.5 })
    expect(toMedia(camera, box, -50, 250).x).toBeCloseTo(0.225, 10)
    expect(toMedia(camera, box, -5000, 9999)).toEqual({ x: 0, y: 1 })
  })
})

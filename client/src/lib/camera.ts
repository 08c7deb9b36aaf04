/**
 * The media viewer's camera: a zoom `z` and an offset (x, y) in screen pixels applied to the
 * media's fitted box as `translate(x, y) scale(z)` (origin top left). Zooming about a point
 * keeps that point still (tldraw's rule: x' = p − (p − x)·z'/z). Pure functions, tested.
 */
export interface Camera {
  x: number
  y: number
  z: number
}

export interface Size {
  width: number
  height: number
}

export const MIN_ZOOM = 0.25
export const MAX_ZOOM = 16

export const clampZoom = (z: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z))

/** The media's box at z = 1: contained in the stage, keeping its aspect ratio. */
export function fitBox(stage: Size, media: Size): Size {
  if (!media.width || !media.height || !stage.width || !stage.height) return stage
  const scale = Math.min(stage.width / media.width, stage.height / media.height)
  return { width: media.width * scale, height: media.height * scale }
}

/** The camera that centres the fitted box. */
export function fitCamera(stage: Size, box: Size): Camera {
  return { x: (stage.width - box.width) / 2, y: (stage.height - box.height) / 2, z: 1 }
}

/** Zooms to `z` about the stage point (px, py). */
export function zoomAt(camera: Camera, z: number, px: number, py: number): Camera {
  const next = clampZoom(z)
  const k = next / camera.z
  return { x: px - (px - camera.x) * k, y: py - (py - camera.y) * k, z: next }
}

/** The zoom that shows the media at its intrinsic size (one media pixel per CSS pixel). */
export function actualSizeZoom(box: Size, media: Size): number {
  return media.width && box.width ? media.width / box.width : 1
}

/** A stage point as normalised media coordinates (0..1 of the media box), clamped. */
export function toMedia(camera: Camera, box: Size, px: number, py: number) {
  const clamp = (v: number) => Math.min(1, Math.max(0, v))
  return {
    x: clamp((px - camera.x) / (box.width * camera.z)),
    y: clamp((py - camera.y) / (box.height * camera.z)),
  }
}

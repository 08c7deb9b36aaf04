/**
 * Annotations as inline SVG laid over their media in a report. The SVG uses the media's own
 * pixel size as its coordinate space (shapes are normalised 0..1), so circles stay round and
 * strokes keep one width whatever the page width. Only checked numbers and colours reach it.
 */
import type { Shape } from '../../shared/schema/board.ts'
import { escapeHtml } from './escape.ts'
import type { ReportAnnotation } from './report-data.ts'

/** `#rgb`, `#rrggbb`, `#rrggbbaa` or a plain colour name; anything else gets the default. */
const COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,20})$/i
const DEFAULT_COLOR = '#e5484d'

const f = (n: number) => (Math.round(n * 100) / 100).toString()

export function annotationsSvg(
  annotations: readonly ReportAnnotation[],
  width: number,
  height: number,
  markerId: string,
): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200))
  const shapes = annotations
    .filter((a) => a.shape)
    .map((a) => {
      const color = COLOR.test(a.color) ? a.color : DEFAULT_COLOR
      const paint = `stroke="${color}" stroke-width="${stroke}" fill="none"`
      const body = shapeSvg(a.shape as Shape, width, height, paint, color, stroke, markerId)
      const [lx, ly] = labelAt(a.shape as Shape, width, height)
      const size = stroke * 7
      return (
        `<g class="annotation"><title>${escapeHtml(`#${a.label}`)}</title>${body}` +
        `<circle cx="${f(lx)}" cy="${f(ly)}" r="${f(size * 0.75)}" fill="${color}"/>` +
        `<text x="${f(lx)}" y="${f(ly)}" font-size="${f(size)}" fill="#fff" text-anchor="middle" ` +
        `dominant-baseline="central" font-family="sans-serif">${a.label}</text></g>`
      )
    })
    .join('')
  return (
    `<svg class="overlay" viewBox="0 0 ${f(width)} ${f(height)}" xmlns="http://www.w3.org/2000/svg" ` +
    `preserveAspectRatio="xMidYMid meet" role="img" aria-label="annotations">` +
    `<defs><marker id="${markerId}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" ` +
    `markerHeight="5" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="context-stroke"/>` +
    `</marker></defs>${shapes}</svg>`
  )
}

function shapeSvg(
  shape: Shape,
  w: number,
  h: number,
  paint: string,
  color: string,
  stroke: number,
  markerId: string,
): string {
  switch (shape.type) {
    case 'pin':
      return `<circle cx="${f(shape.x * w)}" cy="${f(shape.y * h)}" r="${f(stroke * 3)}" fill="${color}"/>`
    case 'rect':
      return `<rect x="${f(shape.x * w)}" y="${f(shape.y * h)}" width="${f(Math.abs(shape.w * w))}" height="${f(Math.abs(shape.h * h))}" ${paint}/>`
    case 'ellipse':
      return `<ellipse cx="${f(shape.cx * w)}" cy="${f(shape.cy * h)}" rx="${f(Math.abs(shape.rx * w))}" ry="${f(Math.abs(shape.ry * h))}" ${paint}/>`
    case 'arrow':
      return `<line x1="${f(shape.from.x * w)}" y1="${f(shape.from.y * h)}" x2="${f(shape.to.x * w)}" y2="${f(shape.to.y * h)}" ${paint} marker-end="url(#${markerId})"/>`
    case 'path':
      return `<polyline points="${shape.points.map((p) => `${f(p.x * w)},${f(p.y * h)}`).join(' ')}" ${paint} stroke-linejoin="round" stroke-linecap="round"/>`
  }
}

/** Where an annotation's number goes: its top-left corner, or its point. */
function labelAt(shape: Shape, w: number, h: number): [number, number] {
  switch (shape.type) {
    case 'pin':
      return [shape.x * w, shape.y * h - 0.04 * h]
    case 'rect':
      return [Math.min(shape.x, shape.x + shape.w) * w, Math.min(shape.y, shape.y + shape.h) * h]
    case 'ellipse':
      return [(shape.cx - shape.rx) * w, (shape.cy - shape.ry) * h]
    case 'arrow':
      return [shape.from.x * w, shape.from.y * h]
    case 'path':
      return [(shape.points[0]?.x ?? 0) * w, (shape.points[0]?.y ?? 0) * h]
  }
}

/**
 * The review view's local state, shared by the toolbar, the viewer and the panels: the tool,
 * the colour, the camera, the selected annotation, and what a new comment will be about.
 * Nothing here is synced; it is this person's way of looking.
 */
import { createSignal } from 'solid-js'
import type { ThreadAnchor } from '../../../../shared/schema/board.ts'
import type { Camera } from '../../lib/camera.ts'

export type Tool = 'select' | 'hand' | 'pin' | 'rect' | 'ellipse' | 'arrow' | 'path'

/** Annotation colours: Radix step-9 hues, each drawn with a halo so it reads on any footage. */
export const palette = [
  '#e5484d',
  '#f76b15',
  '#ffc53d',
  '#30a46c',
  '#00a2c7',
  '#3e63dd',
  '#8e4ec6',
  '#ffffff',
]

export function createViewerState(boardId: string, myColor: string) {
  const [tool, setTool] = createSignal<Tool>('pin')
  const [color, setColor] = createSignal(localStorage.getItem('loupe-color') ?? myColor)
  const [camera, setCamera] = createSignal<Camera>({ x: 0, y: 0, z: 1 })
  const [fitRequest, setFitRequest] = createSignal<'fit' | 'actual' | null>('fit')
  const [selected, setSelected] = createSignal<string | null>(null)
  const [anchor, setAnchor] = createSignal<ThreadAnchor>({ type: 'board', id: boardId })
  const [time, setTime] = createSignal(0)
  // Media pixels per CSS pixel at zoom 1 (the fit), so the zoom shown is the true one.
  const [fitScale, setFitScale] = createSignal(1)
  return {
    tool,
    setTool,
    color,
    setColor(next: string) {
      localStorage.setItem('loupe-color', next)
      setColor(next)
    },
    camera,
    setCamera,
    fitScale,
    setFitScale,
    /** The zoom a person reads: 100 % is one media pixel per screen pixel. */
    shownZoom: () => Math.round(camera().z * fitScale() * 100),
    /** Asks the viewer to fit or show 1:1 (it knows the sizes). */
    fitRequest,
    requestFit: (kind: 'fit' | 'actual') => setFitRequest(kind),
    clearFitRequest: () => setFitRequest(null),
    zoomBy: null as null | ((factor: number) => void),
    selected,
    setSelected,
    anchor,
    setAnchor,
    /** The video's current time (ms), for showing annotations bound to a frame. */
    time,
    setTime,
    video: undefined as HTMLVideoElement | undefined,
  }
}

export type ViewerState = ReturnType<typeof createViewerState>

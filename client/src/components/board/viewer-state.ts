/**
 * The review view's local state, shared by the toolbar, the viewer, the transport and the
 * panels: the tool, the colour, the camera, the selected annotation, the version shown (and
 * the one compared with it), the video's frame and range, and what a new comment will be
 * about. Nothing here is synced; it is this person's way of looking.
 */
import { createEffect, createMemo, createSignal, on } from 'solid-js'
import type { MediaJson, MediaVersion, ThreadAnchor } from '../../../../shared/schema/board.ts'
import type { BoardStore } from '../../lib/board-store.ts'
import type { Camera } from '../../lib/camera.ts'
import type { Player } from '../viewer/video-clock.ts'
import { versionsOf } from '../../lib/review.ts'
import { FALLBACK_FPS, formatTimecode, frameAt, storedTimeMs } from '../../lib/timecode.ts'
import { shapeName } from '../../lib/words.ts'

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

export type CompareMode = 'side' | 'wipe'
export interface Comparison {
  left: number
  right: number
  mode: CompareMode
}

/** A video's in and out frames for a comment or mark over a range. */
export interface FrameRange {
  in: number | null
  out: number | null
}

export function createViewerState(board: BoardStore) {
  const [tool, setTool] = createSignal<Tool>('pin')
  const [color, setColor] = createSignal(localStorage.getItem('loupe-color') ?? board.me.color)
  const [camera, setCamera] = createSignal<Camera>({ x: 0, y: 0, z: 1 })
  const [fitRequest, setFitRequest] = createSignal<'fit' | 'actual' | null>('fit')
  const [selected, setSelected] = createSignal<string | null>(null)
  // What a comment is about when the person chose (a mark, or the board); null: the media shown.
  const [chosenAnchor, setChosenAnchor] = createSignal<ThreadAnchor | null>(null)
  const [time, setTime] = createSignal(0)
  const [frame, setFrame] = createSignal(0)
  const [playing, setPlaying] = createSignal(false)
  const [player, setPlayer] = createSignal<Player | null>(null)
  // The video's duration as the element knows it (ms; 0 until known).
  const [duration, setDuration] = createSignal(0)
  // A frame to show once the video can seek (a thread opened on another item or version).
  let pendingFrame: number | null = null
  // Media pixels per CSS pixel at zoom 1 (the fit), so the zoom shown is the true one.
  const [fitScale, setFitScale] = createSignal(1)
  const [pickedVersion, setPickedVersion] = createSignal<number | null>(null)
  const [comparison, setComparison] = createSignal<Comparison | null>(null)
  const [range, setRange] = createSignal<FrameRange>({ in: null, out: null })
  // A rate playback showed, for a file that did not say its own (media hash → fps).
  const [measured, setMeasured] = createSignal<Record<string, number>>({})

  const media = () => {
    const id = board.selectedMedia()
    return id ? (board.media[id] as unknown as MediaJson | undefined) : undefined
  }
  const versions = createMemo(() => {
    const m = media()
    return m ? versionsOf(m) : []
  })
  const newestVersion = () => versions().at(-1)?.n ?? 1
  const shownVersion = () => {
    const picked = pickedVersion()
    return picked !== null && versions().some((v) => v.n === picked) ? picked : newestVersion()
  }
  const shownFile = (): MediaVersion | undefined =>
    versions().find((v) => v.n === shownVersion()) ?? versions().at(-1)
  const fpsOf = (file: MediaVersion | undefined) =>
    file?.fps ?? (file ? measured()[file.hash] : undefined) ?? FALLBACK_FPS
  const fps = () => fpsOf(shownFile())

  // Another item starts fresh: its newest version, no comparison, no range, no chosen anchor.
  createEffect(
    on(
      () => board.selectedMedia(),
      () => {
        setPickedVersion(null)
        setComparison(null)
        setRange({ in: null, out: null })
        setChosenAnchor(null)
        setSelected(null)
        setTime(0)
        setFrame(0)
        setDuration(0)
      },
      { defer: true },
    ),
  )

  /** The video range as times (ms), when an in point is set. */
  const rangeTimes = () => {
    const r = range()
    if (r.in === null) return null
    const out = r.out !== null && r.out > r.in ? r.out : null
    return {
      timeMs: storedTimeMs(r.in, fps()),
      ...(out !== null ? { endMs: storedTimeMs(out, fps()) } : {}),
    }
  }

  /**
   * What a new comment is about: the chosen mark or the board, else the media shown, on the
   * version shown, at the video's frame (or over its range).
   */
  const anchor = (): ThreadAnchor => {
    const chosen = chosenAnchor()
    if (chosen) return chosen
    const m = media()
    if (!m) return { type: 'board', id: board.boardId }
    return {
      type: 'media',
      id: m.id,
      version: shownVersion(),
      ...(m.kind === 'video'
        ? (rangeTimes() ?? { timeMs: storedTimeMs(frameAt(time(), fps()), fps()) })
        : {}),
    }
  }
  const at = (a: ThreadAnchor) =>
    a.timeMs === undefined
      ? ''
      : ` at ${formatTimecode(frameAt(a.timeMs, fps()), fps())}${
          a.endMs !== undefined ? `–${formatTimecode(frameAt(a.endMs, fps()), fps())}` : ''
        }`
  /** The anchor in words, for the composer ("On hero.mp4 v2 at 00:00:01:05"). */
  const anchorLabel = () => {
    const a = anchor()
    if (a.type === 'annotation') {
      const mark = board.annotations[a.id]
      return mark
        ? `On the ${shapeName[mark.shape.type]?.toLowerCase() ?? 'mark'}${at(a)}`
        : 'On a mark'
    }
    if (a.type === 'media') {
      const many = versions().length > 1 ? ` v${a.version ?? 1}` : ''
      return `On ${media()?.name ?? 'the media'}${many}${at(a)}`
    }
    return 'On the board'
  }

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
    anchorLabel,
    /** Chooses what a comment is about; `{type: 'board'}` for the board, null for the media. */
    setAnchor: (a: ThreadAnchor | null) => setChosenAnchor(a),
    /** The video's current time (ms) and frame, and whether it plays. */
    time,
    setTime,
    frame,
    setFrame,
    playing,
    setPlaying,
    /** What the transport drives (the viewer's video, or a comparison's two). */
    player,
    setPlayer,
    duration,
    setDuration,
    /** Shows `frame` now, or as soon as the video is there. */
    goToFrame(frame: number) {
      const now = player()
      if (now) {
        now.pause()
        now.seekFrame(frame)
      } else pendingFrame = frame
    },
    /** The frame asked for before the video was there (once). */
    takePendingFrame() {
      const frame = pendingFrame
      pendingFrame = null
      return frame
    },
    range,
    setRange,
    rangeTimes,
    /** The selected item's versions (oldest first), the one shown, and its file. */
    versions,
    newestVersion,
    shownVersion,
    showVersion: (n: number | null) => setPickedVersion(n === newestVersion() ? null : n),
    shownFile,
    /** Frames per second of the version shown (or of `file`): the file's, measured, or 30. */
    fps,
    fpsOf,
    /** Where the frame rate comes from: stored with the version, measured while playing, or 30. */
    fpsSource: (): 'stored' | 'measured' | 'assumed' => {
      const f = shownFile()
      return f?.fps !== undefined ? 'stored' : f && measured()[f.hash] ? 'measured' : 'assumed'
    },
    setMeasuredFps: (hash: string, value: number) =>
      setMeasured((all) => (all[hash] === value ? all : { ...all, [hash]: value })),
    comparison,
    setComparison,
  }
}

export type ViewerState = ReturnType<typeof createViewerState>

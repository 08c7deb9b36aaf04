/**
 * The review view: the media bar (name, versions, compare), tools, the viewer — or two
 * versions compared — with the video transport and the verdicts under it, and the media strip
 * (files dropped anywhere here are uploaded); the tabbed panel on the right. On a phone the
 * panel sits under the viewer as its own tabs.
 */
import { createEffect, createSignal, on, Show } from 'solid-js'
import Upload from 'lucide-solid/icons/upload'
import type { AnnotationFields, MediaJson } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { createShortcuts, symbol } from '../../lib/shortcuts.ts'
import { threadPlace } from '../../lib/review.ts'
import { frameAt } from '../../lib/timecode.ts'
import { CompareView } from '../viewer/CompareView.tsx'
import { MediaBar } from '../viewer/MediaBar.tsx'
import { VerdictBar } from '../viewer/VerdictBar.tsx'
import { VideoTransport } from '../viewer/VideoTransport.tsx'
import { MediaStrip } from './MediaStrip.tsx'
import { SidePanel } from './SidePanel.tsx'
import { createUploads } from './uploads.ts'
import { Viewer } from './Viewer.tsx'
import { ViewerToolbar } from './ViewerToolbar.tsx'
import { createViewerState } from './viewer-state.ts'

export function ReviewView() {
  const board = useBoard()
  const state = createViewerState(board)
  const uploads = createUploads(board)
  const [dragging, setDragging] = createSignal(false)
  const current = () =>
    board.selectedMedia()
      ? (board.media[board.selectedMedia() as string] as unknown as MediaJson | undefined)
      : undefined

  const selectAnnotation = (a: AnnotationFields) => {
    state.setSelected(a.id)
    state.setAnchor({
      type: 'annotation',
      id: a.id,
      mediaId: a.mediaId,
      version: a.version ?? 1,
      ...(a.timeMs !== undefined ? { timeMs: a.timeMs } : {}),
      ...(a.endMs !== undefined ? { endMs: a.endMs } : {}),
    })
    // A mark bound to a time is shown at its first frame.
    if (a.timeMs !== undefined) {
      const frame = frameAt(a.timeMs, state.fps())
      const last = a.endMs !== undefined ? frameAt(a.endMs, state.fps()) : frame
      if (state.frame() < frame || state.frame() > last) state.goToFrame(frame)
    }
    if (a.threadId) board.selectThread(a.threadId)
    board.presence.set({ view: { entityType: 'annotation', entityId: a.id } })
  }
  // Opening a thread on media shows the version it was made on, at its frame.
  createEffect(
    on(
      () => board.selectedThread(),
      (id) => {
        const thread = id ? board.threads[id] : undefined
        const place = thread ? threadPlace(thread, board.annotations) : null
        if (!place || place.mediaId !== board.selectedMedia()) return
        if (place.version !== state.shownVersion()) {
          state.setComparison(null)
          state.showVersion(place.version)
        }
        if (place.timeMs !== undefined) {
          const frame = frameAt(place.timeMs, state.fps())
          const last = place.endMs !== undefined ? frameAt(place.endMs, state.fps()) : frame
          if (state.frame() < frame || state.frame() > last) state.goToFrame(frame)
        }
      },
    ),
  )
  createShortcuts([
    {
      keys: ['Esc'],
      description: 'Deselect',
      group: 'Viewer',
      match: symbol('Escape'),
      run: () => {
        state.setSelected(null)
        state.setAnchor(null)
      },
    },
  ])

  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files')
  return (
    <div
      class="review"
      onDragEnter={(e) => board.canEdit() && hasFiles(e) && setDragging(true)}
      onDragOver={(e) => {
        if (!board.canEdit() || !hasFiles(e)) return
        e.preventDefault()
        setDragging(true)
      }}
      onDragLeave={(e) => {
        if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node)) setDragging(false)
      }}
      onDrop={(e) => {
        if (!board.canEdit() || !hasFiles(e)) return
        e.preventDefault()
        setDragging(false)
        for (const file of e.dataTransfer?.files ?? []) void uploads.upload(file)
      }}
    >
      <section class="review-main" aria-label="Media">
        <Show when={current()}>
          {(m) => <MediaBar media={m()} state={state} uploads={uploads} />}
        </Show>
        <Show
          when={state.comparison() && current()}
          fallback={
            <>
              <ViewerToolbar state={state} />
              <Viewer state={state} onSelectAnnotation={selectAnnotation} />
            </>
          }
        >
          {(m) => <CompareView media={m()} state={state} />}
        </Show>
        <div class="below-stage">
          <Show when={current()?.kind === 'video'}>
            <VideoTransport state={state} durationMs={current()?.durationMs} />
          </Show>
          <Show when={current()}>{(m) => <VerdictBar media={m()} state={state} />}</Show>
        </div>
        <MediaStrip uploads={uploads} />
        <Show when={dragging()}>
          <div class="drop-overlay" aria-hidden="true">
            <Upload size={32} />
            <p>Drop to add to this board</p>
          </div>
        </Show>
      </section>
      <SidePanel state={state} />
    </div>
  )
}

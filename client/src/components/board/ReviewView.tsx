/**
 * The review view: tools, the viewer and the media strip on the left (files dropped anywhere
 * here are uploaded), the tabbed panel on the right. On a phone the panel sits under the
 * viewer as its own tabs.
 */
import { createSignal, Show } from 'solid-js'
import Upload from 'lucide-solid/icons/upload'
import type { AnnotationFields } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { createShortcuts, symbol } from '../../lib/shortcuts.ts'
import { Approval } from './Approval.tsx'
import { MediaStrip } from './MediaStrip.tsx'
import { SidePanel } from './SidePanel.tsx'
import { Transport } from './Transport.tsx'
import { createUploads } from './uploads.ts'
import { Viewer } from './Viewer.tsx'
import { ViewerToolbar } from './ViewerToolbar.tsx'
import { createViewerState } from './viewer-state.ts'

export function ReviewView() {
  const board = useBoard()
  const state = createViewerState(board.boardId, board.me.color)
  const uploads = createUploads(board)
  const [dragging, setDragging] = createSignal(false)
  const current = () =>
    board.selectedMedia() ? board.media[board.selectedMedia() as string] : undefined

  const selectAnnotation = (a: AnnotationFields) => {
    state.setSelected(a.id)
    state.setAnchor({
      type: 'annotation',
      id: a.id,
      ...(a.timeMs !== undefined ? { timeMs: a.timeMs } : {}),
    })
    if (state.video && a.timeMs !== undefined) state.video.currentTime = a.timeMs / 1000
    if (a.threadId) board.selectThread(a.threadId)
    board.presence.set({ view: { entityType: 'annotation', entityId: a.id } })
  }
  createShortcuts([
    {
      keys: ['Esc'],
      description: 'Deselect',
      group: 'Viewer',
      match: symbol('Escape'),
      run: () => {
        state.setSelected(null)
        state.setAnchor({ type: 'board', id: board.boardId })
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
        <ViewerToolbar state={state} />
        <Viewer state={state} onSelectAnnotation={selectAnnotation} />
        <div class="below-stage">
          <Show when={current()?.kind === 'video'}>
            <Transport state={state} durationMs={current()?.durationMs} />
          </Show>
          <Show when={current()}>{(m) => <Approval media={m()} />}</Show>
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

/**
 * Deleting media and annotations as the person's own undoable step, said in an Undo toast.
 * The server derives `media.deleted` and `annotation.deleted` for the activity feed.
 */
import { deleteAnnotation, deleteMedia } from '../../../../shared/schema/board.ts'
import type { BoardStore } from '../../lib/board-store.ts'
import { ownUndoStep } from '../../lib/undo-step.ts'
import { shapeName } from '../../lib/words.ts'
import { showUndoToast } from '../ui/undo-toast.tsx'

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

export function deleteAnnotationWithUndo(board: BoardStore, annotationId: string): void {
  const mark = board.annotations[annotationId]
  if (!mark) return
  const undo = ownUndoStep(board.conn.undo, board.conn.transact, (doc) =>
    deleteAnnotation(doc, annotationId),
  )
  if (undo) showUndoToast(`${shapeName[mark.shape.type] ?? 'Annotation'} deleted`, undefined, undo)
}

export function deleteMediaWithUndo(board: BoardStore, mediaId: string): void {
  const item = board.media[mediaId]
  if (!item) return
  let gone = { annotations: 0, threads: 0 }
  const undo = ownUndoStep(board.conn.undo, board.conn.transact, (doc) => {
    gone = deleteMedia(doc, mediaId)
  })
  if (!undo) return
  const parts = [
    ...(gone.annotations ? [count(gone.annotations, 'annotation', 'annotations')] : []),
    ...(gone.threads ? [count(gone.threads, 'thread', 'threads')] : []),
  ]
  showUndoToast(
    `“${item.name}” deleted`,
    parts.length ? `With its ${parts.join(' and ')}.` : undefined,
    undo,
  )
}

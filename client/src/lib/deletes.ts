/**
 * Deleting a task, or a thread with its comments. A delete is an undo step of its own
 * (lib/undo-step.ts), so the person who did it takes it back from the toast's Undo even after
 * other edits, or with Ctrl/⌘+Z like any edit; either way it comes back to everyone as a change
 * of theirs. The feed names what went: the server derives task.deleted and thread.deleted from
 * the document.
 */
import * as Y from 'yjs'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import type { BoardStore } from './board-store.ts'
import { ownUndoStep } from './undo-step.ts'

export type Deletable = 'task' | 'thread'

/** Whether this person may delete it: editors and owners, unless another holds its lock. */
export function canDelete(board: BoardStore, entityType: Deletable, id: string): boolean {
  const holder = board.locks.holderOf(entityType, id)
  return board.canEdit() && !board.version && (!holder || holder.id === board.me.id)
}

export interface Deleted {
  /** What went, in words: `the task “Check the night exposure”`. */
  what: string
  /** Takes exactly this delete back; false when it is undone already. */
  undo: () => boolean
}

/** Deletes the entity; null when there was nothing to delete. */
export function deleteEntity(board: BoardStore, entityType: Deletable, id: string): Deleted | null {
  const types = boardTypes(board.conn.doc)
  const entity =
    entityType === 'task'
      ? (types.tasks.get(id) as Y.Map<unknown> | undefined)
      : (types.threads.get(id) as Y.Map<unknown> | undefined)
  if (!entity) return null
  const what =
    entityType === 'task'
      ? `the task “${String(entity.get('title') ?? '')}”`
      : `a thread${threadExcerpt(entity)}`
  const undo = ownUndoStep(board.conn.undo, board.conn.transact, (doc) => {
    const { tasks, threads, annotations } = boardTypes(doc)
    if (entityType === 'task') return void tasks.delete(id)
    threads.delete(id)
    // A mark whose thread went lets go of it (the undo links it again).
    for (const annotation of annotations.values())
      if (annotation.get('threadId') === id) annotation.delete('threadId')
  })
  if (!undo) return null
  if (entityType === 'thread' && board.selectedThread() === id) board.selectThread(null)
  return { what, undo }
}

function threadExcerpt(thread: Y.Map<unknown>): string {
  const comments = thread.get('comments')
  const first = comments instanceof Y.Array ? (comments.get(0) as unknown) : null
  const body = first instanceof Y.Map ? first.get('body') : null
  if (typeof body !== 'string' || !body) return ''
  return ` (“${body.length > 40 ? `${body.slice(0, 37)}…` : body}”)`
}

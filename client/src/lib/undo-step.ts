/**
 * A change that is its own undo step, undoable later by the person who made it — from an Undo
 * toast, even after they changed other things since. It goes through the board's one
 * UndoManager (the LOCAL origin, client/src/lib/board.ts), so Ctrl/⌘+Z undoes it too.
 */
import type * as Y from 'yjs'

/** Undoes exactly one step (true), or does nothing if it is already undone (false). */
export interface UndoStep {
  (): boolean
  /**
   * Calls `gone` once the step has left the undo stack however it left (this function, Ctrl/⌘+Z,
   * a cleared stack), so an Undo toast can go with it. Answers a function that stops watching.
   */
  watch(gone: () => void): () => void
}

/**
 * Runs `change` through `transact` as an undo step of its own. Answers a function that undoes
 * exactly that step (true), or does nothing if it is already undone (false); null when the
 * change changed nothing.
 */
export function ownUndoStep(
  undo: Y.UndoManager,
  transact: (change: (doc: Y.Doc) => void) => void,
  change: (doc: Y.Doc) => void,
): UndoStep | null {
  undo.stopCapturing()
  const before = undo.undoStack.length
  transact(change)
  undo.stopCapturing()
  if (undo.undoStack.length === before) return null
  const step = undo.undoStack[undo.undoStack.length - 1]
  const run = () => {
    const at = step ? undo.undoStack.indexOf(step) : -1
    if (at < 0 || !step) return false
    // UndoManager undoes the top of its stack: this step is brought there first. Undoing a
    // deletion brings back what it deleted whatever came after, so the order does not matter.
    undo.undoStack.splice(at, 1)
    undo.undoStack.push(step)
    undo.undo()
    return true
  }
  const watch = (gone: () => void) => {
    const check = () => {
      if (step && undo.undoStack.includes(step)) return
      stop()
      gone()
    }
    const stop = () => {
      undo.off('stack-item-popped', check)
      undo.off('stack-cleared', check)
    }
    undo.on('stack-item-popped', check)
    undo.on('stack-cleared', check)
    return stop
  }
  return Object.assign(run, { watch })
}

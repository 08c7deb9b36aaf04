import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addMedia,
  board,
  createAnnotation,
  deleteAnnotation,
} from '../../../shared/schema/board.ts'
import { ownUndoStep } from './undo-step.ts'
import { LOCAL } from './yjs-store.ts'

function setup() {
  const doc = new Y.Doc()
  addMedia(doc, { id: 'm1', kind: 'image', hash: 'h', name: 'a.png', bytes: 1, addedBy: 'ed' })
  for (const id of ['a1', 'a2'])
    createAnnotation(doc, {
      id,
      mediaId: 'm1',
      shape: { type: 'pin', x: 0.5, y: 0.5 },
      color: '#e5484d',
      authorId: 'ed',
    })
  const undo = new Y.UndoManager(Object.values(board(doc)) as Y.AbstractType<unknown>[], {
    trackedOrigins: new Set([LOCAL]),
    captureTimeout: 500,
  })
  const transact = (change: (d: Y.Doc) => void) => doc.transact(() => change(doc), LOCAL)
  return { doc, undo, transact }
}

describe('a change with its own undo', () => {
  it('undoes exactly that change, after later ones, once', () => {
    const { doc, undo, transact } = setup()
    const undoDelete = ownUndoStep(undo, transact, (d) => deleteAnnotation(d, 'a1'))
    // Within the capture timeout, a later edit is still a step of its own.
    transact((d) => board(d).annotations.get('a2')?.set('color', '#30a46c'))
    expect(board(doc).annotations.has('a1')).toBe(false)
    expect(undoDelete?.()).toBe(true)
    expect(board(doc).annotations.get('a1')?.get('color')).toBe('#e5484d')
    expect(board(doc).annotations.get('a2')?.get('color')).toBe('#30a46c')
    expect(undoDelete?.()).toBe(false)
    // Ctrl+Z then undoes the recolour, the step before.
    undo.undo()
    expect(board(doc).annotations.get('a2')?.get('color')).toBe('#e5484d')
    expect(board(doc).annotations.has('a1')).toBe(true)
  })

  it('is nothing when the change changed nothing', () => {
    const { undo, transact } = setup()
    expect(ownUndoStep(undo, transact, (d) => deleteAnnotation(d, 'nope'))).toBeNull()
  })

  it('says when the step is gone, by its own undo or by Ctrl+Z, and only then', () => {
    const { undo, transact } = setup()
    const first = ownUndoStep(undo, transact, (d) => deleteAnnotation(d, 'a1'))
    const second = ownUndoStep(undo, transact, (d) => deleteAnnotation(d, 'a2'))
    const gone: string[] = []
    first?.watch(() => gone.push('first'))
    second?.watch(() => gone.push('second'))
    // Ctrl+Z takes the latest step: only its watcher hears.
    undo.undo()
    expect(gone).toEqual(['second'])
    expect(first?.()).toBe(true)
    expect(gone).toEqual(['second', 'first'])
    // Each heard once; a later undo of something else says nothing more.
    transact((d) => board(d).annotations.get('a1')?.set('color', '#30a46c'))
    undo.undo()
    expect(gone).toEqual(['second', 'first'])
  })
})

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addComment,
  board,
  createTask,
  createThread,
  deleteComment,
  toggleReaction,
} from '../../shared/schema/board.ts'
import { restoreBoard, restoreEntity } from './restore.ts'

function copy(doc: Y.Doc): Y.Doc {
  const other = new Y.Doc()
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
  return other
}

describe('restore', () => {
  it('brings a thread back as it was: comments removed since come back in place, later ones go', () => {
    const live = new Y.Doc()
    createThread(live, { id: 'th', anchor: { type: 'board', id: 'b' }, createdBy: 'u' })
    for (const id of ['c1', 'c2', 'c3']) addComment(live, 'th', { id, authorId: 'u', body: id })
    const past = copy(live)
    board(live).threads.get('th')?.get('comments')?.delete(1, 1)
    deleteComment(live, 'th', 'c3')
    addComment(live, 'th', { id: 'c4', authorId: 'v', body: 'later' })

    // Someone reacts to a comment that was kept, at the same time as the restore.
    const other = copy(live)
    toggleReaction(other, 'th', 'c1', '👍', 'v')

    restoreEntity(live, past, 'thread', 'th')
    expect(board(live).threads.get('th')?.toJSON()).toEqual(board(past).threads.get('th')?.toJSON())
    Y.applyUpdate(live, Y.encodeStateAsUpdate(other))
    const comments = board(live).threads.get('th')?.get('comments')?.toJSON()
    expect(comments?.map((c: { id: string }) => c.id)).toEqual(['c1', 'c2', 'c3'])
    expect(comments?.[0].reactions).toEqual({ '👍': { v: true } })
  })

  it('changes only the span of text that differs, so edits elsewhere in it survive a merge', () => {
    const live = new Y.Doc()
    createTask(live, {
      id: 't',
      title: 'T',
      order: 'a',
      createdBy: 'u',
      description: 'hello world',
    })
    const past = copy(live)
    const description = () => board(live).tasks.get('t')?.get('description') as Y.Text
    description().insert(5, ' brave new')
    // Another replica types inside the kept span at the same time as the restore.
    const other = copy(live)
    ;(board(other).tasks.get('t')?.get('description') as Y.Text).insert(3, 'X')

    restoreEntity(live, past, 'task', 't')
    expect(description().toString()).toBe('hello world')
    Y.applyUpdate(live, Y.encodeStateAsUpdate(other))
    expect(description().toString()).toBe('helXlo world')
  })

  it('restoring a whole board deletes what was added since and re-creates what was deleted', () => {
    const live = new Y.Doc()
    createTask(live, { id: 'a', title: 'A', order: 'a', createdBy: 'u' })
    const past = copy(live)
    board(live).tasks.delete('a')
    createTask(live, { id: 'b', title: 'B', order: 'b', createdBy: 'u' })
    board(live).meta.set('title', 'new')

    restoreBoard(live, past)
    expect(board(live).tasks.toJSON()).toEqual(board(past).tasks.toJSON())
    expect(board(live).meta.toJSON()).toEqual(board(past).meta.toJSON())
  })
})

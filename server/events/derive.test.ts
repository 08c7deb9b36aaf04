import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addComment,
  board,
  createAnnotation,
  createTask,
  createThread,
  setThreadResolved,
  updateTask,
} from '../../shared/schema/board.ts'
import { deriveFromTransaction, type Derived } from './derive.ts'

function record(doc: Y.Doc) {
  const all: Derived = { events: [], notify: [] }
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    const d = deriveFromTransaction(doc, tr)
    all.events.push(...d.events)
    all.notify.push(...d.notify)
  })
  return all
}

describe('events derived from board transactions', () => {
  it('sees tasks created, assigned, unassigned and moved', () => {
    const doc = new Y.Doc()
    const seen = record(doc)
    createTask(doc, { id: 't1', title: 'Grade', order: 'a0', createdBy: 'u1', assigneeId: 'u2' })
    updateTask(doc, 't1', { status: 'doing' })
    updateTask(doc, 't1', { assigneeId: 'u3', title: 'Grade reel' })
    board(doc).tasks.get('t1')?.delete('assigneeId')
    updateTask(doc, 't1', { priority: 'high' })
    expect(seen.events).toEqual([
      { type: 'task.created', data: { taskId: 't1', title: 'Grade', status: 'todo' } },
      {
        type: 'task.assigned',
        data: { taskId: 't1', title: 'Grade', assigneeId: 'u2', previousAssigneeId: null },
      },
      {
        type: 'task.status_changed',
        data: { taskId: 't1', title: 'Grade', from: 'todo', to: 'doing' },
      },
      {
        type: 'task.assigned',
        data: { taskId: 't1', title: 'Grade reel', assigneeId: 'u3', previousAssigneeId: 'u2' },
      },
      {
        type: 'task.assigned',
        data: { taskId: 't1', title: 'Grade reel', assigneeId: null, previousAssigneeId: 'u3' },
      },
    ])
    expect(seen.notify).toEqual([
      { userId: 'u2', type: 'assigned', taskId: 't1' },
      { userId: 'u3', type: 'assigned', taskId: 't1' },
    ])
  })

  it('sees annotations, comments with mentions and replies, and resolved threads', () => {
    const doc = new Y.Doc()
    const seen = record(doc)
    createAnnotation(doc, {
      id: 'a1',
      mediaId: 'm1',
      shape: { type: 'rect', x: 0, y: 0, w: 0.5, h: 0.5 },
      timeMs: 1200,
      color: '#f00',
      authorId: 'u1',
    })
    doc.transact(() => {
      createThread(doc, { id: 'th1', anchor: { type: 'annotation', id: 'a1' }, createdBy: 'u1' })
      addComment(doc, 'th1', { id: 'c1', authorId: 'u1', body: 'Look @bea', mentions: ['u2'] })
    })
    addComment(doc, 'th1', { id: 'c2', authorId: 'u3', body: 'Agreed' })
    setThreadResolved(doc, 'th1', true)
    setThreadResolved(doc, 'th1', true)
    expect(seen.events.map((e) => e.type)).toEqual([
      'annotation.created',
      'comment.created',
      'comment.created',
      'thread.resolved',
    ])
    expect(seen.events[0]?.data).toEqual({
      annotationId: 'a1',
      mediaId: 'm1',
      shape: 'rect',
      timeMs: 1200,
    })
    expect(seen.events[1]?.data).toEqual({
      threadId: 'th1',
      commentId: 'c1',
      authorId: 'u1',
      mentions: ['u2'],
      excerpt: 'Look @bea',
    })
    expect(seen.notify).toEqual([
      { userId: 'u2', type: 'mention', threadId: 'th1', commentId: 'c1' },
      { userId: 'u1', type: 'reply', threadId: 'th1', commentId: 'c1' },
      { userId: 'u1', type: 'reply', threadId: 'th1', commentId: 'c2' },
    ])
  })
})

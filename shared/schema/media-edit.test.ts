import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addComment,
  addMedia,
  addMediaVersion,
  board,
  createAnnotation,
  createThread,
  deleteMedia,
  mediaVersions,
  renameMedia,
  updateMediaVersion,
  type MediaMap,
} from './board.ts'

const item = (doc: Y.Doc, id = 'm1') => board(doc).media.get(id) as MediaMap

function furnished() {
  const doc = new Y.Doc()
  for (const id of ['m1', 'm2'])
    addMedia(doc, {
      id,
      kind: 'image',
      hash: `h-${id}`,
      name: `${id}.png`,
      bytes: 1,
      addedBy: 'ed',
    })
  const mark = (id: string, mediaId: string) =>
    createAnnotation(doc, {
      id,
      mediaId,
      shape: { type: 'pin', x: 0.5, y: 0.5 },
      color: '#fff',
      authorId: 'ed',
    })
  mark('a1', 'm1')
  mark('a2', 'm1')
  mark('b1', 'm2')
  const thread = (id: string, anchor: Parameters<typeof createThread>[1]['anchor']) => {
    createThread(doc, { id, anchor, createdBy: 'ed' })
    addComment(doc, id, { id: `${id}-c`, authorId: 'ed', body: 'look' })
  }
  thread('on-mark', { type: 'annotation', id: 'a1' })
  // A thread whose mark went before: it still names the media it was on.
  thread('on-gone-mark', { type: 'annotation', id: 'gone', mediaId: 'm1' })
  thread('on-media', { type: 'media', id: 'm1' })
  thread('elsewhere', { type: 'annotation', id: 'b1', mediaId: 'm2' })
  thread('on-board', { type: 'board', id: 'board' })
  return doc
}

describe('deleting a media item', () => {
  it('takes its annotations and the threads on it or on its marks, nothing else', () => {
    const doc = furnished()
    expect(deleteMedia(doc, 'm1')).toEqual({ annotations: 2, threads: 3 })
    const b = board(doc)
    expect([...b.media.keys()]).toEqual(['m2'])
    expect([...b.annotations.keys()]).toEqual(['b1'])
    expect([...b.threads.keys()].sort()).toEqual(['elsewhere', 'on-board'])
  })

  it('is one undoable change', () => {
    const doc = furnished()
    const undo = new Y.UndoManager(Object.values(board(doc)) as Y.AbstractType<unknown>[], {
      trackedOrigins: new Set(['me']),
    })
    doc.transact(() => deleteMedia(doc, 'm1'), 'me')
    undo.undo()
    const b = board(doc)
    expect([...b.media.keys()].sort()).toEqual(['m1', 'm2'])
    expect(b.annotations.size).toBe(3)
    expect(b.threads.get('on-mark')?.get('comments')?.get(0)?.get('body')).toBe('look')
  })
})

describe('changing a version', () => {
  it('renames the item and its newest version, leaving older ones', () => {
    const doc = new Y.Doc()
    addMedia(doc, { id: 'm1', kind: 'video', hash: 'h1', name: 'cut.mp4', bytes: 1, addedBy: 'ed' })
    addMediaVersion(doc, 'm1', { hash: 'h2', name: 'cut-v2.mp4', bytes: 1, addedBy: 'ed' })
    renameMedia(doc, 'm1', 'Hero cut')
    expect(item(doc).get('name')).toBe('Hero cut')
    expect(mediaVersions(item(doc)).map((v) => [v.n, v.name])).toEqual([
      [1, 'cut.mp4'],
      [2, 'Hero cut'],
    ])
  })

  it('sets a version’s frame rate, mirrored on the item only for the newest', () => {
    const doc = new Y.Doc()
    addMedia(doc, { id: 'm1', kind: 'video', hash: 'h1', name: 'a', bytes: 1, addedBy: 'ed' })
    addMediaVersion(doc, 'm1', { hash: 'h2', name: 'a', bytes: 1, addedBy: 'ed', fps: 25 })
    expect(updateMediaVersion(doc, 'm1', 1, { fps: 24 })).toBe(true)
    expect(item(doc).get('fps')).toBe(25)
    expect(updateMediaVersion(doc, 'm1', 2, { fps: 30 })).toBe(true)
    expect(item(doc).get('fps')).toBe(30)
    expect(mediaVersions(item(doc)).map((v) => v.fps)).toEqual([24, 30])
    expect(updateMediaVersion(doc, 'm1', 9, { fps: 30 })).toBe(false)
  })
})

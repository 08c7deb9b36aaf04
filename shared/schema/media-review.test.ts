import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { atLeast, isRole } from '../roles.ts'
import {
  addMedia,
  addMediaVersion,
  board,
  clearVerdict,
  currentVersion,
  mediaHashes,
  mediaReviews,
  mediaVersions,
  setVerdict,
  type MediaMap,
} from './board.ts'

const item = (doc: Y.Doc, id = 'm1') => board(doc).media.get(id) as MediaMap

describe('media versions', () => {
  it('starts at version 1 and mirrors the newest version on the item', () => {
    const doc = new Y.Doc()
    addMedia(doc, {
      id: 'm1',
      kind: 'image',
      hash: 'h1',
      name: 'a.png',
      bytes: 1,
      width: 10,
      height: 10,
      addedBy: 'ed',
    })
    expect(mediaVersions(item(doc)).map((v) => [v.n, v.hash])).toEqual([[1, 'h1']])
    const v2 = addMediaVersion(doc, 'm1', {
      hash: 'h2',
      name: 'a2.png',
      bytes: 2,
      addedBy: 'olive',
    })
    expect(v2.n).toBe(2)
    expect(currentVersion(item(doc))).toBe(2)
    expect(item(doc).get('hash')).toBe('h2')
    expect(item(doc).get('addedBy')).toBe('olive')
    // A field the new version does not have is not left over from the old one.
    expect(item(doc).get('width')).toBeUndefined()
    expect([...mediaHashes(doc)].sort()).toEqual(['h1', 'h2'])
  })

  it('reads an item from before versions existed as version 1, and versions it on', () => {
    const doc = new Y.Doc()
    const old = new Y.Map<unknown>()
    board(doc).media.set('m1', old as never)
    old.set('hash', 'h0')
    old.set('name', 'old.png')
    old.set('addedBy', 'ed')
    expect(mediaVersions(item(doc))).toEqual([{ n: 1, hash: 'h0', name: 'old.png', addedBy: 'ed' }])
    addMediaVersion(doc, 'm1', { hash: 'h1', name: 'new.png', bytes: 3, addedBy: 'ed' })
    expect(mediaVersions(item(doc)).map((v) => [v.n, v.hash])).toEqual([
      [1, 'h0'],
      [2, 'h1'],
    ])
  })
})

describe('verdicts', () => {
  it('keeps one per user, on the version it was given on, and withdraws it', () => {
    const doc = new Y.Doc()
    addMedia(doc, { id: 'm1', kind: 'image', hash: 'h1', name: 'a.png', bytes: 1, addedBy: 'ed' })
    setVerdict(doc, 'm1', 'rev', 'changes_requested', { at: 1 })
    addMediaVersion(doc, 'm1', { hash: 'h2', name: 'a.png', bytes: 1, addedBy: 'ed' })
    setVerdict(doc, 'm1', 'olive', 'approved', { at: 2 })
    expect(mediaReviews(item(doc))).toEqual({
      rev: { version: 1, verdict: 'changes_requested', at: 1 },
      olive: { version: 2, verdict: 'approved', at: 2 },
    })
    clearVerdict(doc, 'm1', 'rev')
    expect(Object.keys(mediaReviews(item(doc)))).toEqual(['olive'])
  })

  it('reads an early approval (approvedBy/approvedAt) as an approval of version 1', () => {
    const doc = new Y.Doc()
    addMedia(doc, { id: 'm1', kind: 'image', hash: 'h1', name: 'a.png', bytes: 1, addedBy: 'ed' })
    const raw = item(doc) as unknown as Y.Map<unknown>
    raw.set('approvedBy', 'olive')
    raw.set('approvedAt', 7)
    expect(mediaReviews(item(doc))).toEqual({ olive: { version: 1, verdict: 'approved', at: 7 } })
    clearVerdict(doc, 'm1', 'olive')
    expect(mediaReviews(item(doc))).toEqual({})
    expect(raw.has('approvedBy')).toBe(false)
  })
})

describe('roles', () => {
  it('orders viewer < reviewer < editor < owner', () => {
    expect(isRole('reviewer')).toBe(true)
    expect(isRole('guest')).toBe(false)
    expect(atLeast('reviewer', 'viewer')).toBe(true)
    expect(atLeast('reviewer', 'editor')).toBe(false)
    expect(atLeast('editor', 'reviewer')).toBe(true)
  })
})

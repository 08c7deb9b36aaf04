import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openDb } from '../db/open.ts'
import { foldStored, mergeStored, provesMerged, type DocStore } from './doc-store.ts'
import { SqliteDocStore } from './sqlite-doc-store.ts'

/** The contract every DocStore keeps; run against each implementation. */
function docStoreContract(name: string, make: () => DocStore) {
  describe(`DocStore contract: ${name}`, () => {
    const updatesOf = (doc: Y.Doc, edits: (doc: Y.Doc) => void) => {
      const updates: Uint8Array[] = []
      const listener = (u: Uint8Array) => updates.push(u)
      doc.on('update', listener)
      edits(doc)
      doc.off('update', listener)
      return updates
    }

    it('appends in order and loads what it appended', async () => {
      const store = make()
      const doc = new Y.Doc()
      const updates = updatesOf(doc, (d) => {
        for (let i = 0; i < 5; i++) d.getArray('a').push([i])
      })
      await store.append(updates.map((data) => ({ boardId: 'b', data, userId: 'u' })))
      const stored = await store.load('b')
      expect(stored.updates).toHaveLength(5)
      const loaded = new Y.Doc()
      Y.applyUpdate(loaded, mergeStored(stored))
      expect(loaded.getArray('a').toArray()).toEqual([0, 1, 2, 3, 4])
      expect(await store.pendingUpdates('b')).toBe(5)
      expect((await store.load('other')).updates).toHaveLength(0)
    })

    it('compacts into a snapshot with identical content, and keeps appending after', async () => {
      const store = make()
      const doc = new Y.Doc()
      const updates = updatesOf(doc, (d) => {
        d.getText('t').insert(0, 'hello world')
        d.getText('t').delete(0, 6)
        d.getMap('m').set('k', 'v')
      })
      await store.append(updates.map((data) => ({ boardId: 'b', data, userId: null })))
      const result = await store.compact('b', foldStored)
      expect(result).toMatchObject({ compacted: true, folded: updates.length })
      expect(await store.pendingUpdates('b')).toBe(0)
      const more = updatesOf(doc, (d) => d.getMap('m').set('k2', 'v2'))
      await store.append(more.map((data) => ({ boardId: 'b', data, userId: null })))
      const loaded = new Y.Doc()
      Y.applyUpdate(loaded, mergeStored(await store.load('b')))
      expect(loaded.getText('t').toString()).toBe('world')
      expect(loaded.getMap('m').toJSON()).toEqual({ k: 'v', k2: 'v2' })
      expect(Y.equalSnapshots(Y.snapshot(loaded), Y.snapshot(doc))).toBe(true)
    })

    it('deletes nothing when the folded state misses a row', async () => {
      const store = make()
      const doc = new Y.Doc()
      const updates = updatesOf(doc, (d) => {
        d.getMap('m').set('a', 1)
        d.getMap('m').set('b', 2)
      })
      await store.append(updates.map((data) => ({ boardId: 'b', data, userId: null })))
      const partial = (stored: { updates: Uint8Array[] }) => stored.updates[0] as Uint8Array
      const result = await store.compact('b', partial)
      expect(result.compacted).toBe(false)
      expect(await store.pendingUpdates('b')).toBe(2)
    })
  })
}

docStoreContract('SQLite', () => new SqliteDocStore(openDb(':memory:', { sync: 'normal' })))

describe('provesMerged', () => {
  it('holds for rows inside the state and fails for a row outside it', () => {
    const doc = new Y.Doc()
    const rows: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => rows.push(u))
    doc.getMap('m').set('x', 1)
    const state = Y.encodeStateAsUpdate(doc)
    doc.getMap('m').set('y', 2)
    expect(provesMerged(state, rows.slice(0, 1))).toBe(true)
    expect(provesMerged(state, rows)).toBe(false)
  })
})

describe('durability setting', () => {
  it('LOUPE_SYNC=full makes every commit synchronous=FULL; normal is NORMAL', async () => {
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'loupe-sync-'))
    const full = openDb(join(dir, 'full.db'), { sync: 'full' })
    const normal = openDb(join(dir, 'normal.db'), { sync: 'normal' })
    expect(full.pragma('synchronous', { simple: true })).toBe(2)
    expect(normal.pragma('synchronous', { simple: true })).toBe(1)
    expect(full.pragma('journal_mode', { simple: true })).toBe('wal')
    full.close()
    normal.close()
  })
})

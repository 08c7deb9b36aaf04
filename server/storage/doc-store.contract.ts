/**
 * What every DocStore must do (doc-store.ts), as one suite each implementation registers:
 * `docStoreContract('SQLite', open)`. `open()` gives an empty store; `board(id)` makes a board
 * the store may write (a boards row owned by this node, in PostgreSQL); `reopen()` gives a
 * second store over the same kept data, standing in for a restart.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { foldStored, mergeStored, type DocStore, type DocUpdate } from './doc-store.ts'

export interface DocStoreUnderTest {
  store: DocStore
  board(boardId: string): Promise<void>
  reopen(): Promise<DocStore>
}

/** The updates `edits` makes to `doc`, one per transaction. */
export function updatesOf(doc: Y.Doc, edits: (doc: Y.Doc) => void): Uint8Array[] {
  const updates: Uint8Array[] = []
  const listener = (u: Uint8Array) => updates.push(u)
  doc.on('update', listener)
  edits(doc)
  doc.off('update', listener)
  return updates
}

const to =
  (boardId: string, userId: string | null = null) =>
  (data: Uint8Array): DocUpdate => ({
    boardId,
    data,
    userId,
  })

const loadDoc = async (store: DocStore, boardId: string) => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, mergeStored(await store.load(boardId)))
  return doc
}

export function docStoreContract(name: string, open: () => Promise<DocStoreUnderTest>): void {
  describe(`DocStore contract: ${name}`, () => {
    it('appends in order and loads what it appended', async () => {
      const { store, board } = await open()
      await board('b')
      const doc = new Y.Doc()
      const updates = updatesOf(doc, (d) => {
        for (let i = 0; i < 5; i++) d.getArray('a').push([i])
      })
      await store.append(updates.map(to('b', 'u')))
      const stored = await store.load('b')
      expect(stored.updates).toHaveLength(5)
      expect(stored.updates).toEqual(updates)
      expect(stored.bytes).toBe(updates.reduce((n, u) => n + u.byteLength, 0))
      expect((await loadDoc(store, 'b')).getArray('a').toArray()).toEqual([0, 1, 2, 3, 4])
      expect(await store.pendingUpdates('b')).toBe(5)
      expect(await store.load('other')).toMatchObject({
        state: null,
        stateVector: null,
        updates: [],
        bytes: 0,
      })
    })

    it('keeps each board of a batch apart, in its own order', async () => {
      const { store, board } = await open()
      await board('b1')
      await board('b2')
      const one = updatesOf(new Y.Doc(), (d) =>
        ['x', 'y', 'z'].forEach((v) => d.getText('t').insert(0, v)),
      )
      const two = updatesOf(new Y.Doc(), (d) => [1, 2].forEach((v) => d.getArray('a').push([v])))
      const interleaved = [one[0], two[0], one[1], two[1], one[2]] as Uint8Array[]
      const boards = ['b1', 'b2', 'b1', 'b2', 'b1']
      await store.append(
        interleaved.map((data, i) => ({ boardId: boards[i] as string, data, userId: null })),
      )
      expect((await store.load('b1')).updates).toEqual(one)
      expect((await store.load('b2')).updates).toEqual(two)
      expect((await loadDoc(store, 'b1')).getText('t').toString()).toBe('zyx')
      expect(await store.pendingUpdates('b2')).toBe(2)
    })

    it('compacts into a snapshot with identical content, and keeps appending after', async () => {
      const { store, board } = await open()
      await board('b')
      const doc = new Y.Doc()
      const updates = updatesOf(doc, (d) => {
        d.getText('t').insert(0, 'hello world')
        d.getText('t').delete(0, 6)
        d.getMap('m').set('k', 'v')
      })
      await store.append(updates.map(to('b')))
      const result = await store.compact('b', foldStored)
      expect(result).toMatchObject({ compacted: true, folded: updates.length })
      expect(await store.pendingUpdates('b')).toBe(0)
      const snapshot = await store.load('b')
      expect(snapshot.updates).toEqual([])
      expect(snapshot.stateVector).toEqual(Y.encodeStateVector(doc))
      expect(result.bytesAfter).toBe(snapshot.bytes)
      const more = updatesOf(doc, (d) => d.getMap('m').set('k2', 'v2'))
      await store.append(more.map(to('b')))
      const loaded = await loadDoc(store, 'b')
      expect(loaded.getText('t').toString()).toBe('world')
      expect(loaded.getMap('m').toJSON()).toEqual({ k: 'v', k2: 'v2' })
      expect(Y.equalSnapshots(Y.snapshot(loaded), Y.snapshot(doc))).toBe(true)
    })

    it('deletes nothing when the folded state misses a row', async () => {
      const { store, board } = await open()
      await board('b')
      const updates = updatesOf(new Y.Doc(), (d) => {
        d.getMap('m').set('a', 1)
        d.getMap('m').set('b', 2)
      })
      await store.append(updates.map(to('b')))
      const partial = (stored: { updates: Uint8Array[] }) => stored.updates[0] as Uint8Array
      const result = await store.compact('b', partial)
      expect(result).toMatchObject({ compacted: false, folded: 0 })
      expect(await store.pendingUpdates('b')).toBe(2)
      expect((await store.load('b')).state).toBeNull()
    })

    it('has nothing to fold on a board without updates', async () => {
      const { store, board } = await open()
      await board('b')
      expect(await store.compact('b', foldStored)).toMatchObject({ compacted: false, folded: 0 })
      expect((await store.load('b')).state).toBeNull()
    })

    it("knows a board's state vector without reading it only while nothing follows the snapshot", async () => {
      const { store, board } = await open()
      await board('b')
      const doc = new Y.Doc()
      await store.append(updatesOf(doc, (d) => d.getMap('m').set('a', 1)).map(to('b')))
      expect(await store.foldedStateVector?.('b')).toBeNull()
      await store.compact('b', foldStored)
      expect(await store.foldedStateVector?.('b')).toEqual(Y.encodeStateVector(doc))
      await store.append(updatesOf(doc, (d) => d.getMap('m').set('b', 2)).map(to('b')))
      expect(await store.foldedStateVector?.('b')).toBeNull()
    })

    it('continues the log after a restart, and compacts what either run stored', async () => {
      const { store, board, reopen } = await open()
      await board('b')
      const doc = new Y.Doc()
      await store.append(updatesOf(doc, (d) => d.getArray('a').push([1, 2])).map(to('b')))
      await store.compact('b', foldStored)
      await store.append(updatesOf(doc, (d) => d.getArray('a').push([3])).map(to('b')))
      const later = await reopen()
      await later.append(updatesOf(doc, (d) => d.getArray('a').push([4])).map(to('b')))
      expect(await later.pendingUpdates('b')).toBe(2)
      expect((await loadDoc(later, 'b')).getArray('a').toArray()).toEqual([1, 2, 3, 4])
      expect(await later.compact('b', foldStored)).toMatchObject({ compacted: true, folded: 2 })
      expect((await loadDoc(await reopen(), 'b')).getArray('a').toArray()).toEqual([1, 2, 3, 4])
    })

    it('takes an empty batch as nothing, and probes while it can write without touching boards', async () => {
      const { store, board } = await open()
      await board('b')
      await store.append([])
      await expect(store.probe()).resolves.toBeUndefined()
      await expect(store.probe()).resolves.toBeUndefined()
      expect(await store.pendingUpdates('b')).toBe(0)
      expect((await store.load('b')).bytes).toBe(0)
    })
  })
}

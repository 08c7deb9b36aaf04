/**
 * Compaction with `foldStored` folds and proves on the update worker (sqlite-doc-store.ts),
 * and commits may land meanwhile: only the rows it read and proved are deleted, a compaction
 * that ran in between wins, and a row the fold does not contain keeps every row.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openDb } from '../db/open.ts'
import { UpdateWorker } from '../realtime/update-worker-pool.ts'
import {
  foldAndProve,
  foldStored,
  mergeStored,
  type DocUpdate,
  type StoredDoc,
} from './doc-store.ts'
import { MAX_FOLD_ROWS, SqliteDocStore, type OffThreadFold } from './sqlite-doc-store.ts'

const workers: UpdateWorker[] = []
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.close()
})

function updatesOf(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array[] {
  const out: Uint8Array[] = []
  const collect = (u: Uint8Array) => out.push(u)
  doc.on('update', collect)
  change(doc)
  doc.off('update', collect)
  return out
}

const rows = (updates: Uint8Array[]): DocUpdate[] =>
  updates.map((data) => ({ boardId: 'b', data, userId: null }))

async function stored(store: SqliteDocStore): Promise<Y.Doc> {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, mergeStored(await store.load('b')))
  return doc
}

/** An off-thread fold that lets the test act while it "runs", then folds for real. */
function pausedFold(during: () => Promise<void>): OffThreadFold & { calls: number } {
  const fold = {
    calls: 0,
    async foldAndProve(read: StoredDoc) {
      fold.calls++
      await during()
      return foldAndProve(read)
    },
  }
  return fold
}

describe('compaction off the event loop', () => {
  it('folds on the update worker, and the snapshot holds everything stored', async () => {
    const worker = new UpdateWorker(100)
    workers.push(worker)
    const store = new SqliteDocStore(openDb(':memory:', { sync: 'normal' }), worker)
    const doc = new Y.Doc()
    await store.append(
      rows(
        updatesOf(doc, (d) => {
          for (let i = 0; i < 200; i++) d.getMap('m').set(`k${i}`, i)
          d.getText('t').insert(0, 'hello')
        }),
      ),
    )
    const result = await store.compact('b', foldStored)
    expect(result).toMatchObject({ compacted: true, folded: 201 })
    expect(await store.pendingUpdates('b')).toBe(0)
    const loaded = await store.load('b')
    expect(loaded.stateVector).toEqual(Y.encodeStateVector(doc))
    expect((await stored(store)).getMap('m').size).toBe(200)
  })

  it('folds at most the oldest MAX_FOLD_ROWS rows at a time; the next compaction takes the rest', async () => {
    const worker = new UpdateWorker(100)
    workers.push(worker)
    const store = new SqliteDocStore(openDb(':memory:', { sync: 'normal' }), worker)
    const doc = new Y.Doc()
    const many = MAX_FOLD_ROWS + 250
    for (let i = 0; i < many; i++)
      await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set(`k${i}`, i))))
    expect(await store.compact('b', foldStored)).toMatchObject({
      compacted: true,
      folded: MAX_FOLD_ROWS,
    })
    expect(await store.pendingUpdates('b')).toBe(250)
    expect((await stored(store)).getMap('m').size).toBe(many)
    expect(await store.compact('b', foldStored)).toMatchObject({ compacted: true, folded: 250 })
    expect(await store.pendingUpdates('b')).toBe(0)
    expect((await store.load('b')).stateVector).toEqual(Y.encodeStateVector(doc))
  })

  it('keeps the rows committed while it folded, and deletes only those it proved', async () => {
    const doc = new Y.Doc()
    // eslint-disable-next-line prefer-const -- assigned after the fold that uses it is made
    let store!: SqliteDocStore
    const fold = pausedFold(async () => {
      await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set('late', 1))))
    })
    store = new SqliteDocStore(openDb(':memory:', { sync: 'normal' }), fold)
    await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set('early', 1))))
    await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set('early2', 2))))

    expect(await store.compact('b', foldStored)).toMatchObject({ compacted: true, folded: 2 })
    expect(fold.calls).toBe(1)
    expect(await store.pendingUpdates('b')).toBe(1)
    expect((await stored(store)).getMap('m').toJSON()).toEqual({ early: 1, early2: 2, late: 1 })
    // The log goes on after the snapshot, and the next compaction folds the late row too.
    await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set('later', 1))))
    expect(await store.compact('b', foldStored)).toMatchObject({ compacted: true, folded: 2 })
    expect((await stored(store)).getMap('m').size).toBe(4)
  })

  it('stores nothing when another compaction finished while it folded', async () => {
    const doc = new Y.Doc()
    // eslint-disable-next-line prefer-const -- assigned after the fold that uses it is made
    let store!: SqliteDocStore
    const fold = pausedFold(async () => {
      // A fold that is not foldStored runs inline: this one completes first.
      const inline = await store.compact('b', (s) => foldStored(s))
      expect(inline).toMatchObject({ compacted: true })
      await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set('after', 1))))
    })
    store = new SqliteDocStore(openDb(':memory:', { sync: 'normal' }), fold)
    await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set('a', 1))))

    const result = await store.compact('b', foldStored)
    expect(result).toMatchObject({ compacted: false, folded: 0 })
    expect(await store.pendingUpdates('b')).toBe(1)
    expect((await stored(store)).getMap('m').toJSON()).toEqual({ a: 1, after: 1 })
  })

  it('keeps every row when the fold fails on one (a row that does not decode)', async () => {
    const worker = new UpdateWorker(100)
    workers.push(worker)
    const store = new SqliteDocStore(openDb(':memory:', { sync: 'normal' }), worker)
    const doc = new Y.Doc()
    await store.append(rows(updatesOf(doc, (d) => d.getMap('m').set('a', 1))))
    await store.append(rows([new Uint8Array([1, 200, 3, 4])]))
    await expect(store.compact('b', foldStored)).rejects.toThrow()
    expect(await store.pendingUpdates('b')).toBe(2)
    expect((await store.load('b')).state).toBeNull()
  })
})

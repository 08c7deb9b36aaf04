import { IndexeddbPersistence } from 'y-indexeddb'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, updateTask, type TaskJson } from '../../../shared/schema/board.ts'
import {
  isCurrent,
  isEmptyUpdate,
  openBoardDb,
  readFirstScreen,
  readLastKey,
  saveFirstScreen,
  type FirstScreen,
} from './first-screen.ts'
import { storeTasks } from './stored-board.fixture.ts'
import { makeYMapStore } from './yjs-store.ts'

const screenOf = (doc: Y.Doc): FirstScreen => ({
  tasks: board(doc).tasks.toJSON() as Record<string, TaskJson>,
  meta: {},
})

/** A board stored by y-indexeddb under `name`, its first screen saved for `user`. */
async function visit(name: string, n: number, user = 'u1') {
  const { doc, idb } = await storeTasks(name, n)
  const db = idb.db as IDBDatabase
  const key = await readLastKey(db)
  await saveFirstScreen(db, user, screenOf(doc), key)
  return { doc, idb, db }
}

/** Opens the board again as a later visit would, y-indexeddb storing its empty update. */
async function reopen(name: string) {
  const doc = new Y.Doc()
  const idb = new IndexeddbPersistence(name, doc)
  await idb.whenSynced
  await idb.destroy()
}

async function read(name: string, user = 'u1') {
  const db = await openBoardDb(name)
  try {
    return await readFirstScreen(db, user)
  } finally {
    db.close()
  }
}

describe("a board's first screen on this device", () => {
  it('is read back for the user who saved it, and stays current across empty opens', async () => {
    const { idb } = await visit('fs-current', 3)
    await idb.destroy()
    await reopen('fs-current')
    await reopen('fs-current')
    const shown = await read('fs-current')
    expect(shown?.userId).toBe('u1')
    expect(Object.keys(shown?.tasks ?? {}).sort()).toEqual(['t0', 't1', 't2'])
    expect(shown?.tasks.t2?.title).toBe('Task 2')
    // Another user on this device sees nothing of it.
    expect(await read('fs-current', 'u2')).toBeNull()
  })

  it('is stale once a change is stored after it', async () => {
    const { doc, idb } = await visit('fs-stale', 2)
    updateTask(doc, 't1', { title: 'Renamed after the save' })
    await idb.destroy()
    await reopen('fs-stale')
    expect(await read('fs-stale')).toBeNull()
  })

  it('is current again when saved after the change, past every stored key', async () => {
    const { doc, idb, db } = await visit('fs-again', 2)
    updateTask(doc, 't1', { title: 'Renamed' })
    // One change stored since the key was read: the mark goes after it.
    await saveFirstScreen(db, 'u1', screenOf(doc), (await readLastKey(db)) + 0)
    await idb.destroy()
    expect((await read('fs-again'))?.tasks.t1?.title).toBe('Renamed')
  })

  it('saves nothing over a key already taken, and reads as stale when saved below the last key', async () => {
    const { doc, idb, db } = await visit('fs-taken', 1)
    updateTask(doc, 't0', { title: 'One' })
    updateTask(doc, 't0', { title: 'Two' })
    const last = await readLastKey(db)
    // Too low by two: the key after it is taken, so nothing is written (the old record stays).
    await expect(saveFirstScreen(db, 'u1', screenOf(doc), last - 2)).rejects.toBeTruthy()
    await idb.destroy()
    expect(await read('fs-taken')).toBeNull()
  })

  it('knows an empty update, and a record it wrote', () => {
    const empty = Y.encodeStateAsUpdate(new Y.Doc())
    expect(isEmptyUpdate(empty)).toBe(true)
    const doc = new Y.Doc()
    createTask(doc, { id: 't', title: 'T', order: 'a0', createdBy: 'u' })
    expect(isEmptyUpdate(Y.encodeStateAsUpdate(doc))).toBe(false)
    const record = { v: 1, key: 3, savedAt: 0, json: '{}' }
    expect(isCurrent(record, [empty, empty])).toBe(true)
    expect(isCurrent(record, [empty, Y.encodeStateAsUpdate(doc)])).toBe(false)
    expect(isCurrent({ ...record, v: 2 }, [])).toBe(false)
    expect(isCurrent(undefined, [])).toBe(false)
  })
})

describe('a store seeded from the first screen', () => {
  it('shows the saved entries until the map loads, then keeps only what the map has', () => {
    const saved = new Y.Doc()
    createTask(saved, { id: 'a', title: 'Kept', order: 'a0', createdBy: 'u' })
    createTask(saved, { id: 'gone', title: 'Gone since', order: 'a1', createdBy: 'u' })
    const doc = new Y.Doc()
    const tasks = makeYMapStore<TaskJson>(board(doc).tasks as never)
    tasks.seed(screenOf(saved).tasks)
    expect(tasks.store.a?.title).toBe('Kept')
    const shown = tasks.store.a
    // The live document loads: the same task keeps its object (nothing re-renders).
    const live = new Y.Doc()
    createTask(live, { id: 'a', title: 'Kept', order: 'a0', createdBy: 'u' })
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(live))
    expect(tasks.store.a).toBe(shown)
    expect(tasks.store.gone?.title).toBe('Gone since')
    tasks.settle()
    expect(Object.keys(tasks.store)).toEqual(['a'])
    // A store that already mirrors entries is not seeded over.
    tasks.seed({ other: { ...(shown as TaskJson), id: 'other' } })
    expect(tasks.store.other).toBeUndefined()
    tasks.dispose()
  })
})

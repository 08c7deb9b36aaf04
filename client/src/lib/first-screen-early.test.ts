import { describe, expect, it } from 'vitest'
import { board, type TaskJson } from '../../../shared/schema/board.ts'
import { readLastKey, saveFirstScreen } from './first-screen.ts'
import { taskViewBoard } from './board-chosen.ts'
import {
  forgetFirstScreenEarly,
  readFirstScreenEarly,
  takeFirstScreenEarly,
} from './first-screen-early.ts'
import { storeTasks } from './stored-board.fixture.ts'

/** Board `id` stored on this device, its first screen saved for `user`. */
async function visited(id: string, n: number, user = 'u1') {
  const { doc, idb } = await storeTasks(`loupe-board-${id}`, n)
  const db = idb.db as IDBDatabase
  const screen = { tasks: board(doc).tasks.toJSON() as Record<string, TaskJson>, meta: {} }
  await saveFirstScreen(db, user, screen, await readLastKey(db))
  await idb.destroy()
}

describe("a board's first screen read early, as the board is chosen in the app", () => {
  it('is taken once, by a page for the same board and user only', async () => {
    await visited('early-a', 3)
    readFirstScreenEarly('early-a', 'u1')
    expect(takeFirstScreenEarly('early-b', 'u1')).toBeNull()
    expect(takeFirstScreenEarly('early-a', 'u2')).toBeNull()
    const taken = takeFirstScreenEarly('early-a', 'u1')
    const screen = await taken?.read
    expect(Object.keys(screen?.tasks ?? {}).sort()).toEqual(['t0', 't1', 't2'])
    expect(screen?.userId).toBe('u1')
    expect(taken?.screen).toBe(screen)
    expect(takeFirstScreenEarly('early-a', 'u1')).toBeNull()
  })

  it("finds nothing for another user's board, and makes no database for a board never opened", async () => {
    await visited('early-c', 2)
    readFirstScreenEarly('early-c', 'u2')
    expect(await takeFirstScreenEarly('early-c', 'u2')?.read).toBeNull()
    readFirstScreenEarly('never-opened', 'u1')
    expect(await takeFirstScreenEarly('never-opened', 'u1')?.read).toBeNull()
    const names = (await indexedDB.databases()).map((d) => d.name)
    expect(names).toContain('loupe-board-early-c')
    expect(names).not.toContain('loupe-board-never-opened')
  })

  it('is forgotten when its board page closes, and a newer choice replaces it', async () => {
    await visited('early-d', 1)
    readFirstScreenEarly('early-d', 'u1')
    forgetFirstScreenEarly('early-d')
    expect(takeFirstScreenEarly('early-d', 'u1')).toBeNull()
    readFirstScreenEarly('early-d', 'u1')
    readFirstScreenEarly('early-a', 'u1')
    expect(takeFirstScreenEarly('early-d', 'u1')).toBeNull()
    expect(takeFirstScreenEarly('early-a', 'u1')).not.toBeNull()
  })

  it('is read for links to the live task view only', () => {
    expect(taskViewBoard('#/b/b1/tasks')).toBe('b1')
    expect(taskViewBoard('#/b/b1/task/t1')).toBe('b1')
    expect(taskViewBoard('#/b/b1')).toBeNull()
    expect(taskViewBoard('#/b/b1/tasks?version=v1')).toBeNull()
    expect(taskViewBoard('#/w/w1')).toBeNull()
  })
})

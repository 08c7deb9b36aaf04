/**
 * A board's task view opened again on the same device shows the tasks saved from the last
 * visit at once, read-only (client/src/lib/first-screen.ts), while the stored document loads;
 * then the live board takes over with the same tasks, and edits work as usual. Its own server
 * and browser context; an uncaught page error or console error fails it (test/e2e/people.ts).
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { board as boardTypes } from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { eventually } from '../harness.ts'
import { committedBoard, freshServer, open, useBrowserHarness, WAIT } from './people.ts'

useBrowserHarness()

const titles = (page: Page) => page.locator('[data-column="todo"] .task-title').allTextContents()

/** The titles in the first screen saved on this device for the board, or null if none. */
const savedTitles = (page: Page, boardId: string) =>
  page.evaluate(
    (name) =>
      new Promise<string[] | null>((resolve, reject) => {
        const opened = indexedDB.open(name)
        opened.onerror = () => reject(opened.error)
        opened.onsuccess = () => {
          const db = opened.result
          const all = db.transaction('custom').objectStore('custom').getAll()
          all.onsuccess = () => {
            db.close()
            const record = (all.result as Array<{ json?: string }>).find((r) => r?.json)
            if (!record?.json) return resolve(null)
            const screen = JSON.parse(record.json) as { tasks: Record<string, { title: string }> }
            resolve(
              Object.values(screen.tasks)
                .map((t) => t.title)
                .sort(),
            )
          }
        }
      }),
    `loupe-board-${boardId}`,
  )

/**
 * Before the app runs: records what the task view shows the first time it is marked as the
 * saved first screen, and whether it was marked before the live board took over.
 */
const watchFirstScreen = () => {
  const w = window as unknown as { __firstScreen?: { titles: string[]; busy: string | null } }
  new MutationObserver((_, observer) => {
    const section = document.querySelector('section.tasks[data-first-screen]')
    if (!section) return
    const shown = [...section.querySelectorAll('[data-column="todo"] .task-title')]
    if (shown.length === 0) return
    observer.disconnect()
    w.__firstScreen = {
      titles: shown.map((e) => e.textContent ?? ''),
      busy: section.getAttribute('aria-busy'),
    }
  }).observe(document, { childList: true, subtree: true, attributes: true })
}

/** Adds tasks through the task view's form, each waited for on screen. */
async function addTasks(page: Page, ...names: string[]) {
  for (const title of names) {
    await page.getByLabel('New task').fill(title)
    await page.getByRole('button', { name: 'Add task' }).click()
    await page.locator('.task-title', { hasText: title }).waitFor({ timeout: WAIT })
  }
}

/**
 * Adds the first tasks of a new board, and waits until its saved first screen holds exactly
 * them (saved once the page is idle after the changes).
 */
async function addSavedTasks(page: Page, boardId: string, ...names: string[]) {
  await addTasks(page, ...names)
  await expect.poll(() => savedTitles(page, boardId), { timeout: WAIT }).toEqual(names)
}

const columnTitles = (page: Page, status: string) =>
  page.locator(`[data-column="${status}"] .task-title`).allTextContents()

/**
 * Before the app runs: the board's stored document waits to load from IndexedDB once the
 * saved first screen is shown (its database is opened only when the test calls
 * `window.__letLoad()`), so the test can act while the saved copy is on screen.
 * `__loadHeld` counts the opens held back.
 */
const holdLoad = () => {
  const w = window as unknown as { __letLoad?: () => void; __loadHeld?: number }
  const factory = IDBFactory.prototype
  const realOpen = factory.open
  let held: Array<() => void> | null = []
  w.__loadHeld = 0
  w.__letLoad = () => {
    const waiting = held ?? []
    held = null
    for (const run of waiting) run()
  }
  factory.open = function (this: IDBFactory, name: string, version?: number) {
    const shown = performance.getEntriesByName('loupe:first-screen').length > 0
    if (!held || !shown || !name.startsWith('loupe-board-'))
      return version === undefined ? realOpen.call(this, name) : realOpen.call(this, name, version)
    w.__loadHeld = (w.__loadHeld ?? 0) + 1
    // Stands in for the request until let go: lib0's openDB only sets these handlers.
    const stand = {} as IDBOpenDBRequest
    held.push(() => {
      const real =
        version === undefined ? realOpen.call(this, name) : realOpen.call(this, name, version)
      real.onupgradeneeded = (e) => stand.onupgradeneeded?.call(real, e)
      real.onsuccess = (e) => stand.onsuccess?.call(real, e)
      real.onerror = (e) => stand.onerror?.call(real, e)
      real.onblocked = (e) => stand.onblocked?.call(real, e)
    })
    return stand
  }
}

/**
 * In the page: records what a board's To do column shows the first time it is in the DOM
 * after the next navigation, and whether that was the saved first screen.
 */
const watchFirstColumns = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as {
      __firstColumn?: { titles: string[]; firstScreen: boolean; board: string }
    }
    delete w.__firstColumn
    new MutationObserver((_, observer) => {
      const column = document.querySelector('[data-column="todo"]')
      if (!column) return
      observer.disconnect()
      w.__firstColumn = {
        titles: [...column.querySelectorAll('.task-title')].map((e) => e.textContent ?? ''),
        firstScreen: !!column.closest('section.tasks[data-first-screen]'),
        board: location.hash,
      }
    }).observe(document, { childList: true, subtree: true })
  })

const firstColumn = (page: Page) =>
  page.evaluate(() => (window as { __firstColumn?: unknown }).__firstColumn)

describe('the first screen of a board', () => {
  it('shows the saved tasks at once, then the live board takes over and edits work', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'first')
    const olive = await open(t, 'Olive', boardId)
    const { page } = olive
    await page.goto(`${t.url}/#/b/${boardId}/tasks`)
    await addSavedTasks(page, boardId, 'Alpha', 'Bravo', 'Charlie')

    await olive.context.addInitScript(watchFirstScreen)
    await page.reload()
    // The saved tasks were shown, marked as such, before the live board loaded...
    await expect
      .poll(() => page.evaluate(() => (window as { __firstScreen?: unknown }).__firstScreen), {
        timeout: WAIT,
      })
      .toEqual({ titles: ['Alpha', 'Bravo', 'Charlie'], busy: 'true' })
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => m.name))
    expect(marks.indexOf('loupe:first-screen')).toBeGreaterThanOrEqual(0)
    // ...and the live board takes over with the same tasks.
    await page.locator('section.tasks:not([data-first-screen])').waitFor({ timeout: WAIT })
    await expect
      .poll(() =>
        page.evaluate(() => performance.getEntriesByName('loupe:first-screen-live').length),
      )
      .toBe(1)
    expect(await titles(page)).toEqual(['Alpha', 'Bravo', 'Charlie'])

    // An edit on the live board works and reaches the server.
    await page.getByLabel('New task').fill('Delta')
    await page.getByRole('button', { name: 'Add task' }).click()
    await expect
      .poll(() => titles(page), { timeout: WAIT })
      .toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta'])
    await eventually(async () => {
      const doc = await committedBoard(t, boardId, owner.token)
      const stored = [...boardTypes(doc).tasks.values()].map((task) => task.get('title'))
      expect(stored.sort()).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta'])
    })
    // And it is saved into the first screen for next time.
    await expect
      .poll(() => savedTitles(page, boardId), { timeout: WAIT })
      .toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta'])
  })

  it('takes edits made while shown on the live board, and keeps what is being typed', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'edits')
    const olive = await open(t, 'Olive', boardId)
    const { page } = olive
    await page.goto(`${t.url}/#/b/${boardId}/tasks`)
    await addSavedTasks(page, boardId, 'Alpha', 'Bravo', 'Charlie')

    await olive.context.addInitScript(holdLoad)
    await page.reload()
    const shown = page.locator('section.tasks[data-first-screen]')
    await shown.locator('.task-title', { hasText: 'Charlie' }).waitFor({ timeout: WAIT })
    // The stored document is held back: what follows happens on the saved copy's screen.
    await expect
      .poll(() => page.evaluate(() => (window as { __loadHeld?: number }).__loadHeld))
      .toBeGreaterThan(0)

    // A move, a new task, and a title typed but not yet added, all while the copy is shown.
    await page.getByRole('button', { name: 'Move Alpha to Doing' }).click()
    await page.getByLabel('New task').fill('Delta')
    await page.getByRole('button', { name: 'Add task' }).click()
    await page.getByLabel('New task').pressSequentially('Echo')
    expect(await shown.count()).toBe(1)

    await page.evaluate(() => (window as { __letLoad?: () => void }).__letLoad?.())
    await page.locator('section.tasks:not([data-first-screen])').waitFor({ timeout: WAIT })
    // The edits ran on the live board...
    await expect.poll(() => columnTitles(page, 'doing'), { timeout: WAIT }).toEqual(['Alpha'])
    await expect
      .poll(() => columnTitles(page, 'todo'), { timeout: WAIT })
      .toEqual(['Bravo', 'Charlie', 'Delta'])
    // ...and what was being typed is still there, and is added like any other.
    expect(await page.getByLabel('New task').inputValue()).toBe('Echo')
    await page.getByRole('button', { name: 'Add task' }).click()
    await expect
      .poll(() => columnTitles(page, 'todo'), { timeout: WAIT })
      .toEqual(['Bravo', 'Charlie', 'Delta', 'Echo'])

    // The server has each edit once.
    await eventually(async () => {
      const doc = await committedBoard(t, boardId, owner.token)
      const stored = [...boardTypes(doc).tasks.values()]
        .map((task) => `${String(task.get('title'))}:${String(task.get('status'))}`)
        .sort()
      expect(stored).toEqual([
        'Alpha:doing',
        'Bravo:todo',
        'Charlie:todo',
        'Delta:todo',
        'Echo:todo',
      ])
    }, WAIT)
  })

  it('is shown at once when the board is opened from inside the app, and only its own', async () => {
    const { t, owner } = await freshServer()
    const alpha = await createBoard(t, owner.token, owner.workspaceId, 'alpha-board')
    const zulu = await createBoard(t, owner.token, owner.workspaceId, 'zulu-board')
    const olive = await open(t, 'Olive', alpha)
    const { page } = olive
    await page.goto(`${t.url}/#/b/${alpha}/tasks`)
    await addSavedTasks(page, alpha, 'Alpha', 'Bravo', 'Charlie')
    await page.evaluate((hash) => (location.hash = hash), `#/b/${zulu}/tasks`)
    await addSavedTasks(page, zulu, 'Zulu')

    // From the workspace's page to a board's tasks, without loading the page again.
    await page.evaluate((hash) => (location.hash = hash), `#/w/${owner.workspaceId}`)
    await page.getByRole('link', { name: 'alpha-board' }).first().waitFor({ timeout: WAIT })
    // A mark in this page: still there at the end if it was never loaded again.
    await page.evaluate(() => ((window as { __samePage?: boolean }).__samePage = true))
    await watchFirstColumns(page)
    await page.evaluate((hash) => (location.hash = hash), `#/b/${alpha}/tasks`)
    // The columns' first render is the saved tasks: never empty columns first.
    await expect
      .poll(() => firstColumn(page), { timeout: WAIT })
      .toEqual({
        titles: ['Alpha', 'Bravo', 'Charlie'],
        firstScreen: true,
        board: `#/b/${alpha}/tasks`,
      })
    await page.locator('section.tasks:not([data-first-screen])').waitFor({ timeout: WAIT })
    expect(await columnTitles(page, 'todo')).toEqual(['Alpha', 'Bravo', 'Charlie'])

    // Straight on to another board: its own saved tasks, not the board just left.
    await watchFirstColumns(page)
    await page.evaluate((hash) => (location.hash = hash), `#/b/${zulu}/tasks`)
    await expect
      .poll(() => firstColumn(page), { timeout: WAIT })
      .toEqual({ titles: ['Zulu'], firstScreen: true, board: `#/b/${zulu}/tasks` })
    await page.locator('section.tasks:not([data-first-screen])').waitFor({ timeout: WAIT })
    expect(await columnTitles(page, 'todo')).toEqual(['Zulu'])
    // All of it in the one page load.
    expect(await page.evaluate(() => (window as { __samePage?: boolean }).__samePage)).toBe(true)
  })
})

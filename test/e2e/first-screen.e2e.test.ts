/**
 * A board's task view opened again on the same device shows the tasks saved from the last
 * visit at once, read-only (client/src/lib/first-screen.ts), while the stored document loads;
 * then the live board takes over with the same tasks, and edits work as usual. Its own server
 * and browser context; an uncaught page error or console error fails it (test/e2e/people.ts).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Page } from 'playwright-core'
import { board as boardTypes } from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { eventually } from '../harness.ts'
import { freshServer, open, useBrowserHarness, WAIT } from './people.ts'

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

describe('the first screen of a board', () => {
  it('shows the saved tasks at once, then the live board takes over and edits work', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'first')
    const olive = await open(t, 'Olive', boardId)
    const { page } = olive
    await page.goto(`${t.url}/#/b/${boardId}/tasks`)
    for (const title of ['Alpha', 'Bravo', 'Charlie']) {
      await page.getByLabel('New task').fill(title)
      await page.getByRole('button', { name: 'Add task' }).click()
      await page.locator('.task-title', { hasText: title }).waitFor({ timeout: WAIT })
    }
    // Saved once the page is idle after the changes.
    await expect
      .poll(() => savedTitles(page, boardId), { timeout: WAIT })
      .toEqual(['Alpha', 'Bravo', 'Charlie'])

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
      const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, {
        token: owner.token,
      })
      const doc = new Y.Doc()
      Y.applyUpdate(doc, exported.body)
      const stored = [...boardTypes(doc).tasks.values()].map((task) => task.get('title'))
      expect(stored.sort()).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta'])
    })
    // And it is saved into the first screen for next time.
    await expect
      .poll(() => savedTitles(page, boardId), { timeout: WAIT })
      .toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta'])
  })
})

/**
 * The task board under concurrency and across time zones (issue 11): two people adding at
 * once, one of them offline, then a card dropped between tasks that share an order key — the
 * move is never lost; a due date reads as the day it was set, west of UTC too; a filtered view
 * is a deep link. Every test starts its own server and browser contexts.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { board as boardTypes } from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { eventually } from '../harness.ts'
import {
  committedBoard,
  freshServer,
  open,
  RECONNECT,
  useBrowserHarness,
  view,
  WAIT,
  type Person,
} from './people.ts'

useBrowserHarness()

/** The titles of a column's cards, top to bottom. */
const titles = (page: Page, status = 'todo') =>
  page.locator(`[data-column="${status}"] .task-title`).allTextContents()

async function addTask(page: Page, title: string) {
  await page.getByLabel('New task').fill(title)
  await page.getByRole('button', { name: 'Add task' }).click()
}

/** Every draw of Math.random gives the same number: two people's new keys then tie for sure. */
async function sameRandom(who: Person) {
  await who.context.addInitScript(() => {
    Math.random = () => 0.5
  })
  await who.page.reload()
  await who.page.getByTestId('status').waitFor({ timeout: WAIT })
}

/**
 * Holds what this person's page sends on its board socket while `hold()`ed, and sends it on
 * `release()`: what they add meanwhile reaches no one, so another person adding then has not
 * seen it (two adds truly at once, not one after the other by a few milliseconds). Routes
 * sockets opened after it is called.
 */
async function outboundGate(who: Person) {
  const held: Array<() => void> = []
  let holding = false
  await who.context.routeWebSocket(/\/ws\/doc/, (ws) => {
    const server = ws.connectToServer()
    ws.onMessage((message) => {
      if (holding) held.push(() => server.send(message))
      else server.send(message)
    })
    server.onMessage((message) => ws.send(message))
  })
  return {
    hold: () => void (holding = true),
    release: () => {
      holding = false
      for (const send of held.splice(0)) send()
    },
  }
}

describe('the task board', () => {
  it('keeps every task and every move when two people add at once, one of them offline', async () => {
    const { t, owner } = await freshServer({ bea: 'editor' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'order')
    const a = await open(t, 'Olive', boardId)
    const b = await open(t, 'bea', boardId)
    const gate = await outboundGate(a)
    await sameRandom(a)
    await sameRandom(b)
    await view(a.page, 'Tasks')
    await view(b.page, 'Tasks')
    await addTask(a.page, 'Mover')
    await expect.poll(() => titles(b.page), { timeout: WAIT }).toEqual(['Mover'])

    // Both add at the same moment, neither having seen the other's: both keys are drawn
    // after "Mover" — the same key.
    gate.hold()
    await addTask(a.page, 'Olive at once')
    await expect.poll(() => titles(a.page), { timeout: WAIT }).toEqual(['Mover', 'Olive at once'])
    await addTask(b.page, 'Bea at once')
    gate.release()
    await expect.poll(async () => (await titles(a.page)).length, { timeout: WAIT }).toBe(3)
    await expect.poll(async () => (await titles(b.page)).length, { timeout: WAIT }).toBe(3)

    // Then one goes offline and both add again.
    b.wentOffline = true
    await b.context.setOffline(true)
    await expect
      .poll(() => b.page.getByTestId('status').textContent(), { timeout: WAIT })
      .toMatch(/^Offline/)
    await addTask(b.page, 'Bea offline')
    await addTask(a.page, 'Olive online')
    await b.context.setOffline(false)
    await expect.poll(async () => (await titles(b.page)).length, { timeout: RECONNECT }).toBe(5)
    await expect.poll(async () => (await titles(a.page)).length, { timeout: WAIT }).toBe(5)
    // One order everywhere, ties broken the same way on both.
    const order = await titles(a.page)
    await expect.poll(() => titles(b.page), { timeout: WAIT }).toEqual(order)
    const keys = async () => {
      const doc = await committedBoard(t, boardId, owner.token)
      return new Map(
        [...boardTypes(doc).tasks.values()].map((task) => [task.get('title'), task.get('order')]),
      )
    }
    const stored = await eventually(async () => {
      const found = await keys()
      expect(found.size).toBe(5)
      return found
    }, WAIT)
    // The adds at once tied, as the two people's keys were the same draw.
    expect(stored.get('Olive at once')).toBe(stored.get('Bea at once'))
    expect(stored.get('Bea offline')).toBe(stored.get('Olive online'))

    // Olive drags "Mover" between the two tasks added at once: it lands there, for both,
    // and stays there after a reload.
    const [first, second] = order.filter((title) => title.endsWith('at once')) as [string, string]
    const grip = a.page.getByRole('button', { name: 'Drag Mover' })
    const target = a.page.locator('[data-column="todo"] .task').filter({ hasText: first })
    const from = (await grip.boundingBox())!
    const to = (await target.boundingBox())!
    await a.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
    await a.page.mouse.down()
    await a.page.mouse.move(to.x + to.width / 2, to.y + to.height * 0.6, { steps: 8 })
    await a.page.mouse.move(to.x + to.width / 2, to.y + to.height * 0.75, { steps: 4 })
    await a.page.mouse.up()
    const expected = order.filter((title) => title !== 'Mover')
    expected.splice(expected.indexOf(first) + 1, 0, 'Mover')
    expect(expected.indexOf('Mover')).toBe(expected.indexOf(second) - 1)
    await expect.poll(() => titles(a.page), { timeout: WAIT }).toEqual(expected)
    await expect.poll(() => titles(b.page), { timeout: WAIT }).toEqual(expected)
    await b.page.reload()
    await b.page.getByRole('heading', { name: 'Mover' }).waitFor({ timeout: WAIT })
    await expect.poll(() => titles(b.page), { timeout: WAIT }).toEqual(expected)
    // And by the move buttons, past the other tied task.
    await a.page.getByRole('button', { name: 'Move Mover down' }).click()
    expected.splice(expected.indexOf('Mover'), 1)
    expected.splice(expected.indexOf(second) + 1, 0, 'Mover')
    await expect.poll(() => titles(b.page), { timeout: WAIT }).toEqual(expected)
  }, 120_000)

  it('shows a due date as the day it was set, west of UTC and east of it (and edits a title)', async () => {
    const { t, owner } = await freshServer({ bea: 'editor' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'due')
    const west = await open(t, 'Olive', boardId, { timezoneId: 'America/Los_Angeles' })
    const east = await open(t, 'bea', boardId, { timezoneId: 'Asia/Tokyo' })
    expect(await west.page.evaluate(() => new Date(Date.UTC(2026, 2, 14)).getDate())).toBe(13)
    await view(west.page, 'Tasks')
    await view(east.page, 'Tasks')
    await addTask(west.page, 'Ship the stills')
    await west.page.getByRole('button', { name: 'Edit Ship the stills' }).click()
    await west.page.getByLabel('Due date', { exact: true }).fill('2026-03-14')
    await west.page.getByLabel('Due date', { exact: true }).press('Tab')
    // The title is edited too (live for the other person); emptied, it keeps the last one.
    const title = west.page.getByLabel('Title', { exact: true })
    await title.fill('Ship the stills today')
    await east.page
      .getByRole('heading', { name: 'Ship the stills today' })
      .waitFor({ timeout: WAIT })
    await title.fill('')
    await title.press('Tab')
    expect(await title.inputValue()).toBe('Ship the stills today')
    await west.page.getByRole('button', { name: 'Done editing' }).click()
    for (const page of [west.page, east.page])
      await expect
        .poll(() => page.getByTestId('due').first().textContent(), { timeout: WAIT })
        .toMatch(/^due Mar 14(, 2026)?$/)
    // Stored as that day (its midnight UTC), and given back to the editor unchanged.
    const doc = await committedBoard(t, boardId, owner.token)
    expect([...boardTypes(doc).tasks.values()][0]?.get('dueAt')).toBe(Date.UTC(2026, 2, 14))
    await east.page.getByRole('button', { name: 'Edit Ship the stills today' }).click()
    expect(await east.page.getByLabel('Due date', { exact: true }).inputValue()).toBe('2026-03-14')
  }, 60_000)
})

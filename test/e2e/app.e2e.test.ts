/**
 * The app around the board (issue 12): the tab title and favicon carry the unread count, the
 * theme toggle is remembered, the @mention picker is a keyboard combobox, `?` lists the
 * shortcuts and they work, task cards move by touch drag with 44 px targets, and owners see
 * live figures and held locks on the status page.
 */
import { describe, expect, it } from 'vitest'
import { generateNKeysBetween } from 'fractional-indexing'
import * as Y from 'yjs'
import { addComment, createThread, createTask } from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { synced } from '../harness.ts'
import { freshServer, open, PHONE, signIn, useBrowserHarness, view, WAIT } from './people.ts'

useBrowserHarness()

describe('the app around the board', () => {
  it('shows the unread count in the tab title and the favicon', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'attention')
    const olive = await open(t, 'Olive', boardId)
    await expect.poll(() => olive.page.title(), { timeout: WAIT }).toBe('attention · Loupe')
    // Bea mentions Olive from her own connection.
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc, { token: accounts.bea!.token })
    await synced(provider)
    createThread(doc, { id: 'th', anchor: { type: 'board', id: boardId }, createdBy: 'x' })
    addComment(doc, 'th', {
      id: 'c',
      authorId: accounts.bea!.user.id,
      body: '@Olive look',
      mentions: [owner.user.id],
    })
    await expect.poll(() => olive.page.title(), { timeout: WAIT }).toBe('(1) attention · Loupe')
    const icon = await olive.page.locator('link[rel="icon"]').getAttribute('href')
    expect(decodeURIComponent(icon ?? '')).toContain('>1</text>')
    provider.destroy()
  }, 60_000)

  it('remembers the theme chosen with the toggle, over the system setting', async () => {
    const { t } = await freshServer()
    const olive = await signIn(t, 'Olive', { colorScheme: 'light' })
    const theme = () => olive.page.evaluate(() => document.documentElement.dataset.theme)
    expect(await theme()).toBe('light')
    await olive.page.getByRole('button', { name: 'Switch to dark theme' }).click()
    expect(await theme()).toBe('dark')
    await olive.page.reload()
    await olive.page.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor()
    expect(await theme()).toBe('dark')
  }, 60_000)

  it('picks a person to mention with the keyboard, announced as a combobox', async () => {
    const { t, owner } = await freshServer({ bea: 'editor', vic: 'viewer' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'mentions')
    const { page } = await open(t, 'Olive', boardId)
    const box = page.getByRole('combobox', { name: 'Comment', exact: true })
    await box.click()
    await box.pressSequentially('Hello @')
    await expect.poll(() => box.getAttribute('aria-expanded')).toBe('true')
    const options = page.getByRole('option')
    expect(await options.allTextContents()).toEqual(['O@Olive', 'B@bea', 'V@vic'])
    await box.press('ArrowDown')
    const active = await box.getAttribute('aria-activedescendant')
    expect(await page.locator(`[id="${active}"]`).textContent()).toBe('B@bea')
    expect(await page.getByRole('status').filter({ hasText: '3 people match' }).count()).toBe(1)
    await box.press('Enter')
    expect(await box.inputValue()).toBe('Hello @bea ')
    expect(await box.getAttribute('aria-expanded')).toBe('false')
    await box.pressSequentially('and @v')
    await expect.poll(() => box.getAttribute('aria-expanded')).toBe('true')
    await box.press('Escape')
    expect(await box.getAttribute('aria-expanded')).toBe('false')
    expect(await box.inputValue()).toBe('Hello @bea and @v')
  }, 60_000)

  it('lists the shortcuts on ? and runs them', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'keys')
    const { page } = await open(t, 'Olive', boardId)
    await page.getByTestId('stage').focus()
    await page.keyboard.press('Shift+Slash')
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await dialog.waitFor()
    for (const text of ['Rectangle tool', 'Zoom in', 'Next thread', 'Undo', 'Next media'])
      expect(await dialog.getByText(text, { exact: true }).count()).toBe(1)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await page.keyboard.press('r')
    expect(
      await page
        .getByRole('button', { name: 'Rectangle', exact: true })
        .getAttribute('aria-pressed'),
    ).toBe('true')
    await page.keyboard.press('t')
    await page.getByRole('heading', { name: 'To do' }).waitFor()
    expect(page.url()).toContain(`#/b/${boardId}/tasks`)
  }, 60_000)

  it('moves a task card by touch drag, with 44 px targets on a touch screen', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'touch-tasks')
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc, { token: owner.token })
    await synced(provider)
    createTask(doc, { id: 'card', title: 'Drag me', order: 'a0', createdBy: owner.user.id })
    const { page } = await open(t, 'Olive', boardId, { viewport: PHONE, touch: true })
    await view(page, 'Tasks')
    const grip = page.getByRole('button', { name: 'Drag Drag me' })
    await grip.waitFor()
    const size = (await grip.boundingBox())!
    expect(size.width).toBeGreaterThanOrEqual(44)
    expect(size.height).toBeGreaterThanOrEqual(44)
    // Drag onto the next column, scrolled beside it on a phone.
    const target = page.getByRole('region', { name: 'Doing', exact: true })
    await target.scrollIntoViewIfNeeded()
    await grip.scrollIntoViewIfNeeded()
    const from = (await grip.boundingBox())!
    const to = (await target.boundingBox())!
    const cdp = await page.context().newCDPSession(page)
    const start = { x: from.x + from.width / 2, y: from.y + from.height / 2 }
    const end = { x: Math.min(to.x + 40, PHONE.width - 10), y: to.y + 60 }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [start] })
    for (let i = 1; i <= 10; i++)
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [
          { x: start.x + ((end.x - start.x) * i) / 10, y: start.y + ((end.y - start.y) * i) / 10 },
        ],
      })
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
    await expect
      .poll(() => (doc.getMap('tasks').get('card') as Y.Map<unknown>).get('status'), {
        timeout: WAIT,
      })
      .toBe('doing')
    provider.destroy()
  }, 60_000)

  it('shows the cards of long (windowed) columns after every offline reload', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'long-columns')
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc, { token: owner.token })
    await synced(provider)
    const statuses = ['todo', 'doing', 'review', 'done'] as const
    const orders = generateNKeysBetween(null, null, 200)
    doc.transact(() =>
      orders.forEach((order, i) =>
        createTask(doc, {
          id: `t${i}`,
          title: `Task ${i}`,
          order,
          status: statuses[i % 4],
          createdBy: owner.user.id,
        }),
      ),
    )
    const olive = await open(t, 'Olive', boardId)
    const { page } = olive
    await view(page, 'Tasks')
    const column = page.getByRole('region', { name: 'To do', exact: true })
    await page.getByRole('heading', { name: 'Task 0', exact: true }).waitFor({ timeout: WAIT })
    // Windowed: the first screen of cards is in the page, not all fifty.
    const cards = await column.locator('article.task').count()
    expect(cards).toBeGreaterThan(0)
    expect(cards).toBeLessThan(50)
    // Offline, the board comes from IndexedDB, racing the view: the cards must show each time.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined))
    await page.reload()
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, {
      timeout: WAIT,
    })
    await page.getByRole('heading', { name: 'Task 0', exact: true }).waitFor({ timeout: WAIT })
    olive.wentOffline = true
    await olive.context.setOffline(true)
    for (let i = 0; i < 6; i++) {
      await page.reload()
      await page.getByRole('heading', { name: 'Task 0', exact: true }).waitFor({ timeout: 5000 })
    }
    provider.destroy()
  }, 90_000)

  it('shows owners live figures and the locks held, with their holders', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' }, { systemFiguresMs: 200 })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'held')
    await t.api('/api/locks/acquire', {
      method: 'POST',
      token: accounts.bea!.token,
      json: { key: `${boardId}/task/some-task`, ttlMs: 600_000 },
    })
    const { page } = await signIn(t, 'Olive')
    await page.getByRole('link', { name: 'System status' }).click()
    const row = page.getByTestId('locks').getByRole('row').filter({ hasText: 'bea' })
    await row.waitFor({ timeout: WAIT })
    expect(await row.getByRole('cell').allTextContents()).toEqual(
      expect.arrayContaining(['held', 'task', 'bea']),
    )
    // Figures arrive every interval; the charts grow a point each time.
    const points = () =>
      page
        .locator('[data-figure="liveSessions"] polyline')
        .getAttribute('points')
        .then((p) => (p ? p.trim().split(' ').length : 0))
    await expect.poll(points, { timeout: WAIT }).toBeGreaterThanOrEqual(3)
    expect(await page.locator('[data-figure="liveSessions"] .chart-value').textContent()).toBe('1')
    // Members who own nothing do not see it.
    const bea = await signIn(t, 'bea')
    expect(await bea.page.getByRole('link', { name: 'System status' }).count()).toBe(0)
  }, 60_000)
})

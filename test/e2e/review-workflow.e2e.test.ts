/**
 * The review workflow in two browsers (issue 11): deletes and their undo (a task, a thread, a
 * board by its owner), the history (a past version opened read-only, one entity restored while
 * another person's later edit stays, then the whole board; since-your-last-visit), search and a
 * filtered task view. Every test starts its own server and browser contexts.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Page } from 'playwright-core'
import {
  addComment,
  addMedia,
  board as boardTypes,
  createAnnotation,
  createTask,
  createThread,
} from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { eventually, synced, type TestServer } from '../harness.ts'
import { freshServer, open, picture, signIn, useBrowserHarness, view, WAIT } from './people.ts'

useBrowserHarness()

/** Writes to a board as `token`'s user through the document socket, then waits for the commit. */
async function write(t: TestServer, token: string, boardId: string, change: (doc: Y.Doc) => void) {
  const doc = new Y.Doc()
  const provider = t.provider(boardId, doc, { token })
  await synced(provider)
  change(doc)
  const want = Y.encodeStateVector(doc)
  await eventually(async () => {
    const stored = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, { token })
    const copy = new Y.Doc()
    Y.applyUpdate(copy, stored.body)
    expect(Y.encodeStateVector(copy)).toEqual(want)
  }, WAIT)
  provider.destroy()
}

/** The board as the server has it. */
async function stored(t: TestServer, token: string, boardId: string) {
  const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, { token })
  const doc = new Y.Doc()
  Y.applyUpdate(doc, exported.body)
  return boardTypes(doc)
}

const undoToast = (page: Page) => page.getByTestId('undo-toast')
const panelTab = (page: Page, name: string) =>
  page.getByRole('tablist', { name: 'Board panels' }).getByRole('tab', { name })

describe('deleting and taking it back', () => {
  it('deletes a task and a thread, each undone by the person who did it; the feed names them', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'deletes')
    await write(t, owner.token, boardId, (doc) => {
      createTask(doc, {
        id: 'night',
        title: 'Check the night exposure',
        description: 'Lift the shadows a little.',
        order: 'a0',
        createdBy: owner.user.id,
      })
      createThread(doc, {
        id: 'th1',
        anchor: { type: 'board', id: boardId },
        createdBy: owner.user.id,
      })
      addComment(doc, 'th1', { id: 'c1', authorId: owner.user.id, body: 'Too dark at the edges' })
    })
    await write(t, accounts.bea!.token, boardId, (doc) =>
      addComment(doc, 'th1', {
        id: 'c2',
        authorId: accounts.bea!.user.id,
        body: 'Agreed, lifting',
      }),
    )
    const a = await open(t, 'Olive', boardId)
    const b = await open(t, 'bea', boardId)

    // A task: gone for both, back for both with its description, by the toast's Undo.
    await view(a.page, 'Tasks')
    await view(b.page, 'Tasks')
    const card = (page: Page) => page.getByRole('heading', { name: 'Check the night exposure' })
    await card(b.page).waitFor({ timeout: WAIT })
    await a.page.getByRole('button', { name: 'Delete Check the night exposure' }).click()
    await undoToast(a.page).getByText('Deleted the task “Check the night exposure”').waitFor()
    await card(b.page).waitFor({ state: 'detached', timeout: WAIT })
    await undoToast(a.page).getByRole('button', { name: 'Undo' }).click()
    await card(b.page).waitFor({ timeout: WAIT })
    await b.page.getByText('Lift the shadows a little.').waitFor({ timeout: WAIT })
    // And with Ctrl+Z, the board's own undo.
    await a.page.getByRole('button', { name: 'Delete Check the night exposure' }).click()
    await card(b.page).waitFor({ state: 'detached', timeout: WAIT })
    await a.page.locator('body').press('Control+z')
    await card(b.page).waitFor({ timeout: WAIT })

    // A thread with its comments, from its menu; the mark-less board thread.
    await view(a.page, 'Review')
    await view(b.page, 'Review')
    const thread = (page: Page) => page.getByTestId('thread-th1')
    await thread(b.page).getByText('Agreed, lifting').waitFor({ timeout: WAIT })
    await thread(a.page).getByRole('button', { name: 'Thread actions: On the board' }).click()
    await a.page.getByRole('menuitem', { name: 'Delete thread' }).click()
    await undoToast(a.page).getByText('With its 2 comments.').waitFor()
    await thread(b.page).waitFor({ state: 'detached', timeout: WAIT })
    expect((await stored(t, owner.token, boardId)).threads.has('th1')).toBe(false)
    await undoToast(a.page).getByRole('button', { name: 'Undo' }).click()
    await thread(b.page).getByText('Agreed, lifting').waitFor({ timeout: WAIT })
    await thread(b.page).getByText('Too dark at the edges').waitFor({ timeout: WAIT })

    // The feed says what went, by title.
    await panelTab(b.page, 'Activity').click()
    const feed = b.page.getByRole('region', { name: 'Activity feed' })
    await feed.getByText('Olive deleted the task “Check the night exposure”').first().waitFor()
    await feed
      .getByText('Olive deleted the thread “Too dark at the edges” with its 2 comments')
      .waitFor()
  }, 90_000)

  it('lets an owner delete a board after confirming, and undo it', async () => {
    const { t, owner } = await freshServer({ bea: 'editor' })
    await createBoard(t, owner.token, owner.workspaceId, 'spring')
    await t.api('/api/boards/spring', {
      method: 'PATCH',
      token: owner.token,
      json: { title: 'Spring' },
    })
    const a = await signIn(t, 'Olive')
    const b = await signIn(t, 'bea')
    for (const page of [a.page, b.page]) await page.goto(`${t.url}/#/w/${owner.workspaceId}`)
    const link = (page: Page) => page.getByRole('main').getByRole('link', { name: 'Spring' })
    // The sidebar's tree of workspaces and their boards.
    const nav = (page: Page) =>
      page
        .getByRole('list', { name: 'Workspaces', exact: true })
        .getByRole('link', { name: 'Spring' })
    await link(b.page).waitFor()
    await nav(b.page).waitFor()
    // An editor may rename but not delete.
    await b.page.getByRole('button', { name: 'Actions for Spring' }).click()
    await b.page.getByRole('menuitem', { name: 'Rename' }).waitFor()
    expect(await b.page.getByRole('menuitem', { name: 'Delete…' }).count()).toBe(0)
    await b.page.keyboard.press('Escape')

    await a.page.getByRole('button', { name: 'Actions for Spring' }).click()
    await a.page.getByRole('menuitem', { name: 'Delete…' }).click()
    const dialog = a.page.getByRole('alertdialog', { name: 'Delete “Spring”?' })
    // Cancelling deletes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    expect(
      (
        await t.api<{ boards: unknown[] }>(`/api/workspaces/${owner.workspaceId}/boards`, {
          token: owner.token,
        })
      ).body.boards,
    ).toHaveLength(1)
    await a.page.getByRole('button', { name: 'Actions for Spring' }).click()
    await a.page.getByRole('menuitem', { name: 'Delete…' }).click()
    await dialog.getByRole('button', { name: 'Delete board' }).click()
    await link(a.page).waitFor({ state: 'detached', timeout: WAIT })
    // Gone from the other person's sidebar too (the workspace stream says so).
    await nav(b.page).waitFor({ state: 'detached', timeout: WAIT })
    await undoToast(a.page).getByText('Deleted the board “Spring”').waitFor()
    await undoToast(a.page).getByRole('button', { name: 'Undo' }).click()
    await link(a.page).waitFor({ timeout: WAIT })
    await nav(b.page).waitFor({ timeout: WAIT })
    await b.page.goto(`${t.url}/#/b/spring`)
    await b.page.getByTestId('status').filter({ hasText: 'All changes saved' }).waitFor()
  }, 60_000)
})

describe('history', () => {
  it('opens an older version read-only, restores one task while a later edit by someone else stays, then the whole board', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' })
    const bea = accounts.bea!
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'history')
    await write(t, owner.token, boardId, (doc) => {
      createTask(doc, {
        id: 'sky',
        title: 'Color pass on the sky',
        order: 'a0',
        createdBy: owner.user.id,
      })
      createTask(doc, {
        id: 'export',
        title: 'Export stills',
        order: 'a1',
        createdBy: owner.user.id,
      })
    })
    const a = await open(t, 'Olive', boardId)
    await panelTab(a.page, 'History').click()
    await a.page.getByRole('button', { name: 'Name this version…' }).click()
    await a.page
      .getByRole('dialog', { name: 'Name this version' })
      .getByLabel('Name')
      .fill('Before review')
    await a.page.getByRole('button', { name: 'Name it' }).click()
    const named = a.page.getByRole('link', { name: /Before review/ })
    await named.waitFor({ timeout: WAIT })

    // After it: Olive renames one task, bea edits the other (later, and someone else's work).
    await write(t, owner.token, boardId, (doc) =>
      boardTypes(doc).tasks.get('sky')?.set('title', 'Sky, warmer'),
    )
    await write(t, bea.token, boardId, (doc) =>
      boardTypes(doc).tasks.get('export')?.set('title', 'Export stills for print'),
    )
    const b = await open(t, 'bea', boardId)
    await view(b.page, 'Tasks')
    await b.page.getByRole('heading', { name: 'Sky, warmer' }).waitFor({ timeout: WAIT })

    // The version, read-only, in both views; the live board is untouched.
    await named.click()
    await a.page.getByTestId('version-banner').getByText('Before review').waitFor({ timeout: WAIT })
    await view(a.page, 'Tasks')
    await a.page.getByTestId('version-banner').waitFor()
    await a.page.getByRole('heading', { name: 'Color pass on the sky' }).waitFor({ timeout: WAIT })
    await a.page.getByRole('heading', { name: 'Export stills', exact: true }).waitFor()
    expect(await a.page.getByLabel('New task').count()).toBe(0)
    expect(await a.page.getByRole('button', { name: /^Edit / }).count()).toBe(0)
    expect(await a.page.getByRole('button', { name: /^Delete / }).count()).toBe(0)
    const live = await stored(t, owner.token, boardId)
    expect(live.tasks.get('sky')?.get('title')).toBe('Sky, warmer')

    // Restore one task from it: it comes back for everyone; bea's later edit stays.
    await a.page
      .getByRole('button', { name: 'Restore “Color pass on the sky” from this version' })
      .click()
    await a.page.getByText('Restored the task “Color pass on the sky”').waitFor({ timeout: WAIT })
    await b.page.getByRole('heading', { name: 'Color pass on the sky' }).waitFor({ timeout: WAIT })
    await b.page.getByRole('heading', { name: 'Export stills for print' }).waitFor()
    const after = await stored(t, owner.token, boardId)
    expect(after.tasks.get('sky')?.get('title')).toBe('Color pass on the sky')
    expect(after.tasks.get('export')?.get('title')).toBe('Export stills for print')

    // Back to now; the feed says what was restored from where.
    await a.page.getByTestId('version-banner').getByRole('link', { name: 'Back to now' }).click()
    await a.page.getByTestId('version-banner').waitFor({ state: 'detached' })
    await view(b.page, 'Review')
    await panelTab(b.page, 'Activity').click()
    await b.page
      .getByRole('region', { name: 'Activity feed' })
      .getByText('Olive restored “Color pass on the sky” from “Before review”')
      .waitFor({ timeout: WAIT })

    // The whole board from it, after a confirmation: bea's later title goes back too, for her,
    // and the board as it was is kept first as a named version.
    await view(a.page, 'Review')
    await panelTab(a.page, 'History').click()
    await named.click()
    await a.page.getByTestId('version-banner').getByText('Before review').waitFor({ timeout: WAIT })
    await a.page.getByRole('button', { name: 'Restore whole board…' }).click()
    await a.page
      .getByRole('alertdialog', { name: 'Restore the whole board?' })
      .getByRole('button', { name: 'Restore whole board' })
      .click()
    await a.page.getByTestId('version-banner').waitFor({ state: 'detached', timeout: WAIT })
    await view(b.page, 'Tasks')
    await b.page
      .getByRole('heading', { name: 'Export stills', exact: true })
      .waitFor({ timeout: WAIT })
    const whole = await stored(t, owner.token, boardId)
    expect(whole.tasks.get('export')?.get('title')).toBe('Export stills')
    await a.page
      .getByRole('link', { name: /Before restoring Before review/ })
      .waitFor({ timeout: WAIT })
  }, 120_000)

  it('brings a deleted thread back from a version, with its comments, under its id', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'thread-back')
    await write(t, owner.token, boardId, (doc) => {
      createThread(doc, {
        id: 'th1',
        anchor: { type: 'board', id: boardId },
        createdBy: owner.user.id,
      })
      addComment(doc, 'th1', { id: 'c1', authorId: owner.user.id, body: 'Keep the grain' })
      addComment(doc, 'th1', { id: 'c2', authorId: owner.user.id, body: 'And the vignette' })
    })
    const a = await open(t, 'Olive', boardId)
    await a.page.getByTestId('thread-th1').getByText('Keep the grain').waitFor({ timeout: WAIT })
    await panelTab(a.page, 'History').click()
    await a.page.getByRole('button', { name: 'Name this version…' }).click()
    await a.page
      .getByRole('dialog', { name: 'Name this version' })
      .getByLabel('Name')
      .fill('Graded')
    await a.page.getByRole('button', { name: 'Name it' }).click()
    const named = a.page.getByRole('link', { name: /Graded/ })
    await named.waitFor({ timeout: WAIT })
    // Deleted (by another device of hers), then restored from the version.
    await write(t, owner.token, boardId, (doc) => boardTypes(doc).threads.delete('th1'))
    await named.click()
    await a.page.getByTestId('version-banner').getByText('Graded').waitFor({ timeout: WAIT })
    await panelTab(a.page, 'Threads').click()
    await a.page
      .getByRole('button', { name: 'Restore this thread (On the board) from this version' })
      .click()
    await a.page
      .getByText(/^Restored the thread/)
      .first()
      .waitFor({ timeout: WAIT })
    await a.page.getByTestId('version-banner').getByRole('link', { name: 'Back to now' }).click()
    await a.page.getByTestId('version-banner').waitFor({ state: 'detached' })
    await panelTab(a.page, 'Threads').click()
    await a.page.getByTestId('thread-th1').getByText('And the vignette').waitFor({ timeout: WAIT })
    const back = (await stored(t, owner.token, boardId)).threads.get('th1')
    expect(back?.toJSON().comments.map((c: { body: string }) => c.body)).toEqual([
      'Keep the grain',
      'And the vignette',
    ])
  }, 90_000)

  it('marks what others added or changed since your last visit, until dismissed', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' })
    const bea = accounts.bea!
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'visits')
    await write(t, owner.token, boardId, (doc) =>
      createTask(doc, { id: 'old', title: 'Old task', order: 'a0', createdBy: owner.user.id }),
    )
    // bea visits, and leaves.
    const b = await open(t, 'bea', boardId)
    await view(b.page, 'Tasks')
    await b.page.getByRole('heading', { name: 'Old task' }).waitFor({ timeout: WAIT })
    await b.page.goto(`${t.url}/#/`)
    await eventually(async () => {
      const visit = await t.api<{ since: number | null }>(
        `/api/boards/${boardId}/since-last-visit`,
        {
          token: bea.token,
        },
      )
      expect(visit.body.since).not.toBeNull()
    }, WAIT)
    // Olive adds one task and changes the other meanwhile, and adds a picture with a mark.
    const png = await picture(b.page)
    const sent = await t.api<{ media: { hash: string; bytes: number } }>(
      `/api/media?board=${boardId}`,
      {
        method: 'POST',
        token: owner.token,
        headers: { 'content-type': 'image/png' },
        body: Buffer.from(png, 'base64'),
      },
    )
    expect(sent.status).toBe(201)
    await write(t, owner.token, boardId, (doc) => {
      createTask(doc, { id: 'new', title: 'New task', order: 'a1', createdBy: owner.user.id })
      boardTypes(doc).tasks.get('old')?.set('priority', 'high')
      addMedia(doc, {
        id: 'still',
        kind: 'image',
        hash: sent.body.media.hash,
        name: 'still.png',
        bytes: sent.body.media.bytes,
        width: 640,
        height: 360,
        addedBy: owner.user.id,
      })
      createAnnotation(doc, {
        id: 'pin',
        mediaId: 'still',
        shape: { type: 'pin', x: 0.5, y: 0.5 },
        color: '#e5484d',
        authorId: owner.user.id,
      })
    })
    await b.page.goto(`${t.url}/#/b/${boardId}/tasks`)
    const badge = (title: string) =>
      b.page.locator('.task').filter({ hasText: title }).getByTestId('visit-badge')
    await expect.poll(() => badge('New task').textContent(), { timeout: WAIT }).toMatch(/^New/)
    await expect.poll(() => badge('Old task').textContent(), { timeout: WAIT }).toMatch(/^Updated/)
    await view(b.page, 'Review')
    // The new picture in the strip and its mark, too.
    const cell = b.page.getByRole('list', { name: 'Media on this board' }).getByRole('listitem')
    await cell
      .filter({ hasText: 'still.png' })
      .getByTestId('visit-badge')
      .waitFor({ timeout: WAIT })
    await b.page.getByTestId('annotation-pin').and(b.page.locator('[data-visited]')).waitFor()
    await panelTab(b.page, 'History').click()
    const list = b.page.getByRole('region', { name: 'Since your last visit' })
    await list.getByRole('link', { name: /New task/ }).waitFor({ timeout: WAIT })
    await list.getByRole('button', { name: 'Dismiss' }).click()
    await list.waitFor({ state: 'detached' })
    expect(await b.page.getByTestId('visit-badge').count()).toBe(0)
    expect(await b.page.locator('[data-visited]').count()).toBe(0)
    await view(b.page, 'Tasks')
    expect(await b.page.getByTestId('visit-badge').count()).toBe(0)
  }, 90_000)
})

describe('search and filters', () => {
  it('finds a comment and opens its thread, on this board and across the workspace', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'search')
    const other = await createBoard(t, owner.token, owner.workspaceId, 'elsewhere')
    await t.api(`/api/boards/${other}`, {
      method: 'PATCH',
      token: owner.token,
      json: { title: 'Elsewhere' },
    })
    await write(t, owner.token, boardId, (doc) => {
      for (const [id, body] of [
        ['th1', 'The sun flare clips here'],
        ['th2', 'Nothing to see'],
      ] as const) {
        createThread(doc, { id, anchor: { type: 'board', id: boardId }, createdBy: owner.user.id })
        addComment(doc, id, { id: `c-${id}`, authorId: owner.user.id, body })
      }
    })
    await write(t, owner.token, other, (doc) =>
      createTask(doc, { id: 'flare', title: 'Flare tests', order: 'a0', createdBy: owner.user.id }),
    )
    // The index follows committed text within a couple of seconds.
    await eventually(async () => {
      const found = await t.api<{ results: unknown[] }>(
        `/api/search?q=flare&workspace=${owner.workspaceId}`,
        { token: owner.token },
      )
      expect(found.body.results).toHaveLength(2)
    }, WAIT)

    const a = await open(t, 'Olive', boardId)
    await view(a.page, 'Tasks')
    // "/" from anywhere on the board: the Search panel, its field focused.
    await a.page.locator('body').press('/')
    const field = a.page.getByRole('combobox', { name: 'Search' })
    await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true)
    await a.page.keyboard.type('flare cl')
    const results = a.page.getByRole('listbox', { name: 'Results' })
    await results.getByRole('option').first().waitFor({ timeout: WAIT })
    expect(await results.getByRole('option').count()).toBe(1)
    await results.getByRole('option').getByText('flare', { exact: true }).waitFor()
    await a.page.keyboard.press('Enter')
    await expect.poll(() => a.page.evaluate(() => location.hash)).toMatch(/\/thread\/th1/)
    await a.page
      .getByTestId('thread-th1')
      .getByRole('button', { expanded: true })
      .waitFor({ timeout: WAIT })

    // Across the workspace: the other board's task, opened in its board.
    await panelTab(a.page, 'Search').click()
    await a.page.getByRole('radio', { name: 'All boards' }).click()
    await a.page.getByRole('combobox', { name: 'Search' }).fill('flare')
    await results.getByRole('option').nth(1).waitFor({ timeout: WAIT })
    await results.getByRole('option').filter({ hasText: 'Elsewhere' }).click()
    await expect.poll(() => a.page.evaluate(() => location.hash)).toBe(`#/b/${other}/task/flare`)
    await a.page.getByRole('heading', { name: 'Flare tests' }).waitFor({ timeout: WAIT })

    // A link to a thread (from the inbox, a message) shows it, whatever panel was open.
    await a.page.goto(`${t.url}/#/b/${boardId}?panel=search`)
    await a.page.getByRole('combobox', { name: 'Search' }).waitFor({ timeout: WAIT })
    await a.page.evaluate((id) => (location.hash = `#/b/${id}/thread/th2`), boardId)
    await a.page.getByTestId('thread-th2').getByText('Nothing to see').waitFor({ timeout: WAIT })
    expect(await panelTab(a.page, 'Threads').getAttribute('aria-selected')).toBe('true')
  }, 90_000)

  it('filters the task view by assignee, priority, due date and status, as a link to share', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' })
    const bea = accounts.bea!
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'filters')
    await write(t, owner.token, boardId, (doc) => {
      createTask(doc, {
        id: 't1',
        title: 'Bea’s first',
        order: 'a0',
        createdBy: owner.user.id,
        assigneeId: bea.user.id,
      })
      createTask(doc, {
        id: 't2',
        title: 'Olive’s',
        order: 'a1',
        createdBy: owner.user.id,
        assigneeId: owner.user.id,
        priority: 'high',
        dueAt: Date.UTC(2020, 0, 6),
      })
      createTask(doc, {
        id: 't3',
        title: 'Bea’s second',
        order: 'a2',
        status: 'doing',
        createdBy: owner.user.id,
        assigneeId: bea.user.id,
      })
      createTask(doc, { id: 't4', title: 'Nobody’s', order: 'a3', createdBy: owner.user.id })
    })
    const a = await open(t, 'Olive', boardId)
    await view(a.page, 'Tasks')
    const shown = () => a.page.locator('.task-title').allTextContents()
    await expect.poll(shown, { timeout: WAIT }).toHaveLength(4)
    // Choosing in the filter bar writes the URL.
    await a.page.getByRole('button', { name: /Assigned to/ }).click()
    await a.page.getByRole('option', { name: 'bea' }).click()
    await expect.poll(shown, { timeout: WAIT }).toEqual(['Bea’s first', 'Bea’s second'])
    const link = await a.page.evaluate(() => location.href)
    expect(link).toContain(`assignee=${bea.user.id}`)
    await a.page.getByRole('status').filter({ hasText: '2 of 4 tasks' }).waitFor()

    // The link opens the same view for someone else.
    const b = await open(t, 'bea', boardId)
    await b.page.goto(link)
    await expect
      .poll(() => b.page.locator('.task-title').allTextContents(), { timeout: WAIT })
      .toEqual(['Bea’s first', 'Bea’s second'])
    // "Me" is relative to the reader; clearing shows everything again.
    await b.page.goto(`${t.url}/#/b/${boardId}/tasks?assignee=me`)
    await expect
      .poll(() => b.page.locator('.task-title').allTextContents(), { timeout: WAIT })
      .toEqual(['Bea’s first', 'Bea’s second'])
    await b.page.getByRole('button', { name: 'Clear filters' }).click()
    await expect
      .poll(() => b.page.locator('.task-title').allTextContents(), { timeout: WAIT })
      .toHaveLength(4)

    // By priority, due date and status, each in the URL, combined.
    const pick = async (filter: RegExp, option: string) => {
      await b.page.getByRole('button', { name: filter }).click()
      await b.page.getByRole('option', { name: option, exact: true }).click()
    }
    const titles = () => b.page.locator('.task-title').allTextContents()
    await pick(/Priority is/, 'high')
    await expect.poll(titles, { timeout: WAIT }).toEqual(['Olive’s'])
    await pick(/^Due/, 'Overdue')
    await expect.poll(titles, { timeout: WAIT }).toEqual(['Olive’s'])
    expect(await b.page.evaluate(() => location.hash)).toMatch(
      /priority=high.*due=overdue|due=overdue.*priority=high/,
    )
    await pick(/Priority is/, 'Any priority')
    await pick(/^Due/, 'No due date')
    await expect.poll(titles, { timeout: WAIT }).toHaveLength(3)
    await pick(/Status is/, 'Doing')
    await expect.poll(titles, { timeout: WAIT }).toEqual(['Bea’s second'])
  }, 90_000)
})

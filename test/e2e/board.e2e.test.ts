/**
 * Two people in two browser contexts against a real server (issue 6, scenarios a–e).
 *
 * Every test stands alone, in any order: it starts its own server (its own owner, members,
 * boards and inboxes) and opens a fresh browser context per person; only the browser process
 * is shared. Every wait has an explicit timeout. An uncaught error in a page, or a console error
 * that is not one the test expects, fails the test that opened the page (test/e2e/people.ts).
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createBoard } from '../accounts.ts'
import * as Y from 'yjs'
import { board, createTask } from '../../shared/schema/board.ts'
import { eventually, synced } from '../harness.ts'
import {
  badge,
  freshServer,
  open,
  person,
  picture,
  RECONNECT,
  shot,
  thumb,
  upload,
  useBrowserHarness,
  view,
  WAIT,
} from './people.ts'

useBrowserHarness()

/** The comment box of the Threads panel, an @mention combobox. */
const commentBox = (page: Page) => page.getByRole('combobox', { name: 'Comment', exact: true })

describe('the web client, two users', () => {
  it('(a)(b) an annotation and a mention reach the other user live, with presence and cursors', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' })
    const bea = accounts.bea!
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-a')
    const a = await open(t, 'Olive', boardId)
    const b = await open(t, 'bea', boardId)
    // A real picture to review, drawn by the browser itself.
    await upload(a.page, 'frame.png', await picture(a.page))
    // Approval goes through the media item's lock and reaches the other user.
    await a.page.getByRole('button', { name: 'Approve' }).click()
    await thumb(b.page, 'frame.png').click()
    await b.page.getByText('Approved', { exact: true }).waitFor({ timeout: WAIT })
    await a.page.getByRole('button', { name: 'Rectangle', exact: true }).click()
    const layer = a.page.getByTestId('annotation-layer')
    await layer.waitFor({ timeout: WAIT })
    const box = (await layer.boundingBox())!
    await a.page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2)
    await a.page.mouse.down()
    await a.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6, { steps: 5 })
    await a.page.mouse.up()
    await commentBox(a.page).fill('Fix this @be')
    await a.page.getByRole('option', { name: '@bea' }).click()
    await a.page.getByRole('button', { name: 'Post' }).last().click()

    await b.page.getByRole('button', { name: 'Rectangle by Olive' }).waitFor({ timeout: WAIT })
    await expect
      .poll(
        () =>
          b.page
            .getByTestId(/^comment-/)
            .getByText('Fix this @bea')
            .count(),
        { timeout: WAIT },
      )
      .toBe(1)
    await expect.poll(() => badge(b.page), { timeout: WAIT }).toEqual(['1'])
    const notes = await t.api<{ notifications: Array<{ type: string }> }>(
      '/api/notifications?unread=1',
      { token: bea.token },
    )
    expect(notes.body.notifications.map((n) => n.type)).toEqual(['mention'])

    // (b) B sees A on the board and A's cursor moving over the media.
    await thumb(b.page, 'frame.png').click()
    await expect
      .poll(() => b.page.getByTestId('avatars').getByLabel(/Olive/).count(), { timeout: WAIT })
      .toBe(1)
    await a.page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3, { steps: 3 })
    const cursor = b.page.getByTestId(`cursor-${owner.user.id}`)
    await cursor.waitFor({ timeout: WAIT })
    const first = await cursor.boundingBox()
    await a.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.8, { steps: 3 })
    await expect
      .poll(async () => (await cursor.boundingBox())?.y !== first?.y, { timeout: WAIT })
      .toBe(true)
    await view(a.page, 'Tasks')
    for (const title of ['Color pass on the sky', 'Check the sun flare', 'Export for review']) {
      await a.page.getByLabel('New task').fill(title)
      await a.page.getByRole('button', { name: 'Add task' }).click()
    }
    await b.page.getByRole('combobox', { name: 'Reply' }).fill('On it — the edge is soft')
    await b.page.getByRole('button', { name: 'Post' }).first().click()
    await view(a.page, 'Review')
    await a.page.getByText('On it — the edge is soft').first().waitFor({ timeout: WAIT })
    await a.page.screenshot({ path: shot('screenshot-board.png') })
  }, 90_000)

  it('(c) a lock shows its holder; "notify me when free" hands it over', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' })
    const bea = accounts.bea!
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-c')
    const a = await open(t, 'Olive', boardId)
    const b = await open(t, 'bea', boardId)
    await view(a.page, 'Tasks')
    await view(b.page, 'Tasks')
    await a.page.getByLabel('New task').fill('Approve segment 3')
    await a.page.getByRole('button', { name: 'Add task' }).click()
    await b.page.getByRole('heading', { name: 'Approve segment 3' }).waitFor({ timeout: WAIT })
    await a.page.getByRole('button', { name: 'Edit Approve segment 3' }).click()
    await a.page.getByRole('button', { name: 'Done editing' }).waitFor({ timeout: WAIT })

    await b.page.getByText('Locked by Olive').waitFor({ timeout: WAIT })
    expect(await b.page.getByRole('button', { name: 'Edit Approve segment 3' }).isDisabled()).toBe(
      true,
    )
    // This server is the test's own: nothing is in bea's inbox until the hand-over.
    const before = await t.api<{ unreadCount: number }>('/api/notifications?unread=1', {
      token: bea.token,
    })
    expect(before.body.unreadCount).toBe(0)
    expect(await badge(b.page)).toEqual([])
    await b.page.getByRole('button', { name: 'Notify me when free' }).click()
    await a.page.getByRole('button', { name: 'Done editing' }).click()
    await expect.poll(() => badge(b.page), { timeout: WAIT }).toEqual(['1'])
    const notes = await t.api<{ notifications: Array<{ type: string }> }>(
      '/api/notifications?unread=1',
      { token: bea.token },
    )
    expect(notes.body.notifications.map((n) => n.type)).toEqual(['lock.granted'])
    await a.page.getByText('Locked by bea').waitFor({ timeout: WAIT })
  }, 60_000)

  it('(d) offline edits survive a reload while offline and converge when back online', async () => {
    const { t, owner } = await freshServer({ bea: 'editor' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-d')
    const a = await open(t, 'Olive', boardId)
    const b = await open(t, 'bea', boardId)
    // The service worker must hold the app shell before the network goes.
    const ready = await b.page.evaluate(
      (timeout) =>
        Promise.race([
          navigator.serviceWorker.ready.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeout)),
        ]),
      WAIT,
    )
    expect(ready, 'the service worker is ready').toBe(true)
    await b.page.reload()
    await eventually(
      async () =>
        expect(await b.page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true),
      WAIT,
    )
    await b.page.getByTestId('status').waitFor({ timeout: WAIT })

    // y-indexeddb writes each update in its own IndexedDB transaction; count them so the
    // reload below waits for the two offline edits to be on this device, as a person would.
    const storedUpdates = () =>
      b.page.evaluate(
        (name) =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open(name)
            open.onerror = () => reject(open.error)
            open.onsuccess = () => {
              const count = open.result.transaction('updates').objectStore('updates').count()
              count.onerror = () => reject(count.error)
              count.onsuccess = () => {
                resolve(count.result)
                open.result.close()
              }
            }
          }),
        `loupe-board-${boardId}`,
      )
    const before = await storedUpdates()
    b.wentOffline = true
    await b.context.setOffline(true)
    // The pill says so at once: the browser told the page the network is gone.
    await expect
      .poll(() => b.page.getByTestId('status').textContent(), { timeout: 2000 })
      .toMatch(/^Offline/)
    await view(b.page, 'Tasks')
    await b.page.getByLabel('New task').fill('Made offline')
    await b.page.getByRole('button', { name: 'Add task' }).click()
    await view(b.page, 'Review')
    await commentBox(b.page).fill('Written on the train')
    await b.page.getByRole('button', { name: 'Post' }).last().click()
    await expect
      .poll(() => b.page.getByTestId('status').textContent(), { timeout: WAIT })
      .toBe('Offline — changes saved on this device')
    await expect.poll(storedUpdates, { timeout: WAIT }).toBeGreaterThanOrEqual(before + 2)
    await b.page.reload()
    const offlineComment = b.page
      .getByTestId(/^comment-/)
      .filter({ hasText: 'Written on the train' })
    await offlineComment.waitFor({ timeout: WAIT })
    // Its author is named from what this device remembers, not "someone".
    expect(await offlineComment.locator('.comment-author').textContent()).toBe('bea')
    // After the reload (a new Yjs client id) the pill still knows the server lacks the edits.
    await expect
      .poll(() => b.page.getByTestId('status').textContent(), { timeout: WAIT })
      .toBe('Offline — changes saved on this device')
    await b.page.screenshot({ path: shot('screenshot-offline.png') })
    await view(b.page, 'Tasks')
    await b.page.getByRole('heading', { name: 'Made offline' }).waitFor({ timeout: WAIT })

    await b.context.setOffline(false)
    await view(a.page, 'Tasks')
    await a.page.getByRole('heading', { name: 'Made offline' }).waitFor({ timeout: RECONNECT })
    await view(a.page, 'Review')
    await a.page
      .getByTestId(/^comment-/)
      .getByText('Written on the train')
      .waitFor({ timeout: WAIT })
    await expect
      .poll(() => b.page.getByTestId('status').textContent(), { timeout: RECONNECT })
      .toBe('All changes saved')
  }, 120_000)

  it('(e) a viewer sees edits live but cannot change anything', async () => {
    const { t, owner } = await freshServer({ vic: 'viewer' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-e')
    const a = await open(t, 'Olive', boardId)
    const v = await open(t, 'vic', boardId)
    await view(a.page, 'Tasks')
    await view(v.page, 'Tasks')
    await a.page.getByLabel('New task').fill('Only editors')
    await a.page.getByRole('button', { name: 'Add task' }).click()
    await v.page.getByRole('heading', { name: 'Only editors' }).waitFor({ timeout: WAIT })
    expect(await v.page.getByTestId('status').textContent()).toBe('Read only')
    expect(await v.page.getByLabel('New task').count()).toBe(0)
    expect(await v.page.getByRole('button', { name: /^Edit/ }).count()).toBe(0)
    await view(v.page, 'Review')
    expect(await v.page.getByRole('button', { name: /^Edit/ }).count()).toBe(0)
    expect(await commentBox(v.page).count()).toBe(0)
    expect(await v.page.getByRole('textbox', { name: 'Comment', exact: true }).count()).toBe(0)
    expect(await v.page.getByLabel('Upload media').count()).toBe(0)
    // What is stored is only the editor's task (the server refuses viewer writes; test/auth).
    const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, {
      token: owner.token,
    })
    const Y = await import('yjs')
    const doc = new Y.Doc()
    Y.applyUpdate(doc, exported.body)
    expect(
      [...doc.getMap('tasks').values()].map((task) =>
        (task as { get(k: string): unknown }).get('title'),
      ),
    ).toEqual(['Only editors'])
  }, 60_000)

  it('owner setup is done; a new person joins through an invite link', async () => {
    const { t, owner } = await freshServer()
    const created = await t.api<{ url: string }>(`/api/workspaces/${owner.workspaceId}/invites`, {
      method: 'POST',
      token: owner.token,
      json: { role: 'editor' },
    })
    const newcomer = await person('newcomer')
    const { page } = newcomer
    await page.goto(created.body.url)
    await page.getByRole('heading', { name: 'Join with an invite' }).waitFor({ timeout: WAIT })
    await page.getByLabel('Name').fill('newcomer')
    await page.getByLabel('Password').fill('newcomer-password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Workspaces' }).waitFor({ timeout: WAIT })
    newcomer.signedIn = true
    await page.getByRole('main').getByRole('link', { name: 'Home' }).waitFor({ timeout: WAIT })
    const members = await t.api<{ members: Array<{ name: string; role: string }> }>(
      `/api/workspaces/${owner.workspaceId}/members`,
      { token: owner.token },
    )
    expect(members.body.members).toContainEqual(
      expect.objectContaining({ name: 'newcomer', role: 'editor' }),
    )
  }, 60_000)
})

describe('a board with something hostile in it', () => {
  it('opens a board holding a tree 20,000 levels deep inside a task, without a stack overflow', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'deep')
    // Any editor may write this: a task whose notes nest 20,000 maps deep.
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc, { token: owner.token })
    await synced(provider)
    createTask(doc, { id: 'deep', title: 'Hostile but legal', order: 'a0', createdBy: 'x' })
    doc.transact(() => {
      let parent = new Y.Map<unknown>()
      ;(board(doc).tasks.get('deep') as unknown as Y.Map<unknown>).set('notes', parent)
      for (let i = 0; i < 20_000; i++) {
        const child = new Y.Map<unknown>()
        parent.set('child', child)
        parent = child
      }
    })
    await eventually(async () => {
      const stored = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, {
        token: owner.token,
      })
      const copy = new Y.Doc()
      Y.applyUpdate(copy, stored.body)
      expect(Y.getState(copy.store, doc.clientID)).toBe(Y.getState(doc.store, doc.clientID))
    }, WAIT)
    provider.destroy()

    const olive = await open(t, 'Olive', boardId)
    await view(olive.page, 'Tasks')
    await olive.page.getByRole('heading', { name: 'Hostile but legal' }).waitFor({ timeout: WAIT })
    // The page keeps working: a task added now shows up.
    await olive.page.getByLabel('New task').fill('Still usable')
    await olive.page.getByLabel('New task').press('Enter')
    await olive.page.getByRole('heading', { name: 'Still usable' }).waitFor({ timeout: WAIT })
  }, 60_000)
})

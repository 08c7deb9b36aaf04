/**
 * Two people in two browser contexts against a real server (issue 6, scenarios a–e).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createBoard, invite, setupOwner } from '../accounts.ts'
import { SETUP_CODE } from '../accounts.ts'
import { cleanup, eventually, startTestServer, type TestServer } from '../harness.ts'
import { clientDir, launch } from './browser.ts'

let browser: Browser
let t: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let bea: Awaited<ReturnType<typeof invite>>

beforeAll(async () => {
  browser = await launch()
  t = await startTestServer({
    auth: true,
    setupCode: SETUP_CODE,
    clientDir,
    roomHibernateMs: 60_000,
  })
  owner = await setupOwner(t)
  bea = await invite(t, owner.token, owner.workspaceId, 'editor', 'bea')
  await invite(t, owner.token, owner.workspaceId, 'viewer', 'vic')
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await cleanup()
})

/** Screenshots go to docs/ with LOUPE_SCREENSHOTS=1 (to refresh the README's), else to tmp. */
const shotDir = process.env.LOUPE_SCREENSHOTS ? 'docs' : mkdtempSync(join(tmpdir(), 'loupe-shots-'))
const shot = (name: string) => join(shotDir, name)

const passwords: Record<string, string> = {
  Olive: 'owner-password',
  bea: 'bea-password',
  vic: 'vic-password',
}

/** A signed-in browser context on a board. */
async function open(
  name: string,
  boardId: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error.message))
  await page.goto(t.url + '/')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Password').fill(passwords[name] as string)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Workspaces' }).waitFor()
  await page.goto(`${t.url}/#/b/${boardId}`)
  await page.getByTestId('status').waitFor()
  return { context, page }
}

describe('the web client, two users', () => {
  it('(a)(b) an annotation and a mention reach the other user live, with presence and cursors', async () => {
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-a')
    const a = await open('Olive', boardId)
    const b = await open('bea', boardId)
    // A real picture to review, drawn by the browser itself.
    const picture = await a.page.evaluate(() => {
      const canvas = document.createElement('canvas')
      canvas.width = 640
      canvas.height = 360
      const g = canvas.getContext('2d') as CanvasRenderingContext2D
      const sky = g.createLinearGradient(0, 0, 0, 360)
      sky.addColorStop(0, '#8ec5fc')
      sky.addColorStop(1, '#e0c3fc')
      g.fillStyle = sky
      g.fillRect(0, 0, 640, 360)
      g.fillStyle = '#2f4858'
      g.fillRect(0, 260, 640, 100)
      g.fillStyle = '#f6bd60'
      g.beginPath()
      g.arc(480, 110, 50, 0, Math.PI * 2)
      g.fill()
      return canvas.toDataURL('image/png').split(',')[1] as string
    })
    await a.page.getByLabel('Upload media').setInputFiles({
      name: 'frame.png',
      mimeType: 'image/png',
      buffer: Buffer.from(picture, 'base64'),
    })
    await a.page.getByRole('button', { name: 'frame.png' }).waitFor()
    // Approval goes through the media item's lock and reaches the other user.
    await a.page.getByRole('button', { name: 'Approve' }).click()
    await b.page.getByRole('button', { name: 'frame.png' }).click()
    await b.page.getByText('✓ Approved').waitFor({ timeout: 10_000 })
    await a.page.getByRole('button', { name: 'Rectangle' }).click()
    const layer = a.page.getByTestId('annotation-layer')
    const box = (await layer.boundingBox())!
    await a.page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2)
    await a.page.mouse.down()
    await a.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6, { steps: 5 })
    await a.page.mouse.up()
    await a.page.getByRole('textbox', { name: 'Comment', exact: true }).fill('Fix this @be')
    await a.page.getByRole('option', { name: '@bea' }).click()
    await a.page.getByRole('button', { name: 'Post' }).last().click()

    await b.page.getByRole('button', { name: 'rect annotation' }).waitFor()
    await expect
      .poll(
        () =>
          b.page
            .getByTestId(/^comment-/)
            .getByText('Fix this @bea')
            .count(),
        { timeout: 10_000 },
      )
      .toBe(1)
    await expect
      .poll(() => b.page.getByTestId('unread').textContent(), { timeout: 10_000 })
      .toBe('1')
    const notes = await t.api<{ notifications: Array<{ type: string }> }>(
      '/api/notifications?unread=1',
      { token: bea.token },
    )
    expect(notes.body.notifications.map((n) => n.type)).toEqual(['mention'])

    // (b) B sees A on the board and A's cursor moving over the media.
    await b.page.getByRole('button', { name: 'frame.png' }).click()
    await expect
      .poll(() => b.page.getByTestId('avatars').getByLabel(/Olive/).count(), { timeout: 10_000 })
      .toBe(1)
    await a.page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3, { steps: 3 })
    const cursor = b.page.getByTestId(`cursor-${owner.user.id}`)
    await cursor.waitFor({ timeout: 10_000 })
    const first = await cursor.boundingBox()
    await a.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.8, { steps: 3 })
    await expect
      .poll(async () => (await cursor.boundingBox())?.y !== first?.y, { timeout: 10_000 })
      .toBe(true)
    for (const title of ['Color pass on the sky', 'Check the sun flare', 'Export for review']) {
      await a.page.getByLabel('New task').fill(title)
      await a.page.getByRole('button', { name: 'Add task' }).click()
    }
    await b.page.getByRole('textbox', { name: 'Reply' }).fill('On it — the edge is soft')
    await b.page.getByRole('button', { name: 'Post' }).first().click()
    await a.page.getByText('On it — the edge is soft').first().waitFor()
    await a.page.screenshot({ path: shot('screenshot-board.png') })
    await a.context.close()
    await b.context.close()
  }, 60_000)

  it('(c) a lock shows its holder; "notify me when free" hands it over', async () => {
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-c')
    const a = await open('Olive', boardId)
    const b = await open('bea', boardId)
    await a.page.getByLabel('New task').fill('Approve segment 3')
    await a.page.getByRole('button', { name: 'Add task' }).click()
    await b.page.getByRole('heading', { name: 'Approve segment 3' }).waitFor()
    await a.page.getByRole('button', { name: 'Edit Approve segment 3' }).click()
    await a.page.getByRole('button', { name: 'Done editing' }).waitFor()

    await b.page.getByText('Locked by Olive').waitFor({ timeout: 10_000 })
    expect(await b.page.getByRole('button', { name: 'Edit Approve segment 3' }).isDisabled()).toBe(
      true,
    )
    const unreadBefore = Number(
      (await b.page
        .getByTestId('unread')
        .textContent()
        .catch(() => '0')) ?? 0,
    )
    await b.page.getByRole('button', { name: 'Notify me when free' }).click()
    await a.page.getByRole('button', { name: 'Done editing' }).click()
    await expect
      .poll(async () => Number(await b.page.getByTestId('unread').textContent()), {
        timeout: 10_000,
      })
      .toBe(unreadBefore + 1)
    const notes = await t.api<{ notifications: Array<{ type: string }> }>(
      '/api/notifications?unread=1',
      { token: bea.token },
    )
    expect(notes.body.notifications.map((n) => n.type)).toContain('lock.granted')
    await a.page.getByText('Locked by bea').waitFor({ timeout: 10_000 })
    await a.context.close()
    await b.context.close()
  }, 60_000)

  it('(d) offline edits survive a reload while offline and converge when back online', async () => {
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-d')
    const a = await open('Olive', boardId)
    const b = await open('bea', boardId)
    // The service worker must hold the app shell before the network goes.
    await b.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined))
    await b.page.reload()
    await eventually(
      async () =>
        expect(await b.page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true),
      10_000,
    )
    await b.page.getByTestId('status').waitFor()

    // y-indexeddb writes each update in its own IndexedDB transaction; count them so the
    // reload below waits for the two offline edits to be on this device, as a person would.
    const storedUpdates = () =>
      b.page.evaluate(
        (name) =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open(name)
            open.onsuccess = () => {
              const count = open.result.transaction('updates').objectStore('updates').count()
              count.onsuccess = () => {
                resolve(count.result)
                open.result.close()
              }
            }
          }),
        `loupe-board-${boardId}`,
      )
    const before = await storedUpdates()
    await b.context.setOffline(true)
    await b.page.getByLabel('New task').fill('Made offline')
    await b.page.getByRole('button', { name: 'Add task' }).click()
    await b.page.getByRole('textbox', { name: 'Comment', exact: true }).fill('Written on the train')
    await b.page.getByRole('button', { name: 'Post' }).last().click()
    await expect.poll(storedUpdates).toBeGreaterThanOrEqual(before + 2)
    await b.page.reload()
    await b.page.getByRole('heading', { name: 'Made offline' }).waitFor({ timeout: 10_000 })
    await b.page
      .getByTestId(/^comment-/)
      .getByText('Written on the train')
      .waitFor()
    await expect.poll(() => b.page.getByTestId('status').textContent()).toMatch(/Offline/)
    await b.page.screenshot({ path: shot('screenshot-offline.png') })

    await b.context.setOffline(false)
    await a.page.getByRole('heading', { name: 'Made offline' }).waitFor({ timeout: 20_000 })
    await a.page
      .getByTestId(/^comment-/)
      .getByText('Written on the train')
      .waitFor()
    await expect
      .poll(() => b.page.getByTestId('status').textContent(), { timeout: 20_000 })
      .toBe('All changes saved')
    await a.context.close()
    await b.context.close()
  }, 90_000)

  it('(e) a viewer sees edits live but cannot change anything', async () => {
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review-e')
    const a = await open('Olive', boardId)
    const v = await open('vic', boardId)
    await a.page.getByLabel('New task').fill('Only editors')
    await a.page.getByRole('button', { name: 'Add task' }).click()
    await v.page.getByRole('heading', { name: 'Only editors' }).waitFor({ timeout: 10_000 })
    expect(await v.page.getByTestId('status').textContent()).toBe('Read only')
    expect(await v.page.getByLabel('New task').count()).toBe(0)
    expect(await v.page.getByRole('button', { name: /^Edit/ }).count()).toBe(0)
    expect(await v.page.getByRole('textbox', { name: 'Comment', exact: true }).count()).toBe(0)
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
    await a.context.close()
    await v.context.close()
  }, 60_000)

  it('owner setup is done; a new person joins through an invite link', async () => {
    const created = await t.api<{ url: string }>(`/api/workspaces/${owner.workspaceId}/invites`, {
      method: 'POST',
      token: owner.token,
      json: { role: 'editor' },
    })
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(created.body.url)
    await page.getByRole('heading', { name: 'Join with an invite' }).waitFor()
    await page.getByLabel('Name').fill('newcomer')
    await page.getByLabel('Password').fill('newcomer-password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Workspaces' }).waitFor()
    await page.getByRole('link', { name: 'Home' }).waitFor()
    const members = await t.api<{ members: Array<{ name: string; role: string }> }>(
      `/api/workspaces/${owner.workspaceId}/members`,
      { token: owner.token },
    )
    expect(members.body.members).toContainEqual(
      expect.objectContaining({ name: 'newcomer', role: 'editor' }),
    )
    await context.close()
  }, 60_000)
})

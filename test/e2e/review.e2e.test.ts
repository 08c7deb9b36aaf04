/**
 * The review workflow in the browser (issue 11): annotations selected, resized, moved, recoloured,
 * deleted and brought back with Undo; a media item deleted with its marks and threads and
 * brought back; a new version with its own marks, the old ones faded, and the two compared
 * side by side and with a wipe; a reviewer's verdict reaching the uploader's inbox; the
 * downloaded report showing the marks. Every test stands alone (test/e2e/people.ts).
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createBoard } from '../accounts.ts'
import { eventually, type TestServer } from '../harness.ts'
import {
  committedBoard,
  freshServer,
  open,
  picture,
  thumb,
  upload,
  useBrowserHarness,
  WAIT,
} from './people.ts'

useBrowserHarness()

type Box = { x: number; y: number; width: number; height: number }

/** Where a media point (0..1) is on screen right now, from the annotation layer's box. */
async function at(page: Page, mx: number, my: number) {
  const box = (await page.getByTestId('annotation-layer').boundingBox()) as Box
  return { x: box.x + box.width * mx, y: box.y + box.height * my }
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y)
  await page.mouse.down()
  await page.mouse.move(to.x, to.y, { steps: 6 })
  await page.mouse.up()
}

/** Draws with `tool` from one media point to another. */
async function draw(page: Page, tool: string, from: [number, number], to: [number, number]) {
  await page.getByRole('button', { name: tool, exact: true }).click()
  await drag(page, await at(page, ...from), await at(page, ...to))
}

/** The board as the server committed it. */
async function stored(t: TestServer, boardId: string, token: string) {
  const doc = await committedBoard(t, boardId, token)
  const json = <T>(name: string) => doc.getMap(name).toJSON() as Record<string, T>
  type Mark = {
    shape: { type: string; x: number; w: number; h: number }
    version: number
    color: string
    threadId?: string
  }
  type Item = { name: string; versions: Array<{ n: number; name: string }> }
  return {
    annotations: json<Mark>('annotations'),
    threads: json<Record<string, unknown>>('threads'),
    media: json<Item>('media'),
  }
}

const commentBox = (page: Page) => page.getByRole('combobox', { name: 'Comment', exact: true })

async function comment(page: Page, body: string) {
  await commentBox(page).fill(body)
  await page.getByRole('button', { name: 'Post' }).last().click()
  await page
    .getByTestId(/^comment-/)
    .getByText(body)
    .first()
    .waitFor({ timeout: WAIT })
}

async function activity(page: Page, text: string | RegExp) {
  await page.getByRole('tab', { name: 'Activity' }).click()
  await page.getByRole('tabpanel').getByText(text).first().waitFor({ timeout: WAIT })
  await page.getByRole('tab', { name: 'Threads' }).click()
}

describe('the review workflow', () => {
  it('edits and deletes an annotation, deletes a media item, and undoes both deletes', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'edit-delete')
    const { page } = await open(t, 'Olive', boardId)
    await upload(page, 'frame.png', await picture(page, 1280, 720))

    await draw(page, 'Rectangle', [0.2, 0.2], [0.4, 0.5])
    const rect = page.getByRole('button', { name: /^Rectangle by Olive/ })
    await rect.waitFor({ timeout: WAIT })
    await comment(page, 'Too bright here')

    // Selected with the select tool: handles; the bottom-right one resizes.
    await page.getByRole('button', { name: 'Select and move', exact: true }).click()
    const edge = await at(page, 0.2, 0.35)
    await page.mouse.click(edge.x, edge.y)
    await page.getByTestId('selection').waitFor({ timeout: WAIT })
    await drag(page, await at(page, 0.4, 0.5), await at(page, 0.6, 0.7))
    await eventually(async () => {
      const [mark] = Object.values((await stored(t, boardId, owner.token)).annotations)
      expect(mark?.shape).toMatchObject({ type: 'rect' })
      expect(mark?.shape.x).toBeCloseTo(0.2, 2)
      expect(mark?.shape.w).toBeCloseTo(0.4, 2)
      expect(mark?.shape.h).toBeCloseTo(0.5, 2)
    }, WAIT)
    // Moved by its outline: the same size, somewhere else.
    await drag(page, await at(page, 0.2, 0.3), await at(page, 0.3, 0.4))
    await eventually(async () => {
      const [mark] = Object.values((await stored(t, boardId, owner.token)).annotations)
      expect(mark?.shape.x).toBeCloseTo(0.3, 2)
      expect(mark?.shape.w).toBeCloseTo(0.4, 2)
      expect(mark?.shape.h).toBeCloseTo(0.5, 2)
    }, WAIT)
    // Recoloured from the colour menu while selected.
    await page.getByRole('button', { name: 'Colour of the selected annotation' }).click()
    await page.getByRole('menuitemradio', { name: 'Colour #30a46c' }).click()
    await eventually(async () => {
      const [mark] = Object.values((await stored(t, boardId, owner.token)).annotations)
      expect(mark?.color).toBe('#30a46c')
    }, WAIT)
    // An arrow has a real, filled head.
    await draw(page, 'Arrow', [0.7, 0.2], [0.85, 0.4])
    const arrow = page.getByRole('button', { name: /^Arrow by Olive/ })
    await arrow.waitFor({ timeout: WAIT })
    expect(await arrow.locator('polygon.arrowhead').count()).toBe(3)
    const fill = await arrow.locator('polygon.arrowhead').last().getAttribute('fill')
    expect(fill).toMatch(/^#/)

    // Delete with the keyboard, then Undo from the toast: the same mark, linked to its thread.
    const rectId = (await rect.getAttribute('data-annotation-id')) as string
    await rect.focus()
    await page.keyboard.press('Enter')
    await page.keyboard.press('Delete')
    await rect.waitFor({ state: 'detached', timeout: WAIT })
    await eventually(async () => {
      expect((await stored(t, boardId, owner.token)).annotations[rectId]).toBeUndefined()
    }, WAIT)
    await activity(page, /Olive deleted a rectangle on “frame.png”/)
    const toast = page.getByTestId('undo-toast').filter({ hasText: 'Rectangle deleted' })
    await toast.getByRole('button', { name: 'Undo' }).click()
    await rect.waitFor({ timeout: WAIT })
    await eventually(async () => {
      const mark = (await stored(t, boardId, owner.token)).annotations[rectId]
      expect(mark?.color).toBe('#30a46c')
      expect(mark?.threadId).toBeTruthy()
    }, WAIT)

    // The media item: a confirmation first, then it goes with its marks and threads.
    await upload(page, 'other.png', await picture(page, 640, 360))
    await thumb(page, 'frame.png').click()
    await page.getByRole('button', { name: 'Media actions' }).click()
    await page.getByRole('menuitem', { name: 'Delete…' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Delete “frame.png”?' })
    await confirm.getByText('2 annotations').waitFor({ timeout: WAIT })
    await confirm.getByRole('button', { name: 'Delete media' }).click()
    await thumb(page, 'frame.png').waitFor({ state: 'detached', timeout: WAIT })
    await eventually(async () => {
      const board = await stored(t, boardId, owner.token)
      expect(Object.values(board.media).map((m) => m.name)).toEqual(['other.png'])
      expect(board.annotations).toEqual({})
      expect(board.threads).toEqual({})
    }, WAIT)
    await activity(page, /Olive deleted the media “frame.png”/)
    await page
      .getByTestId('undo-toast')
      .filter({ hasText: '“frame.png” deleted' })
      .getByRole('button', { name: 'Undo' })
      .click()
    await thumb(page, 'frame.png').click()
    await rect.waitFor({ timeout: WAIT })
    await page.getByText('Too bright here').first().waitFor({ timeout: WAIT })
    await eventually(async () => {
      const board = await stored(t, boardId, owner.token)
      expect(Object.keys(board.annotations)).toHaveLength(2)
      expect(Object.keys(board.threads)).toHaveLength(1)
    }, WAIT)
  }, 120_000)

  it('adds a version with its own marks and compares two side by side and with a wipe', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'versions')
    const { page } = await open(t, 'Olive', boardId)
    await upload(page, 'sky.png', await picture(page, 640, 360))
    await draw(page, 'Ellipse', [0.6, 0.15], [0.9, 0.45])
    await page.getByRole('button', { name: /^Ellipse by Olive/ }).waitFor({ timeout: WAIT })
    await comment(page, 'The sun is clipped')

    // v2: a different picture uploaded from the version menu.
    const v2 = await page.evaluate(() => {
      const c = document.createElement('canvas')
      c.width = 640
      c.height = 360
      const g = c.getContext('2d') as CanvasRenderingContext2D
      g.fillStyle = '#204060'
      g.fillRect(0, 0, 640, 360)
      return c.toDataURL('image/png').split(',')[1] as string
    })
    await page.getByTestId('version-menu').click()
    await page.getByRole('menuitem', { name: 'Upload a new version…' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByLabel('New version of sky.png').setInputFiles({
      name: 'sky-v2.png',
      mimeType: 'image/png',
      buffer: Buffer.from(v2, 'base64'),
    })
    await page.getByTestId('version-menu').filter({ hasText: 'v2' }).waitFor({ timeout: WAIT })
    // The new version starts unreviewed; v1's open mark is there, faded and read-only.
    await expect
      .poll(() => page.getByTestId('review-status').getAttribute('data-status'), { timeout: WAIT })
      .toBe('not_reviewed')
    const earlier = page.getByRole('button', { name: 'Ellipse by Olive, from version 1' })
    await earlier.waitFor({ timeout: WAIT })
    await page
      .getByTestId(/^thread-/)
      .getByText('v1', { exact: true })
      .waitFor()
    await draw(page, 'Rectangle', [0.1, 0.6], [0.3, 0.9])
    await page.getByRole('button', { name: /^Rectangle by Olive$/ }).waitFor({ timeout: WAIT })
    await eventually(async () => {
      const board = await stored(t, boardId, owner.token)
      const [media] = Object.values(board.media)
      expect(media?.versions.map((v: { n: number; name: string }) => [v.n, v.name])).toEqual([
        [1, 'sky.png'],
        [2, 'sky-v2.png'],
      ])
      const versions = Object.values(board.annotations).map((a) => [a.shape.type, a.version])
      expect(versions.sort()).toEqual([
        ['ellipse', 1],
        ['rect', 2],
      ])
    }, WAIT)

    // Side by side: each pane its own version, with only its own marks.
    await page.getByTestId('compare').click()
    const left = page.getByTestId('pane-left')
    const right = page.getByTestId('pane-right')
    await left.getByRole('img').waitFor({ timeout: WAIT })
    const [leftSrc, rightSrc] = [
      await left.getByRole('img').getAttribute('src'),
      await right.getByRole('img').getAttribute('src'),
    ]
    expect(leftSrc).not.toBe(rightSrc)
    expect(await left.getByRole('button', { name: /^Ellipse by Olive/ }).count()).toBe(1)
    expect(await left.getByRole('button', { name: /^Rectangle/ }).count()).toBe(0)
    expect(await right.getByRole('button', { name: /^Rectangle by Olive/ }).count()).toBe(1)
    expect(await right.getByRole('button', { name: /^Ellipse/ }).count()).toBe(0)

    // Wipe: v1 left of the line, v2 right of it; the slider (or a drag) moves the line.
    await page.getByRole('button', { name: 'Wipe' }).click()
    const wipe = page.getByTestId('wipe')
    await wipe.waitFor({ timeout: WAIT })
    const layers = wipe.locator('.wipe-layer')
    const clips = () =>
      layers.evaluateAll((els) => els.map((e) => (e as HTMLElement).style.clipPath))
    expect(await clips()).toEqual(['inset(0px 50% 0px 0px)', 'inset(0px 0px 0px 50%)'])
    await page.getByTestId('wipe-slider').fill('80')
    expect(await clips()).toEqual(['inset(0px 20% 0px 0px)', 'inset(0px 0px 0px 80%)'])
    const box = (await wipe.boundingBox()) as Box
    await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.3)
    await expect.poll(clips).toEqual(['inset(0px 75% 0px 0px)', 'inset(0px 0px 0px 25%)'])
    expect(await wipe.getByRole('img').count()).toBe(2)
    await page.getByRole('button', { name: 'Close the comparison' }).click()
    await page.getByTestId('stage').waitFor()
  }, 120_000)

  it('a reviewer approves without a lock and the uploader hears of it in the inbox', async () => {
    const { t, owner } = await freshServer({ vic: 'reviewer' })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'verdicts')
    const olive = await open(t, 'Olive', boardId)
    await upload(olive.page, 'cut.png', await picture(olive.page))
    await draw(olive.page, 'Pin', [0.5, 0.5], [0.5, 0.5])
    await olive.page.getByRole('button', { name: /^Pin by Olive/ }).waitFor({ timeout: WAIT })

    const vic = await open(t, 'vic', boardId)
    const { page } = vic
    await thumb(page, 'cut.png').click()
    // A reviewer is offered only what a reviewer may do.
    expect(await page.getByLabel('Upload media').count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Media actions' }).count()).toBe(0)
    await page.getByRole('button', { name: 'Select and move', exact: true }).click()
    await page.getByRole('button', { name: /^Pin by Olive/ }).click()
    expect(await page.getByTestId('selection').count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Delete the selected annotation' }).count()).toBe(
      0,
    )
    // Their own mark they may change: drawn, selected, deleted, for Olive too.
    await draw(page, 'Rectangle', [0.1, 0.1], [0.3, 0.3])
    const own = page.getByRole('button', { name: /^Rectangle by vic/ })
    await own.waitFor({ timeout: WAIT })
    await olive.page.getByRole('button', { name: /^Rectangle by vic/ }).waitFor({ timeout: WAIT })
    await page.getByRole('button', { name: 'Select and move', exact: true }).click()
    const edge = await at(page, 0.1, 0.2)
    await page.mouse.click(edge.x, edge.y)
    await page.getByTestId('selection').waitFor({ timeout: WAIT })
    await page.getByRole('button', { name: 'Delete the selected annotation' }).click()
    await olive.page
      .getByRole('button', { name: /^Rectangle by vic/ })
      .waitFor({ state: 'detached', timeout: WAIT })

    await page.getByRole('button', { name: 'Request changes' }).click()
    await expect
      .poll(() => page.getByTestId('review-status').getAttribute('data-status'), { timeout: WAIT })
      .toBe('changes_requested')
    await page.getByRole('button', { name: 'Approve' }).click()
    await expect
      .poll(() => page.getByTestId('review-status').getAttribute('data-status'), { timeout: WAIT })
      .toBe('approved')
    await expect
      .poll(() => page.getByRole('button', { name: 'Approve' }).getAttribute('aria-pressed'), {
        timeout: WAIT,
      })
      .toBe('true')
    // The uploader sees the verdict live and finds it in the inbox.
    await olive.page.getByTestId('verdicts').getByText('vic approved').waitFor({ timeout: WAIT })
    await olive.page.goto(`${t.url}/#/inbox`)
    const note = olive.page.getByRole('link', { name: 'vic approved “cut.png” (v1) on “verdicts”' })
    await note.waitFor({ timeout: WAIT })
    await note.click()
    await olive.page.getByTestId('review-status').waitFor({ timeout: WAIT })
    expect(olive.page.url()).toContain(`#/b/${boardId}/media/`)
    const inbox = await t.api<{ notifications: Array<{ type: string; data: unknown }> }>(
      '/api/notifications',
      { token: owner.token },
    )
    expect(inbox.body.notifications.filter((n) => n.type === 'review').map((n) => n.data)).toEqual(
      expect.arrayContaining([expect.objectContaining({ verdict: 'approved', version: 1 })]),
    )
  }, 120_000)

  it('downloads the board report with its marks, and the tasks as CSV', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'report')
    const { page } = await open(t, 'Olive', boardId)
    await upload(page, 'still.png', await picture(page, 640, 360))
    await draw(page, 'Ellipse', [0.6, 0.15], [0.9, 0.45])
    await page.getByRole('button', { name: /^Ellipse by Olive/ }).waitFor({ timeout: WAIT })
    await comment(page, 'Pull the highlights back')
    await draw(page, 'Arrow', [0.2, 0.7], [0.4, 0.5])
    await page.getByRole('button', { name: /^Arrow by Olive/ }).waitFor({ timeout: WAIT })
    await eventually(async () => {
      expect(Object.keys((await stored(t, boardId, owner.token)).annotations)).toHaveLength(2)
    }, WAIT)

    await page.getByRole('button', { name: 'Export' }).click()
    const [report] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Download report' }).click(),
    ])
    expect(report.suggestedFilename()).toMatch(/\.html$/)
    const html = await readFile((await report.path()) as string, 'utf8')
    // Opened as a page: the picture with its two marks drawn over it, and the thread.
    const viewer = await page.context().newPage()
    await viewer.setContent(html)
    expect(await viewer.locator('svg ellipse').count()).toBeGreaterThan(0)
    expect(await viewer.locator('svg line').count()).toBeGreaterThan(0)
    await viewer.getByText('Pull the highlights back').first().waitFor({ timeout: WAIT })
    expect(await viewer.locator('img').count()).toBeGreaterThan(0)
    await viewer.close()

    await page.getByRole('button', { name: 'Export' }).click()
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Tasks as CSV' }).click(),
    ])
    expect(csv.suggestedFilename()).toMatch(/\.csv$/)
    const text = await readFile((await csv.path()) as string, 'utf8')
    expect(text.split('\n')[0]).toMatch(/title/i)
  }, 120_000)
})

/**
 * The media viewer with touch and pen (issue 12, item 4): zoomed in, an annotation drawn by
 * touch and one drawn by pen land in the board at the normalised coordinates (0..1 of the
 * media) under the finger or pen, whatever the zoom; once a pen is seen, a finger pans; the
 * select tool moves a mark.
 */
import { describe, expect, it } from 'vitest'
import type { CDPSession, Page } from 'playwright-core'
import * as Y from 'yjs'
import { createBoard } from '../accounts.ts'
import { eventually, type TestServer } from '../harness.ts'
import { freshServer, open, picture, upload, useBrowserHarness, WAIT } from './people.ts'

useBrowserHarness()

type Box = { x: number; y: number; width: number; height: number }

/** Where a media point (0..1) is on screen right now, from the annotation layer's box. */
async function screenPoint(page: Page, mx: number, my: number) {
  const box = (await page.getByTestId('annotation-layer').boundingBox()) as Box
  return { x: box.x + box.width * mx, y: box.y + box.height * my }
}

async function touchDrag(cdp: CDPSession, from: { x: number; y: number }, to: typeof from) {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] })
  for (let i = 1; i <= 8; i++) {
    const p = { x: from.x + ((to.x - from.x) * i) / 8, y: from.y + ((to.y - from.y) * i) / 8 }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] })
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
}

async function penStroke(cdp: CDPSession, points: Array<{ x: number; y: number }>) {
  const [first, ...rest] = points
  const pen = { pointerType: 'pen' as const, button: 'left' as const, force: 0.6 }
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...first!, pointerType: 'pen' })
  await cdp.send('Input.dispatchMouseEvent', {
    type: 'mousePressed',
    ...first!,
    ...pen,
    clickCount: 1,
    buttons: 1,
  })
  for (const p of rest)
    await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...p, ...pen, buttons: 1 })
  const last = points.at(-1)!
  await cdp.send('Input.dispatchMouseEvent', {
    type: 'mouseReleased',
    ...last,
    ...pen,
    clickCount: 1,
    buttons: 0,
  })
}

/** The board's annotations as the server stored them. */
async function storedShapes(t: TestServer, boardId: string, token: string) {
  const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, { token })
  const doc = new Y.Doc()
  Y.applyUpdate(doc, exported.body)
  return [...doc.getMap('annotations').values()].map(
    (a) => (a as Y.Map<unknown>).get('shape') as Record<string, unknown>,
  )
}

describe('the media viewer', () => {
  it('draws by touch and by pen on a zoomed image at the right normalised coordinates', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'zoomed')
    const olive = await open(t, 'Olive', boardId, { touch: true })
    const { page } = olive
    await upload(page, 'frame.png', await picture(page, 1280, 720))
    const zoom = page.getByTestId('zoom-level')
    const before = Number.parseInt((await zoom.textContent()) ?? '0', 10)
    await page.getByRole('button', { name: 'Zoom in' }).click()
    await page.getByRole('button', { name: 'Zoom in' }).click()
    await expect
      .poll(async () => Number.parseInt((await zoom.textContent()) ?? '0', 10))
      .toBeGreaterThan(before * 1.5)
    const cdp = await page.context().newCDPSession(page)

    // Touch: a rectangle from (0.4, 0.4) to (0.55, 0.6) of the media, whatever the zoom.
    await page.getByRole('button', { name: 'Rectangle', exact: true }).click()
    await touchDrag(cdp, await screenPoint(page, 0.4, 0.4), await screenPoint(page, 0.55, 0.6))
    await page.getByRole('button', { name: /^Rectangle by Olive/ }).waitFor({ timeout: WAIT })

    // Pen: a freehand stroke from (0.45, 0.45) to (0.6, 0.5).
    await page.getByRole('button', { name: 'Freehand', exact: true }).click()
    const stroke = []
    for (let i = 0; i <= 10; i++)
      stroke.push(await screenPoint(page, 0.45 + 0.015 * i, 0.45 + 0.005 * i))
    await penStroke(cdp, stroke)
    await page.getByRole('button', { name: /^Freehand mark by Olive/ }).waitFor({ timeout: WAIT })

    await eventually(async () => {
      const shapes = await storedShapes(t, boardId, owner.token)
      const rect = shapes.find((s) => s.type === 'rect') as {
        x: number
        y: number
        w: number
        h: number
      }
      const path = shapes.find((s) => s.type === 'path') as {
        points: Array<{ x: number; y: number }>
      }
      expect(rect).toBeDefined()
      expect(rect.x).toBeCloseTo(0.4, 2)
      expect(rect.y).toBeCloseTo(0.4, 2)
      expect(rect.w).toBeCloseTo(0.15, 2)
      expect(rect.h).toBeCloseTo(0.2, 2)
      expect(path).toBeDefined()
      expect(path.points[0]!.x).toBeCloseTo(0.45, 2)
      expect(path.points[0]!.y).toBeCloseTo(0.45, 2)
      expect(path.points.at(-1)!.x).toBeCloseTo(0.6, 2)
      expect(path.points.at(-1)!.y).toBeCloseTo(0.5, 2)
    }, WAIT)

    // A pen was seen: one finger now pans the zoomed image instead of drawing.
    const layerBefore = (await page.getByTestId('annotation-layer').boundingBox()) as Box
    await touchDrag(cdp, await screenPoint(page, 0.5, 0.3), await screenPoint(page, 0.3, 0.3))
    await expect
      .poll(async () => ((await page.getByTestId('annotation-layer').boundingBox()) as Box).x, {
        timeout: WAIT,
      })
      .toBeLessThan(layerBefore.x - 50)
    expect(await page.locator('[data-annotation-id]').count()).toBe(2)

    // Select and move: the rectangle's left edge dragged by 0.1 of the media to the right.
    await page.getByRole('button', { name: 'Select and move', exact: true }).click()
    const grab = await screenPoint(page, 0.4, 0.5)
    const drop = await screenPoint(page, 0.5, 0.5)
    await page.mouse.move(grab.x, grab.y)
    await page.mouse.down()
    await page.mouse.move(drop.x, drop.y, { steps: 6 })
    await page.mouse.up()
    await eventually(async () => {
      const rect = (await storedShapes(t, boardId, owner.token)).find((s) => s.type === 'rect') as {
        x: number
        y: number
        w: number
      }
      expect(rect.x).toBeCloseTo(0.5, 2)
      expect(rect.y).toBeCloseTo(0.4, 2)
      expect(rect.w).toBeCloseTo(0.15, 2)
    }, WAIT)
  }, 90_000)
})

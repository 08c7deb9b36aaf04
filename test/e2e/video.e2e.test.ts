/**
 * Frame-accurate video review (issue 11): a real WebM made in the browser (frame n shows the
 * number n, test/e2e/video.ts) is uploaded; a mark and its comment made at frame N are shown at
 * frame N only — stepping with `,` and `.`, typing a timecode, dragging the scrubber, clicking
 * the thread's marker on the timeline, and while the video plays (J/K/L and space drive it);
 * a mark made over a range (Mark in, Mark out) shows across that range only. A second cut uploaded as v2
 * is compared with v1 as two players under one playhead. Every test stands alone.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createBoard } from '../accounts.ts'
import { eventually } from '../harness.ts'
import { committedBoard, freshServer, open, thumb, useBrowserHarness, WAIT } from './people.ts'
import { webmVideo } from './video.ts'

useBrowserHarness()

type Box = { x: number; y: number; width: number; height: number }

/** Where a media point (0..1) is on screen right now. */
async function at(page: Page, mx: number, my: number) {
  const box = (await page.getByTestId('annotation-layer').boundingBox()) as Box
  return { x: box.x + box.width * mx, y: box.y + box.height * my }
}

const timecode = (page: Page) => page.getByTestId('timecode').inputValue()
const mark = (page: Page) => page.getByRole('button', { name: /^Rectangle by Olive/ })

/** Waits until the player shows `frame` (its timecode), then says whether the mark is there. */
async function markAt(page: Page, frame: number) {
  const ff = String(frame % 25).padStart(2, '0')
  const ss = String(Math.floor(frame / 25)).padStart(2, '0')
  await expect.poll(() => timecode(page), { timeout: WAIT }).toBe(`00:00:${ss}:${ff}`)
  await expect
    .poll(() => page.getByTestId('stage').getAttribute('data-frame'), { timeout: WAIT })
    .toBe(String(frame))
  return (await mark(page).count()) > 0
}

describe('frame-accurate video', () => {
  it('shows a mark made at frame N at that frame only, stepping, seeking and playing', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'video')
    const { page } = await open(t, 'Olive', boardId)
    const video = await webmVideo(page, { frames: 50, fps: 25 })
    await page.getByLabel('Upload media').setInputFiles({
      name: 'shot.webm',
      mimeType: 'video/webm',
      buffer: video,
    })
    await thumb(page, 'shot.webm').waitFor({ timeout: WAIT })
    await page.getByTestId('transport').waitFor({ timeout: WAIT })
    // 25 fps read from the file, 50 frames: the last is 00:00:01:24.
    await page.getByTestId('transport').getByText('/ 00:00:01:24').waitFor({ timeout: WAIT })

    // Frame 10, by the keyboard: `.` steps forward a frame, `,` back.
    await page.getByTestId('stage').focus()
    for (let i = 0; i < 11; i++) await page.keyboard.press('Period')
    await page.keyboard.press('Comma')
    expect(await markAt(page, 10)).toBe(false)

    // A rectangle and its comment at frame 10.
    await page.getByRole('button', { name: 'Rectangle', exact: true }).click()
    const from = await at(page, 0.2, 0.2)
    const to = await at(page, 0.5, 0.6)
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(to.x, to.y, { steps: 6 })
    await page.mouse.up()
    await mark(page).waitFor({ timeout: WAIT })
    await page.getByRole('combobox', { name: 'Comment', exact: true }).fill('Frame ten flickers')
    await page.getByRole('button', { name: 'Post' }).last().click()
    await page
      .getByTestId(/^comment-/)
      .getByText('Frame ten flickers')
      .waitFor({ timeout: WAIT })
    // Stored at frame 10's time (the middle of the frame: 10.5 × 40 ms).
    await eventually(async () => {
      const doc = await committedBoard(t, boardId, owner.token)
      const marks = Object.values(doc.getMap('annotations').toJSON()) as Array<{ timeMs?: number }>
      expect(marks).toHaveLength(1)
      expect(Math.floor((marks[0]?.timeMs ?? -1) / 40)).toBe(10)
    }, WAIT)

    // One frame either side: gone; back on 10: there.
    await page.getByTestId('stage').focus()
    await page.keyboard.press('Period')
    expect(await markAt(page, 11)).toBe(false)
    await page.keyboard.press('Comma')
    expect(await markAt(page, 10)).toBe(true)
    await page.keyboard.press('Comma')
    expect(await markAt(page, 9)).toBe(false)

    // Seeking: a typed timecode, the scrubber.
    const field = page.getByTestId('timecode')
    await field.fill('00:00:01:05')
    await field.press('Enter')
    expect(await markAt(page, 30)).toBe(false)
    await field.fill('00:00:00:10')
    await field.press('Enter')
    expect(await markAt(page, 10)).toBe(true)
    await page.getByTestId('scrubber').fill('20')
    expect(await markAt(page, 20)).toBe(false)

    // A range: in at 20, out at 30; an ellipse drawn then shows from frame 20 to 30 only.
    await page.getByRole('button', { name: 'Mark in' }).click()
    await field.fill('30')
    await field.press('Enter')
    expect(await markAt(page, 30)).toBe(false)
    await page.getByRole('button', { name: 'Mark out' }).click()
    await page
      .getByTestId('range')
      .getByText('00:00:00:20 → 00:00:01:05')
      .waitFor({ timeout: WAIT })
    await page.getByRole('button', { name: 'Ellipse', exact: true }).click()
    const [e1, e2] = [await at(page, 0.6, 0.2), await at(page, 0.85, 0.5)]
    await page.mouse.move(e1.x, e1.y)
    await page.mouse.down()
    await page.mouse.move(e2.x, e2.y, { steps: 6 })
    await page.mouse.up()
    const ellipse = page.getByRole('button', { name: /^Ellipse by Olive/ })
    await ellipse.waitFor({ timeout: WAIT })
    for (const [frame, shown] of [
      [19, false],
      [20, true],
      [25, true],
      [30, true],
      [31, false],
    ] as const) {
      await field.fill(String(frame))
      await field.press('Enter')
      await markAt(page, frame)
      expect([frame, await ellipse.count()]).toEqual([frame, shown ? 1 : 0])
    }

    // The thread's marker on the timeline seeks to its frame.
    const marker = page.getByRole('list', { name: 'Threads on the timeline' }).getByRole('button')
    expect(await marker.count()).toBe(1)
    expect(await marker.getAttribute('aria-label')).toMatch(/^Thread by Olive at 00:00:00:10/)
    await marker.click()
    expect(await markAt(page, 10)).toBe(true)

    // L plays, K stops, J plays backward, space toggles — while the player has focus.
    const shown = async () => Number(await page.getByTestId('stage').getAttribute('data-frame'))
    await page.getByTestId('stage').focus()
    await page.keyboard.press('l')
    await expect.poll(shown, { timeout: WAIT }).toBeGreaterThan(14)
    await page.keyboard.press('k')
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor({ timeout: WAIT })
    const stopped = await shown()
    await page.keyboard.press('j')
    await expect.poll(shown, { timeout: WAIT }).toBeLessThan(stopped - 2)
    await page.keyboard.press('k')
    await page.keyboard.press('Space')
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: WAIT })
    await page.keyboard.press('Space')
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor({ timeout: WAIT })

    // Playing from the start: the mark is never shown once the playhead has passed frame 10.
    await field.fill('0')
    await field.press('Enter')
    expect(await markAt(page, 0)).toBe(false)
    await page.getByTestId('play').click()
    await expect
      .poll(async () => Number(await page.getByTestId('stage').getAttribute('data-frame')), {
        timeout: WAIT,
      })
      .toBeGreaterThan(12)
    expect(await mark(page).count()).toBe(0)
    // It stops on the last frame, without the mark.
    expect(await markAt(page, 49)).toBe(false)
  }, 90_000)

  it('compares two versions of a video as two players with one playhead', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'two-cuts')
    const { page } = await open(t, 'Olive', boardId)
    const [v1, v2] = [
      await webmVideo(page, { frames: 50, fps: 25, width: 320, height: 180 }),
      await webmVideo(page, { frames: 50, fps: 25, width: 384, height: 216 }),
    ]
    await page.getByLabel('Upload media').setInputFiles({
      name: 'cut.webm',
      mimeType: 'video/webm',
      buffer: v1,
    })
    await thumb(page, 'cut.webm').waitFor({ timeout: WAIT })
    await page.getByTestId('transport').waitFor({ timeout: WAIT })

    // Renamed from the media menu.
    await page.getByRole('button', { name: 'Media actions' }).click()
    await page.getByRole('menuitem', { name: 'Rename…' }).click()
    const rename = page.getByRole('dialog', { name: 'Rename media' })
    await rename.getByLabel('Name').fill('teaser.webm')
    await rename.getByRole('button', { name: 'Rename' }).click()
    await thumb(page, 'teaser.webm').waitFor({ timeout: WAIT })

    await page.getByLabel('New version of teaser.webm').setInputFiles({
      name: 'teaser-v2.webm',
      mimeType: 'video/webm',
      buffer: v2,
    })
    await page.getByTestId('version-menu').filter({ hasText: 'v2' }).waitFor({ timeout: WAIT })
    await eventually(async () => {
      const doc = await committedBoard(t, boardId, owner.token)
      const [item] = Object.values(doc.getMap('media').toJSON()) as Array<{
        versions: Array<{ n: number; name: string }>
      }>
      expect(item?.versions.map((v) => [v.n, v.name])).toEqual([
        [1, 'teaser.webm'],
        [2, 'teaser-v2.webm'],
      ])
    }, WAIT)

    // The switcher shows v1 again (the menu closes on a pick); its frame rate is editable.
    await page.getByTestId('version-menu').click()
    await page.getByRole('menuitemradio', { name: /^v1 teaser\.webm/ }).click()
    await page.getByTestId('version-menu').filter({ hasText: 'v1' }).waitFor({ timeout: WAIT })
    await page.getByRole('menu').waitFor({ state: 'detached', timeout: WAIT })
    await page.getByRole('button', { name: /^Frame rate: 25 fps/ }).click()
    await page.getByRole('menuitemradio', { name: '30 fps', exact: true }).click()
    await page.getByTestId('transport').getByText('/ 00:00:01:29').waitFor({ timeout: WAIT })
    await page.getByRole('menu').waitFor({ state: 'detached', timeout: WAIT })
    await eventually(async () => {
      const doc = await committedBoard(t, boardId, owner.token)
      const [item] = Object.values(doc.getMap('media').toJSON()) as Array<{
        versions: Array<{ n: number; fps?: number }>
      }>
      expect(item?.versions.map((v) => [v.n, v.fps])).toEqual([
        [1, 30],
        [2, 25],
      ])
    }, WAIT)
    await page.getByRole('button', { name: /^Frame rate: 30 fps/ }).click()
    await page.getByRole('menuitemradio', { name: '25 fps', exact: true }).click()
    await page.getByTestId('transport').getByText('/ 00:00:01:24').waitFor({ timeout: WAIT })

    await page.getByTestId('compare').click()
    const panes = page.getByTestId('compare-view').locator('video')
    await expect.poll(() => panes.count(), { timeout: WAIT }).toBe(2)
    /** The frame each pane's video is at (25 fps). */
    const frames = () =>
      panes.evaluateAll((videos) =>
        (videos as HTMLVideoElement[]).map((v) => Math.floor(v.currentTime * 25 + 1e-6)),
      )
    await expect
      .poll(() => panes.evaluateAll((v) => (v as HTMLVideoElement[]).map((e) => e.readyState)), {
        timeout: WAIT,
      })
      .toEqual([4, 4])
    // Frame steps move both players.
    await page.getByRole('button', { name: 'One frame forward' }).focus()
    for (let i = 0; i < 7; i++) await page.keyboard.press('Period')
    await expect.poll(frames, { timeout: WAIT }).toEqual([7, 7])
    await expect.poll(() => timecode(page), { timeout: WAIT }).toBe('00:00:00:07')
    // A typed timecode seeks both.
    await page.getByTestId('timecode').fill('00:00:01:02')
    await page.getByTestId('timecode').press('Enter')
    await expect.poll(frames, { timeout: WAIT }).toEqual([27, 27])
    // Played and paused, they stop on the same frame.
    await page.getByTestId('play').click()
    await expect.poll(async () => (await frames())[1], { timeout: WAIT }).toBeGreaterThan(35)
    await page.getByTestId('play').click()
    await expect
      .poll(
        async () => {
          const [left, right] = await frames()
          return left === right
        },
        { timeout: WAIT },
      )
      .toBe(true)
  }, 90_000)
})

/**
 * Every screen, in both themes and at desktop and phone widths: an axe-core scan inside
 * Chromium (contrast included) with no serious or critical violation, and, with
 * LOUPE_SCREENSHOTS=1, a screenshot of each for the README (docs/screen-*.png).
 */
import AxeBuilder from '@axe-core/playwright'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import * as Y from 'yjs'
import { generateNKeysBetween } from 'fractional-indexing'
import {
  addComment,
  addMedia,
  addMediaVersion,
  createAnnotation,
  createTask,
  createThread,
  setVerdict,
} from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { eventually, synced, type TestServer } from '../harness.ts'
import {
  DESKTOP,
  freshServer,
  person,
  PHONE,
  picture,
  shot,
  signIn,
  useBrowserHarness,
  WAIT,
} from './people.ts'
import { webmVideo } from './video.ts'

useBrowserHarness()

const SCREENSHOTS = !!process.env.LOUPE_SCREENSHOTS
const TABLET = { width: 1024, height: 768 }

/** A board worth looking at: a picture with marks, a conversation, tasks in every column. */
async function furnish(
  t: TestServer,
  token: string,
  boardId: string,
  bea: { user: { id: string }; token: string },
) {
  const painter = await person('painter')
  // WebCodecs wants a secure context: a page of the (local) server, not about:blank.
  await painter.page.goto(`${t.url}/healthz`)
  const png = await picture(painter.page, 1280, 720)
  const posters = [await picture(painter.page, 800, 1000), await picture(painter.page, 820, 1000)]
  const clip = await webmVideo(painter.page, { frames: 50, fps: 25, width: 640, height: 360 })
  await painter.context.close()
  const send = async (type: string, body: Buffer) => {
    const sent = await t.api<{
      media: { hash: string; bytes: number; durationMs?: number; fps?: number }
    }>(`/api/media?board=${boardId}`, {
      method: 'POST',
      token,
      headers: { 'content-type': type },
      body: Buffer.from(body),
    })
    expect(sent.status).toBe(201)
    return sent.body.media
  }
  const uploaded = { body: { media: await send('image/png', Buffer.from(png, 'base64')) } }
  const [poster1, poster2] = [
    await send('image/png', Buffer.from(posters[0] as string, 'base64')),
    await send('image/png', Buffer.from(posters[1] as string, 'base64')),
  ]
  const video = await send('video/webm', clip)
  const doc = new Y.Doc()
  const provider = t.provider(boardId, doc, { token })
  await synced(provider)
  const me = (await t.api<{ user: { id: string } }>('/api/me', { token })).body.user
  addMedia(doc, {
    id: 'sunset',
    kind: 'image',
    hash: uploaded.body.media.hash,
    name: 'sunset-v3.png',
    bytes: uploaded.body.media.bytes,
    width: 1280,
    height: 720,
    addedBy: me.id,
  })
  createAnnotation(doc, {
    id: 'mark1',
    mediaId: 'sunset',
    shape: { type: 'ellipse', cx: 0.75, cy: 0.3, rx: 0.1, ry: 0.16 },
    color: '#e5484d',
    authorId: me.id,
    threadId: 'th1',
  })
  createAnnotation(doc, {
    id: 'mark2',
    mediaId: 'sunset',
    shape: { type: 'arrow', from: { x: 0.3, y: 0.55 }, to: { x: 0.45, y: 0.7 } },
    color: '#ffc53d',
    authorId: bea.user.id,
  })
  createThread(doc, {
    id: 'th1',
    anchor: { type: 'annotation', id: 'mark1' },
    createdBy: me.id,
  })
  addComment(doc, 'th1', {
    id: 'c1',
    authorId: me.id,
    body: 'The sun flare clips here — can we pull it back half a stop?',
    mentions: [],
  })
  // A poster in two versions with verdicts, and a video with a mark at frame 10 and a thread
  // over a range: the versions, comparison, verdict and video transport screens.
  addMedia(doc, {
    id: 'poster',
    kind: 'image',
    hash: poster1.hash,
    name: 'poster.png',
    bytes: poster1.bytes,
    width: 800,
    height: 1000,
    addedBy: me.id,
  })
  addMediaVersion(doc, 'poster', {
    hash: poster2.hash,
    name: 'poster-v2.png',
    bytes: poster2.bytes,
    width: 820,
    height: 1000,
    addedBy: me.id,
  })
  setVerdict(doc, 'poster', me.id, 'approved', { version: 2 })
  addMedia(doc, {
    id: 'clip',
    kind: 'video',
    hash: video.hash,
    name: 'teaser-cut-3.webm',
    bytes: video.bytes,
    width: 640,
    height: 360,
    durationMs: video.durationMs ?? 2000,
    fps: video.fps ?? 25,
    addedBy: me.id,
  })
  createAnnotation(doc, {
    id: 'clipmark',
    mediaId: 'clip',
    shape: { type: 'rect', x: 0.35, y: 0.25, w: 0.3, h: 0.5 },
    color: '#e5484d',
    authorId: me.id,
    threadId: 'th2',
    timeMs: 420,
  })
  createThread(doc, { id: 'th2', anchor: { type: 'annotation', id: 'clipmark' }, createdBy: me.id })
  addComment(doc, 'th2', { id: 'c3', authorId: me.id, body: 'The number jumps on frame 10' })
  createThread(doc, {
    id: 'th3',
    anchor: { type: 'media', id: 'clip', version: 1, timeMs: 1220, endMs: 1620 },
    createdBy: me.id,
  })
  addComment(doc, 'th3', { id: 'c4', authorId: me.id, body: 'Hold the last second longer' })
  const titles: Array<[string, 'todo' | 'doing' | 'review' | 'done', string | null]> = [
    ['Check the night exposure', 'todo', bea.user.id],
    ['Export stills for the client', 'todo', null],
    ['Color pass on the sky', 'doing', me.id],
    ['Pull back the sun flare', 'review', bea.user.id],
    ['Crop to 4:5 for social', 'done', null],
  ]
  const orders = generateNKeysBetween(null, null, titles.length)
  titles.forEach(([title, status, assigneeId], i) =>
    createTask(doc, {
      id: `task${i}`,
      title,
      status,
      order: orders[i] as string,
      createdBy: me.id,
      ...(assigneeId ? { assigneeId } : {}),
      ...(i === 2 ? { priority: 'high' as const, description: 'Warmer at the horizon.' } : {}),
    }),
  )
  // Bea answers as herself (the server names a comment's author by its connection), so
  // Olive's inbox has her mention.
  const beaDoc = new Y.Doc()
  const beaProvider = t.provider(boardId, beaDoc, { token: bea.token })
  await synced(beaProvider)
  await eventually(async () => expect(beaDoc.getMap('threads').has('th1')).toBe(true), WAIT)
  setVerdict(beaDoc, 'poster', bea.user.id, 'changes_requested', { version: 1 })
  addComment(beaDoc, 'th1', {
    id: 'c2',
    authorId: bea.user.id,
    body: 'On it. @Olive want the same on the night exposure?',
    mentions: [me.id],
  })
  await eventually(async () => {
    const notes = await t.api<{ unreadCount: number }>('/api/notifications?unread=1', { token })
    expect(notes.body.unreadCount).toBeGreaterThan(0)
  }, WAIT)
  provider.destroy()
  beaProvider.destroy()
}

/** axe-core in the page: WCAG 2.1 A and AA rules, contrast included; serious or worse fails. */
async function scan(page: Page, label: string): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze()
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    )
}

describe('every screen, light and dark, desktop and phone (and a tablet)', () => {
  it('passes axe with no serious or critical violation (and is photographed)', async () => {
    const { t, owner, accounts } = await freshServer({ bea: 'editor' }, { systemFiguresMs: 300 })
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'spring-promo')
    await t.api(`/api/boards/${boardId}`, {
      method: 'PATCH',
      token: owner.token,
      json: { title: 'Spring promo' },
    })
    await furnish(t, owner.token, boardId, accounts.bea!)
    // A named version for the history panel.
    const named = await t.api(`/api/boards/${boardId}/versions`, {
      method: 'POST',
      token: owner.token,
      json: { name: 'Sent to the client' },
    })
    expect(named.status).toBe(201)
    // Something held, for the status page's lock table.
    await t.api('/api/locks/acquire', {
      method: 'POST',
      token: accounts.bea!.token,
      json: { key: `${boardId}/task/task3`, ttlMs: 600_000 },
    })

    const screens: Array<{ name: string; hash: string; ready: (page: Page) => Promise<unknown> }> =
      [
        {
          name: 'workspaces',
          hash: '#/',
          ready: (p) => p.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor(),
        },
        {
          name: 'workspace',
          hash: `#/w/${owner.workspaceId}`,
          ready: (p) => p.getByRole('main').getByRole('link', { name: 'Spring promo' }).waitFor(),
        },
        {
          name: 'board',
          hash: `#/b/${boardId}/thread/th1`,
          ready: async (p) => {
            await p.getByTestId('annotation-layer').waitFor()
            await p.getByText('The sun flare clips here').first().waitFor()
            await p.getByTestId('status').filter({ hasText: 'All changes saved' }).waitFor()
          },
        },
        {
          name: 'activity',
          hash: `#/b/${boardId}/media/sunset?panel=activity`,
          ready: (p) => p.getByRole('tabpanel').getByText('Olive').first().waitFor(),
        },
        {
          name: 'tasks',
          hash: `#/b/${boardId}/tasks`,
          ready: (p) => p.getByRole('heading', { name: 'Color pass on the sky' }).waitFor(),
        },
        {
          name: 'history',
          hash: `#/b/${boardId}/media/sunset?panel=history`,
          ready: (p) => p.getByText('Sent to the client').first().waitFor(),
        },
        {
          name: 'search',
          hash: `#/b/${boardId}/media/sunset?panel=search`,
          ready: async (p) => {
            await p.getByRole('combobox', { name: 'Search', exact: true }).fill('flare')
            await p.getByTestId('search-result').first().waitFor()
          },
        },
        {
          name: 'verdicts',
          hash: `#/b/${boardId}/media/poster?panel=threads`,
          ready: async (p) => {
            await p.getByTestId('verdicts').getByText('bea').first().waitFor()
            await p.getByTestId('version-menu').filter({ hasText: 'v2' }).waitFor()
          },
        },
        {
          name: 'compare',
          hash: `#/b/${boardId}/media/poster?panel=threads`,
          ready: async (p) => {
            await p.getByTestId('compare').click()
            await p.getByTestId('pane-right').getByRole('img').waitFor()
            await p.getByTestId('pane-left').getByRole('img').waitFor()
          },
        },
        {
          name: 'video',
          hash: `#/b/${boardId}/thread/th2?panel=threads`,
          ready: async (p) => {
            await p.getByTestId('transport').waitFor()
            await expect
              .poll(() => p.getByTestId('stage').getAttribute('data-frame'), { timeout: WAIT })
              .toBe('10')
            await p.getByRole('button', { name: /^Rectangle by Olive/ }).waitFor()
          },
        },
        {
          name: 'inbox',
          hash: '#/inbox',
          ready: (p) =>
            p
              .getByRole('link', { name: /mentioned you/ })
              .first()
              .waitFor(),
        },
        {
          name: 'system',
          hash: '#/system',
          ready: async (p) => {
            await p.getByTestId('locks').getByText('bea').waitFor()
            await p
              .locator('[data-figure="rooms"] .chart-value')
              .filter({ hasNotText: '—' })
              .waitFor()
          },
        },
      ]

    const problems: string[] = []
    for (const theme of ['light', 'dark'] as const) {
      for (const [size, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const olive = await signIn(t, 'Olive', { viewport, colorScheme: theme })
        const { page } = olive
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme)
        for (const screen of screens) {
          await page.goto(`${t.url}/${screen.hash}`)
          await screen.ready(page)
          // Let transitions and lazy images settle before judging contrast.
          await page.waitForTimeout(250)
          problems.push(...(await scan(page, `${screen.name} (${theme}, ${size})`)))
          if (SCREENSHOTS)
            await page.screenshot({ path: shot(`screen-${screen.name}-${theme}-${size}.png`) })
        }
        // The dialogs: keyboard shortcuts and share.
        await page.goto(`${t.url}/#/b/${boardId}`)
        await page.getByTestId('annotation-layer').waitFor({ timeout: WAIT })
        await page.keyboard.press('Shift+Slash')
        await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
        problems.push(...(await scan(page, `shortcuts (${theme}, ${size})`)))
        if (SCREENSHOTS && size === 'desktop')
          await page.screenshot({ path: shot(`screen-shortcuts-${theme}-${size}.png`) })
        await page.keyboard.press('Escape')
        await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' })
        await page.getByRole('button', { name: 'Share' }).click()
        await page
          .getByRole('dialog', { name: 'Share' })
          .getByRole('button', { name: 'Create link' })
          .click()
        await page.getByLabel('New board link').waitFor()
        problems.push(...(await scan(page, `share (${theme}, ${size})`)))
        if (SCREENSHOTS && size === 'desktop')
          await page.screenshot({ path: shot(`screen-share-${theme}-${size}.png`) })
        await page.keyboard.press('Escape')
        await page.getByRole('dialog', { name: 'Share' }).waitFor({ state: 'hidden' })
        if (size === 'phone') {
          // On a phone the sidebar is a drawer behind the menu button.
          await page.getByRole('button', { name: 'Open navigation' }).click()
          await page.getByRole('dialog', { name: 'Loupe' }).waitFor()
          problems.push(...(await scan(page, `navigation drawer (${theme}, ${size})`)))
          if (SCREENSHOTS)
            await page.screenshot({ path: shot(`screen-drawer-${theme}-${size}.png`) })
          await page.keyboard.press('Escape')
        }
        await olive.context.close()
        // The sign-in screen, signed out.
        const visitor = await person('visitor', { viewport, colorScheme: theme })
        await visitor.page.goto(`${t.url}/`)
        await visitor.page.getByRole('button', { name: 'Sign in' }).waitFor()
        problems.push(...(await scan(visitor.page, `sign-in (${theme}, ${size})`)))
        if (SCREENSHOTS && size === 'desktop')
          await visitor.page.screenshot({ path: shot(`screen-signin-${theme}-${size}.png`) })
        await visitor.context.close()
      }
    }
    // A tablet: the sidebar shrinks to icons (their names stay for screen readers).
    for (const theme of ['light', 'dark'] as const) {
      const olive = await signIn(t, 'Olive', { viewport: TABLET, colorScheme: theme, touch: true })
      for (const screen of screens.filter((s) => ['board', 'tasks'].includes(s.name))) {
        await olive.page.goto(`${t.url}/${screen.hash}`)
        await screen.ready(olive.page)
        await olive.page.waitForTimeout(250)
        problems.push(...(await scan(olive.page, `${screen.name} (${theme}, tablet)`)))
        if (SCREENSHOTS)
          await olive.page.screenshot({ path: shot(`screen-${screen.name}-${theme}-tablet.png`) })
      }
      await olive.context.close()
    }
    expect(problems, problems.join('\n')).toEqual([])
  }, 480_000)
})

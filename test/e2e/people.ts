/**
 * The browser-test harness: one Chromium per test file, a fresh server per test, one browser
 * context per person, every wait with a timeout. An uncaught error in a page, or a console
 * error that is not one the test expects (see `expected`), fails the test that opened the
 * page. `useBrowserHarness()` registers the hooks in the calling test file.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core'
import * as Y from 'yjs'
import { invite, setupOwner, SETUP_CODE } from '../accounts.ts'
import { cleanup, startTestServer, type TestServer } from '../harness.ts'
import { clientDir, launch } from './browser.ts'

/** How long a page may take to show something: a render, or an edit from the other browser. */
export const WAIT = 15_000
/** How long reconnecting may take after going back online (socket backoff, resync, commit). */
export const RECONNECT = 30_000

export const DESKTOP = { width: 1400, height: 1000 }
export const PHONE = { width: 390, height: 844 }

let browser: Browser

/** The board as the server committed it: its export, as a document. */
export async function committedBoard(t: TestServer, boardId: string, token: string) {
  const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, { token })
  const doc = new Y.Doc()
  Y.applyUpdate(doc, exported.body)
  return doc
}

/** Screenshots go to docs/ with LOUPE_SCREENSHOTS=1 (to refresh the README's), else to tmp. */
const shotDir = process.env.LOUPE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'loupe-shots-'))
export const shot = (name: string) => join(shotDir, name)

/** One person in their own browser context, and what went wrong in their page. */
export interface Person {
  name: string
  context: BrowserContext
  page: Page
  /** Uncaught page errors and unexpected console errors, as lines for the failure message. */
  problems: string[]
  /** Set once signed in: from then on a 401 is a bug, not the sign-in page asking. */
  signedIn: boolean
  /** Set when the test takes this person offline on purpose. */
  wentOffline: boolean
}

/** The people opened by the running test; afterEach closes them and reports their errors. */
const people: Person[] = []

export function useBrowserHarness(): void {
  beforeAll(async () => {
    browser = await launch()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    if (!process.env.LOUPE_SCREENSHOTS) rmSync(shotDir, { recursive: true, force: true })
  })
  afterEach(async () => {
    const done = people.splice(0)
    try {
      await Promise.all(done.map((person) => person.context.close()))
    } finally {
      await cleanup()
    }
    const problems = done.flatMap((person) => person.problems)
    if (problems.length > 0)
      throw new Error(`the pages reported ${problems.length} error(s):\n${problems.join('\n')}`)
  }, 60_000)
}

/** Console errors that are Chromium reporting what the test does on purpose, not bugs. */
function expected(person: Person, message: ConsoleMessage): boolean {
  const text = message.text()
  // Before signing in, the app asks who this is and is told no; Chromium logs each 401.
  if (
    !person.signedIn &&
    text.includes('the server responded with a status of 401') &&
    /\/api\/(auth\/refresh|me)$/.test(message.location().url)
  )
    return true
  // Taken offline: Chromium logs every request and socket the app tries meanwhile.
  if (person.wentOffline && text.includes('net::ERR_INTERNET_DISCONNECTED')) return true
  return false
}

export interface PersonOptions {
  viewport?: { width: number; height: number }
  colorScheme?: 'light' | 'dark'
  touch?: boolean
  /** The browser's time zone (IANA name, e.g. `America/Los_Angeles`); the machine's otherwise. */
  timezoneId?: string
}

/** A fresh browser context for one person, watched for errors. */
export async function person(name: string, options: PersonOptions = {}): Promise<Person> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    colorScheme: options.colorScheme ?? 'light',
    hasTouch: options.touch ?? false,
    // A phone-sized touch screen is a mobile browser; a touch laptop is not.
    isMobile: !!options.touch && (options.viewport ?? DESKTOP).width < 800,
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  })
  // Every action, wait and navigation without its own timeout gets this one.
  context.setDefaultTimeout(WAIT)
  const page = await context.newPage()
  const who: Person = { name, context, page, problems: [], signedIn: false, wentOffline: false }
  page.on('pageerror', (error) =>
    who.problems.push(`[${name}] uncaught page error: ${error.stack ?? error.message}`),
  )
  page.on('crash', () => who.problems.push(`[${name}] the page crashed`))
  page.on('console', (message) => {
    if (message.type() !== 'error' || expected(who, message)) return
    const { url, lineNumber } = message.location()
    who.problems.push(`[${name}] console error: ${message.text()} (at ${url}:${lineNumber})`)
  })
  people.push(who)
  return who
}

/** A server of its own, with the owner (Olive) and the named members, each with a password. */
export async function freshServer(
  members: Record<string, 'editor' | 'reviewer' | 'viewer'> = {},
  overrides: Parameters<typeof startTestServer>[0] = {},
) {
  const t = await startTestServer({
    auth: true,
    setupCode: SETUP_CODE,
    clientDir,
    roomHibernateMs: 60_000,
    ...overrides,
  })
  const owner = await setupOwner(t)
  const accounts: Record<string, Awaited<ReturnType<typeof invite>>> = {}
  for (const [name, role] of Object.entries(members))
    accounts[name] = await invite(t, owner.token, owner.workspaceId, role, name)
  return { t, owner, accounts }
}

const passwords: Record<string, string> = {
  Olive: 'owner-password',
  bea: 'bea-password',
  vic: 'vic-password',
}

/** Signs `name` in, in a fresh browser context; lands on the workspaces page. */
export async function signIn(t: TestServer, name: string, options: PersonOptions = {}) {
  const who = await person(name, options)
  const { page } = who
  await page.goto(t.url + '/')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Password').fill(passwords[name] as string)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Workspaces' }).waitFor({ timeout: WAIT })
  who.signedIn = true
  return who
}

/** A person signed in, in a fresh browser context, on a board. */
export async function open(
  t: TestServer,
  name: string,
  boardId: string,
  options: PersonOptions = {},
): Promise<Person> {
  const who = await signIn(t, name, options)
  await who.page.goto(`${t.url}/#/b/${boardId}`)
  await who.page.getByTestId('status').waitFor({ timeout: WAIT })
  return who
}

/** Switches the board to its Review or Tasks view (the view switch in the header). */
export async function view(page: Page, name: 'Review' | 'Tasks'): Promise<void> {
  await page.getByRole('navigation', { name: 'Board views' }).getByRole('link', { name }).click()
  await page
    .getByRole('navigation', { name: 'Board views' })
    .getByRole('link', { name })
    .and(page.locator('[aria-current="page"]'))
    .waitFor({ timeout: WAIT })
}

/** The unread badge's text, one entry per badge ([] while there is none); does not wait. */
export const badge = (page: Page) => page.getByTestId('unread').allTextContents()

/** A picture to review, drawn by the browser itself: a PNG as base64. */
export function picture(page: Page, width = 640, height = 360): Promise<string> {
  return page.evaluate(
    ([w, h]) => {
      const canvas = document.createElement('canvas')
      canvas.width = w as number
      canvas.height = h as number
      const g = canvas.getContext('2d') as CanvasRenderingContext2D
      const sky = g.createLinearGradient(0, 0, 0, h as number)
      sky.addColorStop(0, '#8ec5fc')
      sky.addColorStop(1, '#e0c3fc')
      g.fillStyle = sky
      g.fillRect(0, 0, w as number, h as number)
      g.fillStyle = '#2f4858'
      g.fillRect(0, ((h as number) * 13) / 18, w as number, ((h as number) * 5) / 18)
      g.fillStyle = '#f6bd60'
      g.beginPath()
      g.arc(((w as number) * 3) / 4, ((h as number) * 11) / 36, (h as number) / 7, 0, Math.PI * 2)
      g.fill()
      return canvas.toDataURL('image/png').split(',')[1] as string
    },
    [width, height],
  )
}

/** Uploads a PNG through the media strip's file input and waits for it in the strip. */
export async function upload(page: Page, name: string, png: string): Promise<void> {
  await page.getByLabel('Upload media').setInputFiles({
    name,
    mimeType: 'image/png',
    buffer: Buffer.from(png, 'base64'),
  })
  await thumb(page, name).waitFor({ timeout: WAIT })
}

/** A media item's thumbnail in the board's media strip. */
export const thumb = (page: Page, name: string) =>
  page.getByRole('list', { name: 'Media on this board' }).getByRole('button', { name, exact: true })

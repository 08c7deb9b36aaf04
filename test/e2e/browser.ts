/**
 * Real Chromium for end-to-end tests: Debian's `chromium` (or LOUPE_CHROMIUM), driven by
 * playwright-core. These tests never install it: `npm run setup:browser` does (and `npm test`
 * runs that first), so a missing browser fails here at once with what to run. The web client
 * is built first if it is missing or out of date. Playwright gives every launch a fresh,
 * temporary profile.
 */
import { buildClientIfNeeded } from '../../scripts/client-build.mjs'
import { chromiumPath } from '../../scripts/setup-browser.mjs'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = chromiumPath()
export const clientDir = fileURLToPath(new URL('../../client/dist', import.meta.url))

/** Throws, saying what to run, when the browser is not there. */
export function requireChromium(): void {
  if (existsSync(CHROMIUM)) return
  throw new Error(
    `Chromium is missing: ${CHROMIUM} does not exist. Run \`npm run setup:browser\` ` +
      `(as root; it installs Debian's chromium with apt-get — \`npm test\` runs it first), ` +
      `or set LOUPE_CHROMIUM to a Chromium binary.`,
  )
}

export function ensureClientBuilt(): void {
  if (buildClientIfNeeded(() => {}) !== 0) throw new Error('the web client did not build')
}

export async function launch(): Promise<Browser> {
  requireChromium()
  ensureClientBuilt()
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

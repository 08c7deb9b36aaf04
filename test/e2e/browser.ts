/**
 * Real Chromium for end-to-end tests: Debian's `chromium`, installed with apt-get when missing
 * (the machine reaches Debian's packages; no browser is downloaded), driven by playwright-core.
 * The web client is built first if it is not. Playwright gives every launch a fresh,
 * temporary profile.
 */
import { execFileSync } from 'node:child_process'
import { buildClientIfNeeded } from '../../scripts/client-build.mjs'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env.LOUPE_CHROMIUM ?? '/usr/bin/chromium'
export const clientDir = fileURLToPath(new URL('../../client/dist', import.meta.url))

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return
  if (process.getuid?.() !== 0)
    throw new Error(`${CHROMIUM} is missing; install Debian's chromium package`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update'], { stdio: 'ignore', env })
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'ignore',
    env,
  })
}

export function ensureClientBuilt(): void {
  if (buildClientIfNeeded(() => {}) !== 0) throw new Error('the web client did not build')
}

export async function launch(): Promise<Browser> {
  ensureChromium()
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

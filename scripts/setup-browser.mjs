// `npm run setup:browser`: makes sure the browser tests have a Chromium and a colour emoji
// font (so reactions and screenshots look the same on every machine). If both are there, says
// so and stops; if /usr/bin/chromium or the font is missing, installs Debian's `chromium` and
// `fonts-noto-color-emoji` packages with apt-get (as root), printing each step and how long it
// took. Exits non-zero with a message saying what to do when it cannot. The browser tests only
// check; they never install.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

export const DEFAULT_CHROMIUM = '/usr/bin/chromium'
/** Debian's fonts-noto-color-emoji: without it Chromium draws reaction emoji as empty boxes. */
export const EMOJI_FONT = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'

/** The Chromium the browser tests drive: LOUPE_CHROMIUM, else Debian's. */
export function chromiumPath(env = process.env) {
  return env.LOUPE_CHROMIUM || DEFAULT_CHROMIUM
}

const MANUAL =
  'Install it yourself (Debian: apt-get install chromium fonts-noto-color-emoji), or set LOUPE_CHROMIUM to a Chromium binary.'

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`

function run(log, command, args) {
  log(`setup:browser: $ ${command} ${args.join(' ')}`)
  const started = Date.now()
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}. ${MANUAL}`)
  if (result.status !== 0)
    throw new Error(
      `${command} ${args[0]} failed (exit ${result.status ?? result.signal}; its output is above), ` +
        `so Chromium is not installed. ${MANUAL}`,
    )
  log(`setup:browser: ${command} ${args[0]} took ${seconds(started)}`)
}

function version(path) {
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/** Installs Chromium (and the emoji font) when missing; throws an Error with what to do when it cannot. */
export function setupBrowser({
  env = process.env,
  log = console.log,
  emojiFont = EMOJI_FONT,
} = {}) {
  const started = Date.now()
  const path = chromiumPath(env)
  const packages = []
  if (existsSync(path)) {
    const found = version(path)
    log(`setup:browser: ${path} is present${found ? ` (${found})` : ''}`)
  } else {
    if (path !== DEFAULT_CHROMIUM)
      throw new Error(
        `LOUPE_CHROMIUM is ${path}, which does not exist. Point it at a Chromium binary, or unset ` +
          `it to use Debian's ${DEFAULT_CHROMIUM} (which this script installs).`,
      )
    packages.push('chromium')
  }
  if (existsSync(emojiFont)) log(`setup:browser: the emoji font ${emojiFont} is present`)
  else packages.push('fonts-noto-color-emoji')
  if (packages.length === 0) {
    log(`setup:browser: nothing to install (${seconds(started)})`)
    return
  }
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get'))
    throw new Error(
      `${packages.join(' and ')} missing and this is not a Debian-like system with apt-get. ${MANUAL}`,
    )
  if (process.getuid?.() !== 0)
    throw new Error(
      `${packages.join(' and ')} missing and installing needs root: run \`sudo npm run setup:browser\`. ${MANUAL}`,
    )
  log(`setup:browser: installing Debian's ${packages.join(' and ')} with apt-get`)
  // Another apt (unattended upgrades) may hold the lock for a while: wait for it, not fail.
  const wait = ['-o', 'DPkg::Lock::Timeout=300']
  run(log, 'apt-get', ['update', ...wait])
  // No recommends (upower, udev, fonts-liberation…): headless tests do not need them, and the
  // install is smaller. --reinstall also repairs a package that is installed but lost its files.
  run(log, 'apt-get', [
    'install',
    ...wait,
    '-y',
    '--no-install-recommends',
    '--reinstall',
    ...packages,
  ])
  if (!existsSync(path))
    throw new Error(`apt-get installed chromium but ${path} is still missing. ${MANUAL}`)
  if (!existsSync(emojiFont))
    throw new Error(
      `apt-get installed fonts-noto-color-emoji but ${emojiFont} is missing. ${MANUAL}`,
    )
  const found = version(path)
  log(
    `setup:browser: ${path}${found ? ` (${found})` : ''} and the emoji font ready in ${seconds(started)}`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    setupBrowser()
  } catch (error) {
    console.error(`setup:browser: ${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
}

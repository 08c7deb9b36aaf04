// Builds the web client when it is missing or older than its sources (so `npm start` after
// an update serves the new client, and a second start with nothing changed is quick).
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { newestSource } from './newest-source.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const built = join(root, 'client/dist/index.html')

export function clientIsCurrent() {
  if (!existsSync(built)) return false
  const sources = ['client/src', 'client/public', 'shared'].map((d) => newestSource(join(root, d)))
  const others = ['client/index.html', 'vite.config.ts'].map((f) => statSync(join(root, f)).mtimeMs)
  return statSync(built).mtimeMs >= Math.max(...sources, ...others)
}

/** Returns the exit status of the build (0 when nothing was needed). */
export function buildClientIfNeeded(log = console.log) {
  if (clientIsCurrent()) return 0
  log('Building the web client…')
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
  return build.status ?? 1
}
